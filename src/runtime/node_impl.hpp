#pragma once
// A node's runtime state: schedulers, lanes, process table, names, timers, blocking pool.
// See docs/runtime.md for the process life cycle and the shutdown protocol.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "blocking_pool.hpp"
#include "inject_queue.hpp"
#include "lane.hpp"
#include "otp/node.hpp"
#include "process_table.hpp"
#include "registry.hpp"
#include "remote.hpp"
#include "scheduler.hpp"
#include "timers.hpp"

namespace otp::detail {

class node_impl {
 public:
  explicit node_impl(const node_options& opts);
  ~node_impl();

  void shutdown();

  // ---- processes ----
  // Creates and schedules a process. `parent` (may be null) gets the link/monitor.
  spawn_result spawn(spawn_request req, process* parent,
                     std::shared_ptr<run_state> watch = nullptr);
  // Makes a suspended-and-now-runnable process run again (from any thread).
  void schedule(process* p) noexcept;
  // Queues a new or yielding process (from any thread).
  void schedule_back(process* p) noexcept;
  // Delivers an item to a local pid. On failure (no such process, or it exited) the item
  // is returned to the caller, who still owns it.
  mailbox_item* deliver(uint64_t number, mailbox_item* item) noexcept;
  // Called by a process's final cleanup, on its own stack.
  void process_exited(process* p) noexcept;
  // Sends an item to any pid, local or remote; takes ownership. Returns false when a local
  // target is not alive (the item was dropped, and link/monitor were answered with noproc
  // by the caller's own logic: see send_signal). Remote targets always return true: their
  // failures come back asynchronously (noconnection).
  bool route(process* from, const pid& to, mailbox_item* item) noexcept;
  // Answers an item that cannot reach `to`'s node: links get an exit and monitors a DOWN
  // with reason noconnection, as BEAM does; anything else is dropped.
  void unreachable(const pid& from, const pid& to, mailbox_item* item) noexcept;
  // Aliases: reference -> owning process number, while active.
  void activate_alias(const reference& r, uint64_t number);
  void deactivate_alias(const reference& r);
  // Delivers to the process owning an active alias; drops (and frees) it otherwise.
  void deliver_alias(const reference& r, mailbox_item* item) noexcept;

  // Installs (or removes, with null) the distribution layer.
  void set_remote(remote_router* r) noexcept { remote_.store(r, std::memory_order_release); }
  remote_router* remote() const noexcept { return remote_.load(std::memory_order_acquire); }
  // Keeps the distribution layer alive until shutdown, which ends it once every process has
  // exited (their exit signals still reach other nodes) and before the schedulers stop.
  void adopt_remote(std::unique_ptr<remote_router> r) noexcept { remote_owner_ = std::move(r); }

  // ---- parts ----
  process_table& table() noexcept { return table_; }
  reclaimer& reclaim() noexcept { return reclaimer_; }
  lane_set& lanes() noexcept { return lanes_; }
  registry& names() noexcept { return registry_; }
  timer_service& timers() noexcept { return timers_; }
  blocking_pool& blocking() noexcept { return blocking_; }
  inject_queue& inject() noexcept { return inject_; }
  worker& worker_at(unsigned i) noexcept { return *workers_[i]; }
  unsigned worker_count() const noexcept { return unsigned(workers_.size()); }
  const node_options& options() const noexcept { return opts_; }
  // Live processes (summed from per-scheduler counters).
  size_t live() const noexcept;

  // ---- idle protocol (see scheduler.hpp) ----
  void notify_work() noexcept;
  // A searching worker found work: if it was the last searcher, wake another.
  // `more_work`: the caller saw queued work besides what it took.
  void end_search(bool more_work) noexcept;
  bool register_idle(worker* w);  // returns false if it must not sleep (stop requested)
  // Takes w out of the idle set; returns true if a notifier woke it as a searcher.
  bool unregister_idle(worker* w);
  bool stopping() const noexcept { return stop_workers_.load(std::memory_order_acquire); }
  void wait_idle();
  void note_idle_change();
  std::atomic<unsigned>& searching() noexcept { return searching_; }
  std::atomic<int>& blocking_in_flight() noexcept { return blocking_in_flight_; }

  // The single running node, for calls from outside any process.
  static node_impl* sole();

 private:
  void stop_threads();
  void broadcast_exit(const term& reason);
  bool wait_for_exits(std::chrono::milliseconds timeout);

  node_options opts_;
  process_table table_;
  reclaimer reclaimer_;
  lane_set lanes_;
  registry registry_;
  inject_queue inject_;
  timer_service timers_;
  blocking_pool blocking_;
  std::vector<std::unique_ptr<worker>> workers_;

  std::atomic<int64_t> outside_births_{0};
  std::atomic<remote_router*> remote_{nullptr};
  std::unique_ptr<remote_router> remote_owner_;
  std::mutex alias_mu_;
  std::unordered_map<reference, uint64_t>
      aliases_;  // guarded by alias_mu_  // spawned from non-scheduler threads
  std::mutex exit_mu_;
  std::condition_variable exit_cv_;  // signalled when live_ drops during shutdown

  std::mutex idle_mu_;
  std::condition_variable idle_cv_;  // for wait_idle
  std::vector<worker*> idle_;        // guarded by idle_mu_
  std::atomic<unsigned> num_idle_{0};
  std::atomic<unsigned> searching_{0};
  std::atomic<bool> stop_workers_{false};
  std::atomic<int> blocking_in_flight_{0};
  bool shut_down_ = false;
  std::atomic<bool> shut_down_requested_{false};
  std::mutex outside_spawn_mu_;  // spawns from outside the node vs. shutdown (see spawn())
};

// Shared state between node::run and the process it watches.
struct run_state {  // NOLINT
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  term reason;
  std::exception_ptr error;  // the exception that ended the process, if any
};

}  // namespace otp::detail
