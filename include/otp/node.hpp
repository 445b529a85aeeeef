#pragma once
/// \file
/// `otp::node`: one runtime instance — its schedulers, processes, names, timers.
///
///     otp::node n;                          // one scheduler thread per core
///     int r = n.run([] { return work(); }); // run a process, wait for its result
///
/// Shutdown (`shutdown()` or the destructor) follows numbered steps, documented in
/// docs/runtime.md: every process gets exit signal `shutdown`; those still alive after
/// `shutdown_timeout` are killed; then timers, the blocking pool and the schedulers stop
/// and every thread is joined. Nothing is leaked.
///
/// Thread safety: all member functions may be called from any thread that is not one of
/// this node's schedulers, except `spawn`/`send`/`process_count`, which are safe anywhere.

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "otp/process.hpp"

namespace otp {

struct node_options {
  /// Scheduler threads; 0 means one per core.
  unsigned schedulers = 0;
  /// Threads that run `otp::blocking` work.
  unsigned blocking_threads = 4;
  /// Most processes alive at once (spawn fails with system_limit beyond it). Rounded up to
  /// a power of two.
  size_t max_processes = size_t(1) << 20;
  /// Usable stack size of each stack lane (the deepest a process's stack may grow).
  size_t stack_size = size_t(1) << 20;
  /// Stack lanes per scheduler (see docs/runtime.md: more lanes, fewer stack copies).
  unsigned lanes_per_scheduler = 8;
  /// A clock that moves only by advance_time(), for deterministic tests.
  bool manual_clock = false;
  /// How long shutdown waits for processes to exit after `shutdown` before killing them.
  std::chrono::milliseconds shutdown_timeout{5000};
};

namespace detail {
class node_impl;
struct run_state;
spawn_result spawn_on(node_impl& n, spawn_request req);
void send_on(node_impl& n, const pid& to, message_base* m);
// Spawns a process whose end (with its exit reason) is reported to `state`.
pid spawn_watched(node_impl& n, process_body* body, std::shared_ptr<run_state> state);
std::shared_ptr<run_state> make_run_state();
// Waits for the watched process to end; rethrows how it ended.
void wait_run(run_state& s);
}  // namespace detail

class node {
 public:
  explicit node(node_options opts = {});
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Stops every process and thread (see the file comment). Idempotent.
  void shutdown();

  /// Starts a process from outside any process. Throws std::runtime_error once shutdown
  /// has begun (so does run()).
  template <class F, class... Args>
  pid spawn(F&& f, Args&&... args) {
    return detail::spawn_on(*impl_,
                            {detail::make_body(std::forward<F>(f), std::forward<Args>(args)...)})
        .child;
  }

  /// Sends from outside any process (no sender).
  template <class T>
  void send(const pid& to, T&& msg) {
    using V = detail::message_type_t<T>;
    detail::send_on(*impl_, to, detail::make_message<V>(std::forward<T>(msg)));
  }

  /// Runs `f` in a new process and blocks this (non-scheduler) thread until the process
  /// ends. Returns f's result; rethrows f's exception; throws exit_exception if the process
  /// was killed by an exit signal first.
  template <class F>
  auto run(F&& f) -> std::invoke_result_t<F&>;

  /// Live processes.
  size_t process_count() const noexcept;
  std::vector<pid> processes() const;
  unsigned scheduler_count() const noexcept;

  /// Manual clock only: moves time forward, firing due timers in deadline order.
  void advance_time(std::chrono::milliseconds d);
  /// Milliseconds since the node started (or manual time).
  std::chrono::milliseconds now() const;
  /// Blocks until no process is running or runnable and no blocking job is in flight.
  void wait_idle();

  detail::node_impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<detail::node_impl> impl_;
};

template <class F>
auto node::run(F&& f) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  auto state = detail::make_run_state();
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
  auto* body = detail::make_body([&f, &result] {
    if constexpr (std::is_void_v<R>) {
      (void)result;
      f();
    } else {
      result.emplace(f());
    }
  });
  detail::spawn_watched(*impl_, body, state);
  detail::wait_run(*state);  // rethrows when the process did not end normally
  if constexpr (!std::is_void_v<R>) return std::move(*result);
}

}  // namespace otp
