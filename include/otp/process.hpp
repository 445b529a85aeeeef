#pragma once
/// \file
/// Processes: spawn, send, links, monitors, exit signals, registered names.
///
/// These free functions act for the calling process (Erlang's BIFs: `self()`, `link/1`...).
/// Functions marked "in a process" throw std::logic_error when called from a thread that
/// is not running an otpp process. `spawn` and `send` also work from other threads while
/// exactly one `otp::node` is running (they then act on that node, with no sender).
///
/// Yield points: `send`, `receive`, `yield`, `sleep` and calls that wait (`blocking`, later
/// `call`) may suspend the process. Only there can an exit signal end it: a kill arriving
/// while the process computes takes effect at its next yield point, by unwinding its stack
/// with `otp::exit_exception`. Keep these calls out of noexcept code and destructors.
///
/// Thread safety: all functions are safe from any process on any scheduler.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "otp/detail/message.hpp"
#include "otp/exit.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp {

namespace detail {

// The body of a spawned process (type-erased callable).
struct process_body {
  virtual ~process_body() = default;
  virtual void run() = 0;
  virtual const char* name() const noexcept = 0;
  uint32_t alloc_size = 0;
};

template <class F>
struct process_body_of final : process_body {
  F fn;
  explicit process_body_of(F&& f) : fn(std::move(f)) {}
  void run() override { fn(); }
  const char* name() const noexcept override { return ops_holder<F>::name(); }
};

struct spawn_request {
  process_body* body = nullptr;
  bool link = false;
  bool monitor = false;
};

struct spawn_result {
  pid child;
  reference monitor;
};

spawn_result spawn_impl(spawn_request req);
void send_item(const pid& to, message_base* m);
void send_named(atom name, message_base* m);
// {Name, Node} ! M: to a name on any node (dropped when the node cannot be reached).
void send_named_remote(atom name, atom node, message_base* m);
void body_deleter(process_body* b) noexcept;

// proc_lib bookkeeping of the calling process: {Parent, Ancestors}, or [] when unset.
void set_proc_lib_data(term data);
term proc_lib_data();
// True while the calling process is being ended by an exit signal (as opposed to failing in
// its own code): behaviours skip terminate callbacks and crash reports then, as OTP does.
bool exiting_by_signal() noexcept;

// Aliases (OTP 24+): a reference other processes (typically on other nodes) can send to
// while it is active. Messages to an inactive alias are dropped, so a late reply to a call
// that gave up never arrives.
void activate_alias(const reference& alias);
void deactivate_alias(const reference& alias);
// Sends to an alias, local or remote; takes ownership of m.
void send_to_alias(const reference& alias, message_base* m);

// For calls: the callee, replying, removes the caller's monitor on itself (true if there
// was one), so the caller can drop its side without a demonitor signal (forget_monitor).
bool drop_watcher(const reference& ref);
void forget_monitor(const reference& ref);

// For calls: replies (messages whose type has msg_category::reply) are kept only while the
// calling process awaits their tag; any other reply is dropped when it arrives.
void await_reply(const reference& tag);
void stop_awaiting_reply();

// For behaviours: asks the runtime to let the calling process wait for its next message or
// signal *without a stack*. The body's run() must return right after this call, holding no
// state on the stack; when something arrives, run() is called again on a fresh stack. An
// idle process costs no stack memory and can resume on any scheduler.
void request_idle();

template <class F, class... Args>
process_body* make_body(F&& f, Args&&... args) {
  auto call = [fn = std::forward<F>(f), ... a = std::forward<Args>(args)]() mutable {
    std::invoke(std::move(fn), std::move(a)...);
  };
  using B = process_body_of<decltype(call)>;
  void* mem = alloc_node(sizeof(B));
  B* b;
  try {
    b = new (mem) B(std::move(call));
  } catch (...) {
    free_node(mem, sizeof(B));
    throw;
  }
  b->alloc_size = uint32_t(sizeof(B));
  return b;
}

// String literals become std::string messages (a char pointer message would dangle).
template <class T>
using message_type_t = std::conditional_t<std::is_convertible_v<T, const char*> &&
                                              !std::is_same_v<std::decay_t<T>, term>,
                                          std::string, std::decay_t<T>>;

}  // namespace detail

/// Starts a process running `f(args...)`; returns at once with its pid. The process ends
/// with reason `normal` when `f` returns.
template <class F, class... Args>
pid spawn(F&& f, Args&&... args) {
  return detail::spawn_impl({detail::make_body(std::forward<F>(f), std::forward<Args>(args)...)})
      .child;
}

/// Like spawn, and links the caller to the new process atomically (in a process).
template <class F, class... Args>
pid spawn_link(F&& f, Args&&... args) {
  return detail::spawn_impl(
             {detail::make_body(std::forward<F>(f), std::forward<Args>(args)...), true})
      .child;
}

/// Like spawn, and monitors the new process atomically (in a process). Returns the pid and
/// the monitor reference.
template <class F, class... Args>
std::pair<pid, reference> spawn_monitor(F&& f, Args&&... args) {
  auto r = detail::spawn_impl(
      {detail::make_body(std::forward<F>(f), std::forward<Args>(args)...), false, true});
  return {r.child, r.monitor};
}

/// The calling process's pid (in a process).
pid self();
/// True when the calling thread is running an otpp process.
bool in_process() noexcept;

/// Sends `msg` (moved, never copied or serialized) to `to`. Sending to a dead pid does
/// nothing, as in Erlang. Messages from one process to another arrive in the order sent.
template <class T>
void send(const pid& to, T&& msg) {
  using V = detail::message_type_t<T>;
  detail::send_item(to, detail::make_message<V>(std::forward<T>(msg)));
}

/// Sends to the process registered as `name`; throws bad_term_access (badarg) when no
/// process has that name, like `Name ! Msg` in Erlang.
template <class T>
void send(atom name, T&& msg) {
  using V = detail::message_type_t<T>;
  detail::send_named(name, detail::make_message<V>(std::forward<T>(msg)));
}

/// Sends to `{name, node}` (Erlang's `{Name, Node} ! Msg`): to the process registered as
/// `name` on `node`, this one or another. The message must have a term form to leave the
/// node. Never fails: an unknown name or unreachable node drops it, as in Erlang.
template <class T>
void send(atom name, atom node, T&& msg) {
  using V = detail::message_type_t<T>;
  detail::send_named_remote(name, node, detail::make_message<V>(std::forward<T>(msg)));
}

/// Links the caller and `p` (in a process). Linking to a dead process sends the caller an
/// exit signal `noproc`: when trapping exits that arrives as a message; otherwise the call
/// throws exit_exception(noproc), as Erlang's link/1 raises noproc.
void link(const pid& p);
/// Removes the link, if any. Afterwards the link has no effect on the caller.
void unlink(const pid& p);

/// Monitors `p` (in a process). When it dies (or if it is already dead) the caller gets
/// `{'DOWN', Ref, process, Pid, Reason}` (Reason `noproc` if it was not alive).
reference monitor(const pid& p);
/// Monitors the process registered as `name`; the DOWN message names `{Name, Node}`.
reference monitor(atom name);
/// Monitors the process registered as `name` on `node` (DOWN names `{Name, Node}`; reason
/// `noproc` when nobody has the name, `noconnection` when the node cannot be reached).
reference monitor(atom name, atom node);
/// Removes a monitor. With `flush`, also removes a DOWN for it already in the mailbox.
/// Returns false when the monitor was not active (Erlang's demonitor(R, [info])).
bool demonitor(const reference& ref, bool flush = false);

/// Sends an exit signal to `p` (Erlang's exit/2). `kill` cannot be trapped; `normal` is
/// ignored by processes that do not trap exits (unless sent to oneself).
void exit(const pid& p, const term& reason);
/// Ends the calling process with `reason` (Erlang's exit/1): throws exit_exception.
[[noreturn]] void exit(const term& reason);

/// Sets whether exit signals become `{'EXIT', From, Reason}` messages; returns the old value
/// (Erlang's process_flag(trap_exit, Flag)). In a process.
bool trap_exit(bool on);

/// Registers `name` for `p` (Erlang's register/2). Throws bad_term_access (badarg) when the
/// name is taken, `p` already has a name, or `p` is not alive.
void register_name(atom name, const pid& p);
/// Removes a registered name; throws bad_term_access (badarg) when it is not registered.
void unregister(atom name);
/// The pid registered as `name`, or the null pid.
pid whereis(atom name);
/// All registered names.
std::vector<atom> registered();

/// The live processes of the caller's node, in no particular order (Erlang's processes/0).
/// From a process, or from a thread while exactly one node is running.
std::vector<pid> processes();

/// Lets other processes run (puts the caller at the back of the run queue). For long loops.
void yield();

/// Runs `f` on the blocking-work pool (like BEAM's dirty schedulers) while the calling
/// process waits; other processes keep running on the schedulers. Returns f's result or
/// rethrows its exception. `f` may use the caller's locals: the process's stack stays put.
template <class F>
auto blocking(F&& f) -> std::invoke_result_t<F&>;

/// Is `p` a live local process?
bool is_process_alive(const pid& p);

/// Snapshot of a process, for `sys`, observers and debugging (Erlang's process_info/1).
struct process_info {
  pid self;
  atom status;  // running, runnable, waiting, exiting
  size_t message_queue_len = 0;
  std::vector<pid> links;
  std::vector<std::pair<reference, term>> monitors;  // ref -> pid or {Name, Node}
  std::vector<std::pair<reference, pid>> monitored_by;
  std::optional<atom> registered_name;
  size_t memory = 0;             // bytes: control block, saved stack, queued messages
  std::string current_function;  // the spawned callable's type, or a behaviour's label
  bool trap_exit = false;
  size_t stack_bytes = 0;  // bytes of stack the process holds while suspended
};

/// Information about `p`, or nullopt when it is not alive. The target answers at its next
/// yield point (or at once if it is waiting). In a process.
std::optional<process_info> get_process_info(const pid& p);

/// Sets the label `process_info` reports as current_function (behaviours use it).
void set_process_label(std::string label);

}  // namespace otp

#include "otp/detail/blocking_impl.hpp"
