#pragma once
// Scheduler threads ("workers"): each runs processes from its own queues, steals from the
// others when idle, and parks when there is nothing to do.
//
// Where a runnable process goes:
//  - woken by a process running on this scheduler: the `lifo` slot, so it runs next on the
//    same thread (talkative pairs stay together; no cross-core wake-up per message);
//  - spawned here, or yielding: the back of the local queue;
//  - woken from any other thread: the node's inject queue, plus an unpark if needed.
// Fairness: the lifo slot is used at most `lifo_limit` times in a row; the inject queue is
// checked every `inject_interval` runs; a process yields after `reduction_budget` sends and
// receives.
//
// Idle protocol (after Tokio's): an idle worker registers as idle, re-checks every queue,
// then sleeps. Whoever adds stealable work wakes one idle worker unless some worker is
// already "searching" for work; a searcher that finds work wakes the next one, so work
// spreads without one futex wake per message.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "lane.hpp"
#include "process_table.hpp"
#include "run_queue.hpp"

namespace otp::detail {

class node_impl;

class worker {
 public:
  worker(node_impl& node, unsigned index);
  void start();
  void join();

  // Run queue entry points (on this worker's thread only).
  void push_woken(process* p);  // into the lifo slot
  void push_local(process* p);  // back of the local queue (overflow to inject)

  unsigned index() const noexcept { return index_; }
  run_queue& local() noexcept { return local_; }
  process_table::number_block& numbers() noexcept { return numbers_; }
  void unpark();
  // Asks this scheduler to give up held lanes that others need (see hold_lane).
  void want_release() noexcept { release_wanted_.store(true, std::memory_order_release); }

  // Processes started and ended on this thread (single writer each; summed for counts).
  alignas(64) std::atomic<int64_t> births{0};
  std::atomic<int64_t> deaths{0};

 private:
  friend class node_impl;
  void loop();
  process* next_process();
  process* steal();
  process* spin_for_work();
  process* take_injected();
  void overflow(process* p);
  void run(process* p);
  void after_switch(process* p, switch_action a);
  lane* pick_fresh_lane();
  bool acquire_lane(process* p);
  void park();
  void hold_lane(lane* l);
  void release_held(size_t i, bool to_inject);
  void release_wanted_lanes();
  void release_all_lanes();

  node_impl& node_;
  unsigned index_;
  std::thread thread_;
  run_queue local_;
  process* lifo_ = nullptr;
  unsigned lifo_streak_ = 0;
  unsigned tick_ = 0;
  unsigned next_lane_ = 0;
  uint64_t rng_;
  bool searching_ = false;        // counted in node_impl::searching_
  bool woken_searching_ = false;  // guarded by the node's idle mutex
  process_table::number_block numbers_;
  // Lanes this scheduler keeps locked between runs, so resuming a process on them costs no
  // atomic operation. Released when another thread asks (release_wanted_), when parking,
  // and lanes of other schedulers' homes whenever asked.
  std::vector<lane*> held_;
  std::atomic<bool> release_wanted_{false};

  std::mutex park_mu_;
  std::condition_variable park_cv_;
  bool notified_ = false;  // guarded by park_mu_

  static constexpr unsigned lifo_limit = 16;
  static constexpr unsigned inject_interval = 61;
};

// Thread context: which node/worker/participant slot this thread is, and which process runs.
struct thread_ctx {
  node_impl* node = nullptr;
  worker* w = nullptr;  // null on non-scheduler threads
  size_t participant = SIZE_MAX;
  process* current = nullptr;
  void (*after_run)() = nullptr;  // see after_run.hpp
};
thread_ctx& tls() noexcept;

// Releases a lane, handing processes that waited for it to a run queue (this scheduler's,
// or the node's when `to_inject` or when not on a scheduler).
void release_lane(lane& l, bool to_inject = false) noexcept;

}  // namespace otp::detail
