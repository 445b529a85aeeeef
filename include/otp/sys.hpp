#pragma once
/// \file
/// sys: the system messages every behaviour process answers (Erlang's sys module).
///
/// | function | what it does |
/// |---|---|
/// | `get_state<S>(ref)` | a copy of the process's state object (type S) |
/// | `replace_state<S>(ref, fn)` | runs `fn(S&)` inside the process |
/// | `get_status(ref)` | pid, behaviour, running/suspended, parent, state as text, debug log |
/// | `suspend(ref)` / `resume(ref)` | a suspended process queues everything but system messages |
/// | `trace(ref, on)` | prints each event (`*DBG* ...`) to stderr |
/// | `log(ref, n)` / `log_get(ref)` | keeps the last n events / returns them |
/// | `statistics(ref, on)` / `get_statistics(ref)` | counts messages in and out |
/// | `change_code(ref, old_vsn, extra)` | calls the behaviour's code_change (process must be
/// suspended) | | `terminate(ref, reason)` | stops the process with `reason` (its terminate
/// callback runs) |
///
/// All are synchronous calls with a timeout (default 5 s) and fail like gen_server::call
/// (`exit_exception({noproc, ...})`, `{timeout, ...}`). Call them from a process.

#include <any>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "otp/detail/sync_call.hpp"
#include "otp/server_ref.hpp"
#include "otp/term.hpp"

namespace otp::sys {

using namespace std::chrono_literals;

struct statistics_data {
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  std::chrono::system_clock::time_point start;
};

struct status {
  pid self;
  std::string behaviour;  // e.g. "gen_server"
  std::string callback;   // the callback type's name
  atom status;            // running or suspended
  pid parent;
  term state;  // the state as a term when it has one, else <<"TypeName">>
  std::vector<std::string> log;
};

}  // namespace otp::sys

namespace otp::detail {

enum class sys_op : uint8_t {
  get_state,
  replace_state,
  get_status,
  suspend,
  resume,
  trace,
  log,
  log_get,
  statistics,
  get_statistics,
  change_code,
  terminate
};

struct system_request {
  static constexpr msg_category otp_category = msg_category::system;
  from caller;
  sys_op op;
  std::any arg;
};

struct system_reply {
  static constexpr msg_category otp_category = msg_category::reply;
  reference tag;
  std::any value;
  bool unmonitored = false;
};

// What a behaviour exposes to sys (implemented by gen_server, supervisor, ...).
class sys_target {
 public:
  virtual std::any sys_state_copy(const std::type_info& want) = 0;  // empty if wrong type
  virtual bool sys_replace_state(std::any& fn) = 0;                 // fn: std::function<void(S&)>
  virtual term sys_state_term() = 0;
  virtual const char* sys_behaviour() const noexcept = 0;
  virtual const char* sys_callback() const noexcept = 0;
  virtual term sys_code_change(const term& old_vsn, const term& extra) = 0;
  virtual void sys_terminate(const term& reason) = 0;  // runs terminate; the process then exits

 protected:
  ~sys_target() = default;
};

// Debugging state, allocated only while some debugging is on (idle servers stay small).
struct sys_debug {
  bool trace = false;
  size_t log_max = 0;
  std::deque<std::string> log;
  std::optional<sys::statistics_data> stats;
  bool empty() const noexcept { return !trace && !log_max && !stats; }
};

// Suspension and debug state every behaviour process keeps.
struct sys_state {
  pid parent;
  std::unique_ptr<sys_debug> debug;
  bool suspended = false;

  // Records an event; `describe` builds its text only when someone is listening.
  template <class F>
  void event(F&& describe, bool incoming) {
    if (!debug) return;
    if (debug->stats) ++(incoming ? debug->stats->messages_in : debug->stats->messages_out);
    if (debug->trace || debug->log_max) record(describe());
  }
  void record(std::string text);
  sys_debug& debugging();  // creates it
  void drop_debug_if_unused();
};

// Answers a system message. Throws exit_exception for `terminate` (after the callback).
void handle_system(sys_target& target, sys_state& st, system_request& req);

// Sends a system request and returns the reply's value (exit_exception on failure).
std::any sys_call(const server_ref& ref, sys_op op, std::any arg,
                  std::chrono::milliseconds timeout);

}  // namespace otp::detail

namespace otp::sys {

template <class S>
S get_state(const server_ref& ref, std::chrono::milliseconds timeout = 5000ms) {
  std::any v = detail::sys_call(ref, detail::sys_op::get_state, std::any(&typeid(S)), timeout);
  if (const S* s = std::any_cast<S>(&v)) return *s;
  throw std::logic_error("sys::get_state: the process's state is not of the requested type");
}

template <class S>
void replace_state(const server_ref& ref, std::function<void(S&)> fn,
                   std::chrono::milliseconds timeout = 5000ms) {
  std::any v =
      detail::sys_call(ref, detail::sys_op::replace_state, std::any(std::move(fn)), timeout);
  if (!std::any_cast<bool>(v))
    throw std::logic_error("sys::replace_state: the process's state is not of the requested type");
}

status get_status(const server_ref& ref, std::chrono::milliseconds timeout = 5000ms);
void suspend(const server_ref& ref, std::chrono::milliseconds timeout = 5000ms);
void resume(const server_ref& ref, std::chrono::milliseconds timeout = 5000ms);
void trace(const server_ref& ref, bool on, std::chrono::milliseconds timeout = 5000ms);
/// Keeps the last `n` events (0 turns logging off).
void log(const server_ref& ref, size_t n, std::chrono::milliseconds timeout = 5000ms);
std::vector<std::string> log_get(const server_ref& ref, std::chrono::milliseconds timeout = 5000ms);
void statistics(const server_ref& ref, bool on, std::chrono::milliseconds timeout = 5000ms);
std::optional<statistics_data> get_statistics(const server_ref& ref,
                                              std::chrono::milliseconds timeout = 5000ms);
/// Calls the behaviour's code_change(old_vsn, extra); returns ok or {error, Reason}.
term change_code(const server_ref& ref, const term& old_vsn, const term& extra,
                 std::chrono::milliseconds timeout = 5000ms);
/// Stops the process with `reason`, running its terminate callback, and waits until it is
/// gone (Erlang's proc_lib:stop). Throws exit_exception if it ends with another reason.
void terminate(const server_ref& ref, const term& reason,
               std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

}  // namespace otp::sys
