#pragma once
// The node-wide queue of runnable processes: overflow from local queues and processes
// made runnable by threads that are not schedulers (timers, blocking work, outside code).
// Thread safety: any thread; a mutex guards the list, `size_` allows a lock-free peek.

#include <atomic>
#include <cstddef>

#include "otp/detail/mutex.hpp"
#include "process.hpp"

namespace otp::detail {

class inject_queue {
 public:
  void push(process* p) noexcept {
    lock_guard lk(mu_);
    p->next_run = nullptr;
    (tail_ ? tail_->next_run : head_) = p;
    tail_ = p;
    size_.fetch_add(1, std::memory_order_seq_cst);
  }
  process* pop() noexcept {
    if (size_.load(std::memory_order_seq_cst) == 0) return nullptr;
    lock_guard lk(mu_);
    process* p = head_;
    if (!p) return nullptr;
    head_ = p->next_run;
    if (!head_) tail_ = nullptr;
    p->next_run = nullptr;
    size_.fetch_sub(1, std::memory_order_seq_cst);
    return p;
  }
  bool empty() const noexcept { return size_.load(std::memory_order_seq_cst) == 0; }

 private:
  mutex mu_;
  process* head_ OTPP_GUARDED_BY(mu_) = nullptr;
  process* tail_ OTPP_GUARDED_BY(mu_) = nullptr;
  std::atomic<size_t> size_{0};
};

}  // namespace otp::detail
