// Printing, ordering and generation of pids, references and port identifiers.

#include "otp/pid.hpp"

#include <atomic>
#include <chrono>
#include <random>
#include <string>

namespace otp {
namespace {

// Refs are a 64-bit counter plus a per-OS-process salt. Threads reserve counter blocks so
// make() is a thread-local increment almost always.
std::atomic<uint64_t> ref_counter{1};
constexpr uint64_t ref_block = 4096;

uint32_t process_salt() {
  static const uint32_t salt = [] {
    std::random_device rd;
    uint32_t s = rd() ^ uint32_t(std::chrono::steady_clock::now().time_since_epoch().count());
    return s == 0 ? 1 : s;
  }();
  return salt;
}

template <class T>
std::strong_ordering cmp(const T& a, const T& b) {
  return a <=> b;
}

// Name index and creation packed in one word, so readers never see a torn pair.
std::atomic<uint64_t> this_node_word{uint64_t(atoms::nonode_nohost.index()) << 32};

// Compares the nodes two values live on as Erlang does: name first, then creation. A local
// value (empty node) stands for this node; when this node's name and creation equal a
// remote value's, the local one sorts first so the order stays consistent with ==.
std::strong_ordering cmp_nodes(atom an, uint32_t ac, atom bn, uint32_t bc) noexcept {
  if (an == bn && ac == bc) return std::strong_ordering::equal;
  bool al = an == atom(), bl = bn == atom();
  node_identity self = this_node();
  atom ean = al ? self.name : an, ebn = bl ? self.name : bn;
  uint32_t eac = al ? self.creation : ac, ebc = bl ? self.creation : bc;
  if (auto c = ean <=> ebn; c != 0) return c;
  if (auto c = cmp(eac, ebc); c != 0) return c;
  return cmp(int(bl), int(al));  // local first
}

// erl prints a value of its own node name (even of an older creation) with node 0.
std::string node_text(atom node) {
  return node == atom() || node == this_node().name ? "0" : std::string(node.name());
}

}  // namespace

node_identity this_node() noexcept {
  uint64_t w = this_node_word.load(std::memory_order_acquire);
  return {atom(detail::atom_index_tag{}, uint32_t(w >> 32)), uint32_t(w)};
}

void set_this_node(atom name, uint32_t creation) noexcept {
  this_node_word.store(uint64_t(name.index()) << 32 | creation, std::memory_order_release);
}

std::string to_string(const pid& p) {
  // Appends rather than "<" + std::string: g++ 12 warns falsely (-Wrestrict) on the latter.
  std::string out = "<";
  out += node_text(p.node());
  out += '.';
  out += std::to_string(p.id_field());
  out += '.';
  out += std::to_string(p.serial_field());
  out += '>';
  return out;
}

std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept {
  // OTP 25 orders pids by their number (serial, then ID) before their node.
  if (auto c = cmp(a.serial_, b.serial_); c != 0) return c;
  if (auto c = cmp(a.id_, b.id_); c != 0) return c;
  return cmp_nodes(a.node_, a.creation_, b.node_, b.creation_);
}

reference reference::make() {
  thread_local uint64_t next = 0, end = 0;
  if (next == end) {
    next = ref_counter.fetch_add(ref_block, std::memory_order_relaxed);
    end = next + ref_block;
  }
  uint64_t n = next++;
  return from_parts(atom(), 0, uint32_t(n), uint32_t(n >> 32), process_salt());
}

std::string to_string(const reference& r) {
  std::string out = "#Ref<";
  out += node_text(r.node());
  for (size_t i = r.word_count(); i-- > 0;) {
    out += '.';
    out += std::to_string(r.word(int(i)));
  }
  out += '>';
  return out;
}

std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept {
  if (auto c = cmp_nodes(a.node_, a.creation_, b.node_, b.creation_); c != 0) return c;
  // The words form one number, most significant last; unused words are zero.
  for (size_t i = reference::max_words; i-- > 0;)
    if (auto c = cmp(a.words_[i], b.words_[i]); c != 0) return c;
  return std::strong_ordering::equal;
}

std::string to_string(const port_id& p) {
  return "#Port<" + node_text(p.node()) + "." + std::to_string(p.number()) + ">";
}

std::strong_ordering operator<=>(const port_id& a, const port_id& b) noexcept {
  if (auto c = cmp_nodes(a.node_, a.creation_, b.node_, b.creation_); c != 0) return c;
  return cmp(a.number_, b.number_);
}

}  // namespace otp
