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
// addresses before it runs again, so pointers into its stack stay valid. A lane is locked
// only while something runs on it, so a process can resume on any scheduler thread:
// processes are tied to a lane's addresses, not to a thread.
//
// Invariants:
//  - `busy` is held by whoever runs on the lane (a scheduler or a blocking-work thread).
//  - `resident` (guarded by `busy`) is the process whose frames occupy [fctx, top), or null.
//  - A process's frames are either resident in its lane or saved in its buffer, never both
//    out of date: they are evacuated before anyone else's frames are written to the lane.
//  - `pending` holds processes that found the lane busy; whoever releases the lane hands
//    them back to a run queue (see release in scheduler.cpp).

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
  unsigned home = 0;  // the scheduler that prefers it for new processes
  std::atomic<bool> busy{false};
  std::atomic<process*> resident{nullptr};  // written under busy; read racily as a hint
  std::atomic<process*> pending{nullptr};  // linked through process::next_run

  char* top() const noexcept { return base + size; }
  bool try_lock() noexcept {
    return !busy.load(std::memory_order_relaxed) &&
           !busy.exchange(true, std::memory_order_acquire);
  }
  void push_pending(process* p) noexcept;
  process* take_pending() noexcept { return pending.exchange(nullptr, std::memory_order_acq_rel); }
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
