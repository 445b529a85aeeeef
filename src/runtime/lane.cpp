// Stack lanes: mapping, guard pages, evacuation and restoration of frames.

#include "lane.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "process.hpp"

#if defined(OTPP_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace otp::detail {
namespace {

size_t page_size() {
  static const size_t p = size_t(sysconf(_SC_PAGESIZE));
  return p;
}

size_t round_up(size_t n, size_t to) {
  return (n + to - 1) / to * to;
}

// Frames may hold ASan redzone poison from whoever used these addresses before.
void clear_poison([[maybe_unused]] const char* from, [[maybe_unused]] size_t n) {
#if defined(OTPP_ASAN)
  __asan_unpoison_memory_region(from, n);
#endif
}

}  // namespace

bool lane::wait_for(process* p) noexcept {
  uintptr_t s = state_.load(std::memory_order_relaxed);
  for (;;) {
    if (!(s & busy_bit)) return false;
    p->next_run = reinterpret_cast<process*>(s & ~busy_bit);
    if (state_.compare_exchange_weak(s, reinterpret_cast<uintptr_t>(p) | busy_bit,
                                     std::memory_order_release, std::memory_order_relaxed))
      return true;
  }
}

process* lane::release() noexcept {
  uintptr_t s = busy_bit;
  if (state_.compare_exchange_strong(s, 0, std::memory_order_release, std::memory_order_relaxed))
    return nullptr;
  // Someone is waiting: take the list, stay locked.
  s = state_.exchange(busy_bit, std::memory_order_acq_rel);
  return reinterpret_cast<process*>(s & ~busy_bit);
}

lane_set::lane_set(unsigned schedulers, unsigned per_scheduler, size_t stack_size)
    : count_(size_t(schedulers) * per_scheduler), per_(per_scheduler) {
  size_t page = page_size();
  size_t usable = round_up(stack_size, page);
  size_t stride = usable + page;  // guard page below each lane
  mapping_size_ = stride * count_;
  void* m = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) throw std::runtime_error("cannot map process stacks");
  mapping_ = static_cast<char*>(m);
  lanes_ = std::make_unique<lane[]>(count_);
  for (size_t i = 0; i < count_; ++i) {
    char* guard = mapping_ + i * stride;
    if (mprotect(guard, page, PROT_NONE) != 0)
      throw std::runtime_error("cannot protect stack guard");
    lanes_[i].base = guard + page;
    lanes_[i].size = usable;
    lanes_[i].home = unsigned(i / per_scheduler);
  }
}

lane_set::~lane_set() {
  if (mapping_) munmap(mapping_, mapping_size_);
}

void evacuate(lane& l) {
  process* r = l.resident.load(std::memory_order_relaxed);
  if (!r) return;
  char* sp = static_cast<char*>(r->fctx);
  size_t used = size_t(l.top() - sp);
  if (used > r->saved_cap) {
    std::free(r->saved);
    r->saved = static_cast<char*>(std::malloc(used));
    if (!r->saved) std::abort();  // cannot save a suspended stack: no safe way on
    r->saved_cap = uint32_t(used);
  }
  clear_poison(sp, used);
  std::memcpy(r->saved, sp, used);
  r->saved_size = uint32_t(used);
  l.resident.store(nullptr, std::memory_order_relaxed);
}

void restore(lane& l, process* p) {
  char* sp = static_cast<char*>(p->fctx);
  clear_poison(sp, p->saved_size);
  std::memcpy(sp, p->saved, p->saved_size);
  // Small buffers are kept for the next evacuation; large ones are returned.
  if (p->saved_cap > 16 * 1024) {
    std::free(p->saved);
    p->saved = nullptr;
    p->saved_cap = 0;
  }
  p->saved_size = 0;
  l.resident.store(p, std::memory_order_relaxed);
}

}  // namespace otp::detail
