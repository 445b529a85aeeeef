#pragma once
// Stack lanes: where processes' C++ stacks live.
//
// Problem: a process may block anywhere in its call stack, so it needs a real stack; but a
// touched page per blocked process (4 KiB) is too much (BEAM's whole process is 2.6 KiB)
// and one mapping per stack hits vm.max_map_count near 32k processes.
//
// Solution: a few large, guarded stack regions ("lanes", a handful per scheduler). A process
// runs on a lane; when it suspends, its frames stay in place ("resident"). Only when
// another process needs that lane are the resident's used frames — typically a few hundred
// bytes — copied out to a heap buffer ("evacuated"); they are copied back to the same
// addresses before it runs again, so pointers into its stack stay valid. A scheduler holds
// the lanes it uses until it parks or another scheduler asks for one (scheduler.hpp), so a
// process can resume on any scheduler thread that gets its lane: processes are tied to a
// lane's addresses, not to a thread.
//
// Invariants:
//  - The lane lock is held by whoever runs on the lane (a scheduler or a blocking thread).
//  - `resident` (written under the lock) is the process whose frames occupy [fctx, top).
//  - A process's frames are either resident in its lane or saved in its buffer, never both
//    out of date: they are evacuated before anyone else's frames are written to the lane.
//  - Processes that found the lane busy wait on its pending list; whoever releases the lane
//    hands them back to a run queue (release_lane in scheduler.cpp).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace otp::detail {

struct process;

struct lane {
  char* base = nullptr;  // lowest usable address (a guard page lies below)
  size_t size = 0;
  unsigned home = 0;                        // the scheduler that prefers it for new processes
  std::atomic<process*> resident{nullptr};  // written under the lock; read racily as a hint
  // The scheduler holding the lane (-1: none, or a blocking thread). Only the holder writes
  // its own index here, so `holder == me` is a safe lock-free test of "I hold it".
  std::atomic<int> holder{-1};

  char* top() const noexcept { return base + size; }

  // Lock and pending list share one word: bit 0 is "busy", the rest is the head of the
  // list of processes waiting for the lane (linked through process::next_run). So the
  // common release is a single CAS, and a process can never be left waiting on a free lane.
  bool try_lock() noexcept {
    uintptr_t s = state_.load(std::memory_order_relaxed);
    return s == 0 && state_.compare_exchange_strong(s, busy_bit, std::memory_order_acquire,
                                                    std::memory_order_relaxed);
  }
  // Queues p for the lane if it is busy; returns false (and queues nothing) if it is free.
  bool wait_for(process* p) noexcept;
  // Releases the lane, or (keeping it locked) hands back the processes waiting for it:
  // returns that list, and the caller requeues them and calls release() again.
  process* release() noexcept;
  // Someone is queued on the pending list.
  bool has_waiters() const noexcept { return state_.load(std::memory_order_acquire) > busy_bit; }

 private:
  static constexpr uintptr_t busy_bit = 1;
  std::atomic<uintptr_t> state_{0};
};

// All lanes of a node, carved from one mapping with a guard page under each lane.
class lane_set {
 public:
  lane_set(unsigned schedulers, unsigned per_scheduler, size_t stack_size);
  ~lane_set();
  lane_set(const lane_set&) = delete;
  lane_set& operator=(const lane_set&) = delete;

  size_t count() const noexcept { return count_; }
  lane& at(size_t i) noexcept { return lanes_[i]; }
  // The lanes scheduler `s` uses first for new processes.
  lane* home_lanes(unsigned s) noexcept { return &lanes_[size_t(s) * per_]; }
  unsigned per_scheduler() const noexcept { return per_; }

 private:
  std::unique_ptr<lane[]> lanes_;
  size_t count_;
  unsigned per_;
  char* mapping_ = nullptr;
  size_t mapping_size_ = 0;
};

// Copies the resident's used frames into its buffer and empties the lane.
// REQUIRES: l.busy held by the caller; l.resident suspended.
void evacuate(lane& l);
// Copies p's saved frames back into its lane. REQUIRES: p->home->busy held; lane empty.
void restore(lane& l, process* p);

}  // namespace otp::detail
