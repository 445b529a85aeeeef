#pragma once
// Heap layout of boxed terms. Private to the term subsystem (and its serializers).
//
// Invariants:
//  - A box is immutable after construction; only `refs` changes.
//  - `refs` counts the terms pointing at the box; the box is destroyed when it reaches 0.
//  - Trailing arrays (tuple elements, map entries, bignum limbs, inline binary bytes)
//    start right after the 16-byte header, so they are 8-byte aligned.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "otp/term.hpp"

namespace otp::detail {

// The node allocator (src/runtime/node_pool.cpp), for boxes of at most box_pool_limit bytes.
void* alloc_node(size_t size);
void free_node(void* p, size_t size) noexcept;
inline constexpr size_t box_pool_limit = 256;

__extension__ using u128 = unsigned __int128;  // for bignum arithmetic

enum class box_kind : uint8_t {
  bignum,
  flonum,
  tuple,
  cons,
  binary,
  map,
  pid,
  port,
  reference,
  fun
};

struct alignas(8) box {
  std::atomic<uint32_t> refs{1};
  box_kind kind;
  uint8_t flags = 0;  // bignum: 1 = negative
  uint16_t spare = 0;
  uint32_t count = 0;  // tuple arity, map size, bignum limb count
  uint32_t alloc_size = 0;  // bytes taken from the node allocator; 0: from operator new

  explicit box(box_kind k, uint32_t n = 0) : kind(k), count(n) {}

  template <class T>
  T* trailing() noexcept {
    return reinterpret_cast<T*>(this + 1);
  }
  template <class T>
  const T* trailing() const noexcept {
    return reinterpret_cast<const T*>(this + 1);
  }

  // Wraps a freshly built box (refs == 1) in a term that takes that reference.
  static term adopt(box* b) noexcept { return term(b); }
};
static_assert(sizeof(box) == 16);

struct float_box : box {
  double value;
  explicit float_box(double v) : box(box_kind::flonum), value(v) {}
};

struct cons_box : box {
  term head, tail;
  cons_box(term h, term t) : box(box_kind::cons), head(std::move(h)), tail(std::move(t)) {}
};

struct pid_box : box {
  pid value;
  explicit pid_box(const pid& p) : box(box_kind::pid), value(p) {}
};
struct port_box : box {
  port_id value;
  explicit port_box(const port_id& p) : box(box_kind::port), value(p) {}
};
struct ref_box : box {
  reference value;
  explicit ref_box(const reference& r) : box(box_kind::reference), value(r) {}
};

// Shared byte storage for binaries; sub-binaries point into the same buffer.
struct byte_buffer {
  std::atomic<uint32_t> refs{1};
  size_t size = 0;
  uint8_t* bytes() noexcept { return reinterpret_cast<uint8_t*>(this + 1); }
  static byte_buffer* make(size_t n);
  void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept;
};

// A binary or bitstring: `bits` bits starting at `data`. `buffer` is null when the bytes
// are stored inline after the box (small binaries).
struct binary_box : box {
  byte_buffer* buffer = nullptr;
  const uint8_t* data = nullptr;
  uint64_t bits = 0;
  binary_box() : box(box_kind::binary) {}
  size_t byte_size() const noexcept { return size_t((bits + 7) / 8); }
};

// Allocates a box with `extra` trailing bytes and constructs T in it.
template <class T, class... Args>
T* make_box(size_t extra, Args&&... args) {
  // Small boxes (most tuples, conses, pids of other nodes) come from the thread-cached node
  // allocator: decoding and dropping terms by the million stays off malloc's locks.
  const size_t size = sizeof(T) + extra;
  void* mem = size <= box_pool_limit ? alloc_node(size) : ::operator new(size);
  T* t;
  try {
    t = new (mem) T(std::forward<Args>(args)...);
  } catch (...) {
    if (size <= box_pool_limit) {
      free_node(mem, size);
    } else {
      ::operator delete(mem);
    }
    throw;
  }
  if (size <= box_pool_limit) t->alloc_size = uint32_t(size);
  return t;
}

// Frees a box's memory (after its destructor ran).
inline void free_box_memory(box* b) noexcept {
  if (b->alloc_size) {
    free_node(b, b->alloc_size);
  } else {
    ::operator delete(b);
  }
}

// Destroys a box whose count reached zero, without recursion (releases children iteratively).
void destroy_box(box* b) noexcept;

inline const term* tuple_elems(const box* b) noexcept {
  return b->trailing<term>();
}
inline const std::pair<term, term>* map_entries(const box* b) noexcept {
  return b->trailing<std::pair<term, term>>();
}
inline const uint64_t* bignum_limbs(const box* b) noexcept {
  return b->trailing<uint64_t>();
}

// Erlang's map key order: the term order, except that all integers sort before all floats.
bool map_key_less(const term& a, const term& b) noexcept;

// Builds a bignum box from sign and little-endian 64-bit limbs (normalises; may return a
// small integer when the value fits).
term make_integer(bool negative, const uint64_t* limbs, size_t n);

}  // namespace otp::detail
