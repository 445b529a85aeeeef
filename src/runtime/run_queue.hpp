#pragma once
// A scheduler's local run queue: a fixed ring the owner pushes to and pops from (FIFO),
// from which idle schedulers steal half at a time.
//
// Invariants:
//  - Entries [head, tail) are queued; only the owner advances `tail`; owner and thieves
//    advance `head` with a CAS, so each entry is taken exactly once.
//  - Slots are atomics: a thief may read a slot the owner is rewriting, but its CAS on
//    `head` then fails and the value is discarded.
// Thread safety: push/pop by the owner only; steal_into by any other scheduler.

#include <array>
#include <atomic>
#include <cstdint>

namespace otp::detail {

struct process;

class run_queue {
 public:
  static constexpr uint32_t capacity = 256;

  // Owner: false when full (the caller moves work to the global queue).
  bool push(process* p) noexcept {
    uint32_t t = tail_.load(std::memory_order_relaxed);
    uint32_t h = head_.load(std::memory_order_acquire);
    if (t - h >= capacity) return false;
    slots_[t % capacity].store(p, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Owner: oldest entry, or null.
  process* pop() noexcept {
    uint32_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      uint32_t t = tail_.load(std::memory_order_acquire);
      if (h == t) return nullptr;
      process* p = slots_[h % capacity].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        return p;
    }
  }

  // Takes up to half of this queue into `dst` (owned by the caller); returns one of the
  // stolen entries to run, or null.
  process* steal_into(run_queue& dst) noexcept {
    for (;;) {
      uint32_t h = head_.load(std::memory_order_acquire);
      uint32_t t = tail_.load(std::memory_order_acquire);
      uint32_t n = t - h;
      if (n == 0 || n > capacity) return nullptr;
      n = n - n / 2;  // half, rounded up
      process* batch[capacity];
      for (uint32_t i = 0; i < n; ++i)
        batch[i] = slots_[(h + i) % capacity].load(std::memory_order_relaxed);
      if (!head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
        continue;
      for (uint32_t i = 1; i < n; ++i) dst.push(batch[i]);  // dst is empty: cannot overflow
      return batch[0];
    }
  }

  uint32_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  bool empty() const noexcept { return size() == 0; }

 private:
  alignas(64) std::atomic<uint32_t> head_{0};
  alignas(64) std::atomic<uint32_t> tail_{0};
  std::array<std::atomic<process*>, capacity> slots_{};
};

}  // namespace otp::detail
