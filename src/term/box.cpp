// Destruction of boxes without recursion, shared byte buffers, and bignum construction.

#include "box.hpp"

#include <vector>

namespace otp::detail {
namespace {

// Drops one reference held by `t`; a box that reaches zero goes onto `pending` instead of
// being destroyed here, so destroying a deep term never recurses.
void drop(term& t, std::vector<box*>& pending) noexcept {
  const box* cb = t.boxed();
  if (!cb) return;
  box* b = const_cast<box*>(cb);
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) pending.push_back(b);
  new (&t) term();  // forget the word without a second release
}

void destroy_shallow(box* b, std::vector<box*>& pending) noexcept {
  switch (b->kind) {
    case box_kind::tuple: {
      term* e = b->trailing<term>();
      for (uint32_t i = 0; i < b->count; ++i) drop(e[i], pending);
      break;
    }
    case box_kind::cons: {
      auto* c = static_cast<cons_box*>(b);
      drop(c->head, pending);
      drop(c->tail, pending);
      c->~cons_box();
      break;
    }
    case box_kind::map: {
      auto* e = b->trailing<std::pair<term, term>>();
      for (uint32_t i = 0; i < b->count; ++i) {
        drop(e[i].first, pending);
        drop(e[i].second, pending);
      }
      break;
    }
    case box_kind::binary: {
      auto* bin = static_cast<binary_box*>(b);
      if (bin->buffer) bin->buffer->release();
      break;
    }
    case box_kind::fun: {
      // Funs keep their environment as a trailing tuple term (see fun support).
      term* env = b->trailing<term>();
      drop(env[0], pending);
      break;
    }
    default:
      break;
  }
  free_box_memory(b);
}

}  // namespace

namespace {

void drain_list(std::vector<box*>& pending) noexcept {
  while (!pending.empty()) {
    box* x = pending.back();
    pending.pop_back();
    destroy_shallow(x, pending);
  }
}

// The per-thread work list. `alive` turns false when the thread's thread-locals are
// destroyed: terms freed after that (static destructors, atexit hooks) use a local list.
struct pending_boxes {
  std::vector<box*> list;
  bool draining = false;
  bool alive = true;
  ~pending_boxes() { alive = false; }
};
thread_local pending_boxes pending;

}  // namespace

void destroy_box(box* b) noexcept {
  if (!pending.alive) {
    std::vector<box*> local{b};
    drain_list(local);
    return;
  }
  pending.list.push_back(b);
  if (pending.draining) return;  // an outer call on this thread drains the list
  pending.draining = true;
  drain_list(pending.list);
  pending.draining = false;
}

byte_buffer* byte_buffer::make(size_t n) {
  void* mem = ::operator new(sizeof(byte_buffer) + n);
  auto* b = new (mem) byte_buffer();
  b->size = n;
  return b;
}

void byte_buffer::release() noexcept {
  if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~byte_buffer();
    ::operator delete(this);
  }
}

term make_integer(bool negative, const uint64_t* limbs, size_t n) {
  while (n > 0 && limbs[n - 1] == 0) --n;
  if (n == 0) return term(0);
  if (n == 1) {
    uint64_t m = limbs[0];
    if (!negative && m <= uint64_t(term::small_max)) return term(int64_t(m));
    if (negative && m <= uint64_t(-term::small_min)) return term(-int64_t(m));
  }
  box* b = make_box<box>(n * sizeof(uint64_t), box_kind::bignum, uint32_t(n));
  b->flags = negative ? 1 : 0;
  auto* out = b->trailing<uint64_t>();
  for (size_t i = 0; i < n; ++i) out[i] = limbs[i];
  return box::adopt(b);
}

}  // namespace otp::detail
