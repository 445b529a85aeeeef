#pragma once
// The node-wide queue of runnable processes: overflow from local queues and processes
// made runnable by threads that are not schedulers (timers, blocking work, outside code).
//
// Overflow travels as batches of pointers, not as a chain through the control blocks: a
// thread taking a batch copies pointers without touching (and cache-missing on) each
// block. Single processes are linked through process::next_run.
// Thread safety: any thread; a mutex guards both lists, `size_` allows a lock-free peek.

#include <atomic>
#include <cstddef>

#include "otp/detail/mutex.hpp"
#include "process.hpp"

namespace otp::detail {

struct process_batch {
  static constexpr size_t capacity = 128;
  process_batch* next = nullptr;
  size_t count = 0;
  process* items[capacity];
};

class inject_queue {
 public:
  void push(process* p) noexcept {
    lock_guard lk(mu_);
    p->next_run = nullptr;
    (tail_ ? tail_->next_run : head_) = p;
    tail_ = p;
    size_.fetch_add(1, std::memory_order_seq_cst);
  }
  // Takes ownership of a batch (allocated with alloc_node).
  void push_batch(process_batch* b) noexcept {
    lock_guard lk(mu_);
    b->next = nullptr;
    (btail_ ? btail_->next : bhead_) = b;
    btail_ = b;
    size_.fetch_add(b->count, std::memory_order_seq_cst);
  }
  // A batch of runnable processes (caller frees it with free_node), or null.
  process_batch* pop_batch() noexcept {
    if (size_.load(std::memory_order_seq_cst) == 0) return nullptr;
    lock_guard lk(mu_);
    process_batch* b = bhead_;
    if (!b) return nullptr;
    bhead_ = b->next;
    if (!bhead_) btail_ = nullptr;
    size_.fetch_sub(b->count, std::memory_order_seq_cst);
    return b;
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

  ~inject_queue() {
    while (process_batch* b = bhead_) {
      bhead_ = b->next;
      free_node(b, sizeof(process_batch));
    }
  }

 private:
  mutex mu_;
  process* head_ OTPP_GUARDED_BY(mu_) = nullptr;
  process* tail_ OTPP_GUARDED_BY(mu_) = nullptr;
  process_batch* bhead_ OTPP_GUARDED_BY(mu_) = nullptr;
  process_batch* btail_ OTPP_GUARDED_BY(mu_) = nullptr;
  std::atomic<size_t> size_{0};
};

}  // namespace otp::detail
