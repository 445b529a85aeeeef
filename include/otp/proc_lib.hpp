#pragma once
/// \file
/// proc_lib: the conventions that make a process OTP-compliant (Erlang's proc_lib).
///
/// - Synchronous start: `proc_lib::start` returns only after the new process called
///   `init_ack`, with its pid or its init error. A process that dies before acknowledging
///   makes start return `{error, Reason}` instead of hanging; a start timeout kills it and
///   returns `{error, timeout}`.
/// - Ancestry: a process started this way knows its parent and ancestors
///   (`proc_lib::parent()`, `proc_lib::ancestors()`), which crash reports show.
/// - Crash reports: when such a process ends because its own code failed (an exception, or
///   `otp::exit` with a reason other than normal, shutdown or {shutdown, _}), a crash report
///   is logged (logger kind `crash_report`). Being killed by an exit signal is not a crash.
///
/// Thread safety: call from processes.

#include <chrono>
#include <optional>
#include <utility>

#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/term.hpp"

namespace otp {

/// How a synchronous start ended: Erlang's `{ok, Pid} | ignore | {error, Reason}`.
class start_result {
 public:
  static start_result ok(const pid& p) { return start_result(kind::ok, p, term()); }
  static start_result ignore() { return start_result(kind::ignore, pid(), term(atoms::ignore)); }
  static start_result error(term reason) {
    return start_result(kind::error, pid(), std::move(reason));
  }

  bool is_ok() const noexcept { return k_ == kind::ok; }
  bool is_ignore() const noexcept { return k_ == kind::ignore; }
  bool is_error() const noexcept { return k_ == kind::error; }
  explicit operator bool() const noexcept { return is_ok(); }
  /// The started process (null unless ok).
  const pid& child() const noexcept { return pid_; }
  /// The error reason (for errors).
  const term& reason() const noexcept { return reason_; }
  /// `{ok, Pid}`, `ignore` or `{error, Reason}`.
  term to_term() const;

 private:
  enum class kind : uint8_t { ok, ignore, error };
  start_result(kind k, pid p, term r) : k_(k), pid_(p), reason_(std::move(r)) {}
  kind k_;
  pid pid_;
  term reason_;
};

namespace proc_lib {

struct start_options {
  /// Link the new process to the caller (start_link) or not (start).
  bool link = true;
  /// How long to wait for init_ack; the process is killed when it does not answer in time.
  std::chrono::milliseconds timeout = otp::infinity;
};

/// The pid that started the calling process (itself when not started by proc_lib).
pid parent();
/// `[Parent, GrandParent, ...]` of the calling process (`[]` when not started by proc_lib).
term ancestors();
/// True for exit reasons that are not crashes: normal, shutdown, {shutdown, _}.
bool is_normal_exit(const term& reason);
/// Logs a crash report for the calling process ending with `reason` (`error_class` is
/// error, exit or throw, as in Erlang's error_info).
void crash_report(const term& reason, atom error_class);

}  // namespace proc_lib

namespace detail {

// Who started a process and how to acknowledge: sent with init_ack.
struct start_ticket {
  pid starter;
  reference tag;
};

struct ack_msg {
  reference tag;
  start_result result;
};

// Parent side of a synchronous start: waits for the child's ack (or its death, or the
// timeout), cleaning up the monitor and, when it failed, any EXIT from the child.
start_result await_start(const pid& child, const reference& monitor_ref, const reference& tag,
                         std::chrono::milliseconds timeout, bool linked);

// Child side: records parent and ancestors for a process started by `starter`.
term ancestry_for_child();
void adopt_ancestry(term data);

// Reports for a process that ended because its own code failed with `error`.
void report_crash(std::exception_ptr error, const term& reason);

}  // namespace detail

namespace proc_lib {

/// Acknowledges a synchronous start (call once, from the started process).
void init_ack(const detail::start_ticket& ticket, start_result result);

/// Starts `body(ticket)` in a new process and waits until it calls init_ack(ticket, ...),
/// or dies, or `opts.timeout` passes. The body's crashes are reported (see file comment).
template <class F>
start_result start(F&& body, start_options opts = {}) {
  reference tag = reference::make();
  detail::start_ticket ticket{self(), tag};
  term ancestry = detail::ancestry_for_child();
  auto wrapped = [fn = std::forward<F>(body), ticket, ancestry]() mutable {
    detail::adopt_ancestry(ancestry);
    try {
      fn(ticket);
    } catch (...) {
      std::exception_ptr e = std::current_exception();
      if (!detail::exiting_by_signal()) {
        term reason = exit_reason_of(e);
        if (!is_normal_exit(reason)) detail::report_crash(e, reason);
      }
      throw;
    }
  };
  auto r = detail::spawn_impl({detail::make_body(std::move(wrapped)), opts.link, true});
  return detail::await_start(r.child, r.monitor, tag, opts.timeout, opts.link);
}

}  // namespace proc_lib
}  // namespace otp
