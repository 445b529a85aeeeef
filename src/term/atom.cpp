// The global atom table.
//
// Invariants:
//  - Index i's name never changes once published; names are never freed.
//  - Builtin atoms (OTPP_BUILTIN_ATOMS) occupy indices 0..builtin_count-1, in order.
// Thread safety: interning takes `mu_`; reading a name by index is lock-free (entries are
// published with release stores before the index escapes the interning thread).

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "otp/atom.hpp"
#include "otp/detail/thread_annotations.hpp"
#include "utf8.hpp"

namespace otp {
namespace {

constexpr uint32_t chunk_bits = 10;
constexpr uint32_t chunk_size = 1u << chunk_bits;
constexpr uint32_t chunk_count = atom::max_count / chunk_size;

struct atom_text {
  uint32_t size;
  char bytes[1];  // `size` bytes follow
  std::string_view view() const { return {bytes, size}; }
};

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class atom_table {
 public:
  static atom_table& instance() {
    static atom_table* t = new atom_table();  // never destroyed: atoms outlive everything
    return *t;
  }

  uint32_t intern(std::string_view name) {
    if (code_points(name) > atom::max_length) throw std::length_error("atom too long (max 255)");
    {
      std::shared_lock lk(mu_);
      if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    }
    std::unique_lock lk(mu_);
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    uint32_t idx = count_.load(std::memory_order_relaxed);
    if (idx >= atom::max_count) throw std::runtime_error("system_limit: atom table full");
    const atom_text* text = store(name);
    auto& chunk = chunks_[idx >> chunk_bits];
    if (!chunk.load(std::memory_order_relaxed)) {
      chunk.store(new std::atomic<const atom_text*>[chunk_size](), std::memory_order_release);
    }
    chunk.load(std::memory_order_relaxed)[idx & (chunk_size - 1)].store(text,
                                                                        std::memory_order_release);
    by_name_.emplace(text->view(), idx);
    count_.store(idx + 1, std::memory_order_release);
    return idx;
  }

  bool find(std::string_view name, uint32_t& idx) {
    std::shared_lock lk(mu_);
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return false;
    idx = it->second;
    return true;
  }

  std::string_view name(uint32_t idx) const noexcept {
    auto* chunk = chunks_[idx >> chunk_bits].load(std::memory_order_acquire);
    if (!chunk) return {};
    const atom_text* t = chunk[idx & (chunk_size - 1)].load(std::memory_order_acquire);
    return t ? t->view() : std::string_view();
  }

  uint32_t count() const noexcept { return count_.load(std::memory_order_acquire); }

 private:
  atom_table() {
    static constexpr std::string_view builtins[] = {
#define OTPP_ATOM_TEXT(id, text) text,
        OTPP_BUILTIN_ATOMS(OTPP_ATOM_TEXT)
#undef OTPP_ATOM_TEXT
    };
    for (auto b : builtins) intern(b);
  }

  static const atom_text* store(std::string_view name) {
    auto* t = static_cast<atom_text*>(::operator new(sizeof(atom_text) + name.size()));
    t->size = uint32_t(name.size());
    std::memcpy(t->bytes, name.data(), name.size());
    return t;
  }

  std::shared_mutex mu_;
  std::unordered_map<std::string_view, uint32_t> by_name_;  // guarded by mu_
  std::array<std::atomic<std::atomic<const atom_text*>*>, chunk_count> chunks_{};
  std::atomic<uint32_t> count_{0};
};

// Builtin constants are usable before anyone interns: make sure the table exists early.
[[maybe_unused]] const bool table_ready = (atom_table::instance(), true);

bool is_reserved_word(std::string_view s) {
  static constexpr std::string_view words[] = {
      "after", "and",  "andalso", "band",   "begin",   "bnot", "bor", "bsl",  "bsr",
      "bxor",  "case", "catch",   "cond",   "div",     "end",  "fun", "if",   "let",
      "not",   "of",   "or",      "orelse", "receive", "rem",  "try", "when", "xor"};
  for (auto w : words)
    if (w == s) return true;
  return false;
}

// io_lib's rules for unquoted atoms (Latin-1 only): a lowercase first letter, then letters,
// digits, '_' and '@'. Letters include Latin-1's, except the multiplication and division
// signs (215, 247).
bool is_bare_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 223 && c <= 255 && c != 247);
}
bool is_bare_char(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || (c >= 192 && c <= 255 && c != 215 && c != 247);
}

}  // namespace

atom::atom(std::string_view name) : index_(atom_table::instance().intern(name)) {}

atom atom::existing(std::string_view name, bool& found) {
  uint32_t idx = 0;
  found = atom_table::instance().find(name, idx);
  return found ? atom(detail::atom_index_tag{}, idx) : atom();
}

std::string_view atom::name() const noexcept {
  return atom_table::instance().name(index_);
}

uint32_t atom::count() noexcept {
  return atom_table::instance().count();
}

std::strong_ordering operator<=>(atom a, atom b) noexcept {
  if (a.index_ == b.index_) return std::strong_ordering::equal;
  // UTF-8 byte order equals code point order.
  int c = a.name().compare(b.name());
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string to_string(atom a) {
  std::string_view s = a.name();
  std::vector<int32_t> cps;
  for (size_t pos = 0; pos < s.size();) {
    int32_t cp = detail::utf8_decode(s, pos);
    if (cp < 0) {  // names are valid UTF-8; be safe anyway
      cp = static_cast<unsigned char>(s[pos]);
      ++pos;
    }
    cps.push_back(cp);
  }
  bool bare = !cps.empty() && is_bare_start(cps[0]) && !is_reserved_word(s);
  for (size_t i = 1; bare && i < cps.size(); ++i) bare = is_bare_char(cps[i]);
  if (bare) return std::string(s);
  std::string out = "'";
  for (int32_t c : cps) detail::write_escaped_char(c, '\'', out);
  out += '\'';
  return out;
}

}  // namespace otp
