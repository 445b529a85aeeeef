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
  // Appends a chain linked through next_run (from `head` to `tail`, `n` long).
  void push_chain(process* head, process* tail, size_t n) noexcept {
    lock_guard lk(mu_);
    tail->next_run = nullptr;
    (tail_ ? tail_->next_run : head_) = head;
    tail_ = tail;
    size_.fetch_add(n, std::memory_order_seq_cst);
  }
  // Takes up to `max` processes as a chain linked through next_run.
  process* pop_chain(size_t max) noexcept {
    if (size_.load(std::memory_order_seq_cst) == 0) return nullptr;
    lock_guard lk(mu_);
    process* first = head_;
    process* last = nullptr;
    size_t n = 0;
    for (process* p = head_; p && n < max; p = p->next_run, ++n) last = p;
    if (!first) return nullptr;
    head_ = last->next_run;
    if (!head_) tail_ = nullptr;
    last->next_run = nullptr;
    size_.fetch_sub(n, std::memory_order_seq_cst);
    return first;
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
