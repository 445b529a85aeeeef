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

}  // namespace

std::string to_string(const pid& p) {
  std::string node = p.is_local() ? "0" : std::string(p.node().name());
  return "<" + node + "." + std::to_string(p.id_field()) + "." + std::to_string(p.serial_field()) +
         ">";
}

std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept {
  if (auto c = a.node_ <=> b.node_; c != 0) return c;
  if (auto c = cmp(a.serial_field(), b.serial_field()); c != 0) return c;
  if (auto c = cmp(a.id_field(), b.id_field()); c != 0) return c;
  return cmp(a.creation_, b.creation_);
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
  std::string node = r.node() == atom() ? "0" : std::string(r.node().name());
  return "#Ref<" + node + "." + std::to_string(r.word(2)) + "." + std::to_string(r.word(1)) + "." +
         std::to_string(r.word(0)) + ">";
}

std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept {
  if (auto c = a.node_ <=> b.node_; c != 0) return c;
  for (int i = 2; i >= 0; --i)
    if (auto c = cmp(a.words_[i], b.words_[i]); c != 0) return c;
  return cmp(a.creation_, b.creation_);
}

std::string to_string(const port_id& p) {
  std::string node = p.node() == atom() ? "0" : std::string(p.node().name());
  return "#Port<" + node + "." + std::to_string(p.number()) + ">";
}

std::strong_ordering operator<=>(const port_id& a, const port_id& b) noexcept {
  if (auto c = a.node_ <=> b.node_; c != 0) return c;
  if (auto c = cmp(a.number_, b.number_); c != 0) return c;
  return cmp(a.creation_, b.creation_);
}

}  // namespace otp
