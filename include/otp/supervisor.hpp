#pragma once
/// \file
/// supervisor: starts children, watches them, restarts them (Erlang's supervisor, and
/// Elixir's DynamicSupervisor on top of simple_one_for_one).
///
///     using namespace otp::supervisor;
///     auto sup = start_link(spec{
///         .flags = {.strategy = one_for_one, .intensity = 10, .period = 5s},
///         .children = {worker<cache>("cache", 1000), worker<api>("api", 8080)}});
///
/// | Erlang | otpp |
/// |---|---|
/// | `#{strategy => one_for_one, intensity => 1, period => 5}` | `sup_flags{}` (same defaults) |
/// | child spec `#{id, start, restart, shutdown, type}` | `child_spec` (`worker<S>(id, args...)`
/// builds one for a gen_server) | | `init(Args) -> {ok, {Flags, Children}} \| ignore` |
/// `start_link(spec)`, or a callback type whose `init()` returns `std::optional<spec>` | |
/// `which_children/1`, `count_children/1` | `which_children(sup)`, `count_children(sup)` | |
/// `start_child/2`, `terminate_child/2`, `restart_child/2`, `delete_child/2` | same names | |
/// `simple_one_for_one` + `start_child(Sup, ExtraArgs)` | `.strategy = simple_one_for_one`,
/// `start_child(sup, std::any extra)` |
///
/// Semantics (each tested, and checked against OTP 25 for the restart sequences):
/// children start in order and stop in reverse order; a child that fails to start at
/// supervisor start makes start_link return {error, {shutdown, {failed_to_start_child, Id,
/// Reason}}}; permanent children are always restarted, transient ones unless they exit with
/// normal, shutdown or {shutdown, _}, temporary ones never; one_for_all restarts all,
/// rest_for_one the child and those started after it; more than `intensity` restarts
/// within `period` terminate the supervisor with reason `shutdown`, so its own supervisor
/// decides; shutdown is brutal_kill, a timeout (exit signal `shutdown`, then `kill`) or
/// infinity. Supervisor, progress and crash reports go to the logger.
///
/// Thread safety: client functions are called from processes.

#include <any>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otp/gen_server.hpp"
#include "otp/proc_lib.hpp"
#include "otp/server_ref.hpp"
#include "otp/term.hpp"

namespace otp::supervisor {

using namespace std::chrono_literals;

enum class strategy_type : uint8_t { one_for_one, one_for_all, rest_for_one, simple_one_for_one };
enum class restart_type : uint8_t { permanent, transient, temporary };
enum class child_type : uint8_t { worker, supervisor };

// So specs read as in Erlang: `.strategy = one_for_all`, `.restart = transient`.
inline constexpr strategy_type one_for_one = strategy_type::one_for_one;
inline constexpr strategy_type one_for_all = strategy_type::one_for_all;
inline constexpr strategy_type rest_for_one = strategy_type::rest_for_one;
inline constexpr strategy_type simple_one_for_one = strategy_type::simple_one_for_one;
inline constexpr restart_type permanent = restart_type::permanent;
inline constexpr restart_type transient = restart_type::transient;
inline constexpr restart_type temporary = restart_type::temporary;

/// brutal_kill | Timeout | infinity.
struct shutdown_spec {
  enum class kind : uint8_t { brutal_kill, timeout, infinity };
  kind how = kind::timeout;
  std::chrono::milliseconds timeout{5000};
  static shutdown_spec brutal_kill() { return {kind::brutal_kill, {}}; }
  static shutdown_spec infinity() { return {kind::infinity, {}}; }
  static shutdown_spec after(std::chrono::milliseconds t) { return {kind::timeout, t}; }
};

struct child_spec {
  /// The child's id within its supervisor (any term; usually an atom).
  term id;
  /// Starts the child, linked to the calling process (the supervisor): a start_link.
  std::function<start_result()> start;
  /// For simple_one_for_one templates: starts a child with start_child's extra argument.
  std::function<start_result(const std::any&)> start_with;
  restart_type restart = restart_type::permanent;
  /// Default: 5000 ms for workers, infinity for supervisors (as in Erlang).
  std::optional<shutdown_spec> shutdown;
  child_type type = child_type::worker;
};

struct sup_flags {
  strategy_type strategy = strategy_type::one_for_one;
  int intensity = 1;
  std::chrono::milliseconds period = std::chrono::seconds(5);
  /// simple_one_for_one / dynamic supervisors only: most children at once (0: no limit).
  size_t max_children = 0;
};

struct spec {
  sup_flags flags;
  std::vector<child_spec> children;
};

/// A child spec for gen_server S started with `gen_server::start_link<S>(args...)`.
template <class S, class... Args>
child_spec worker(term id, Args... args) {
  child_spec c;
  c.id = std::move(id);
  c.start = [=]() { return gen_server::start_link<S>(args...); };
  return c;
}

/// A child spec for a nested supervisor.
child_spec supervisor_child(term id, spec s);

struct start_options {
  std::optional<atom> name;
};

/// Starts a supervisor linked to the caller; returns after all children started.
start_result start_link(spec s, start_options opts = {});

/// Starts a supervisor whose children come from `Callback::init()`, which returns
/// `std::optional<spec>` (nullopt: ignore).
template <class Callback, class... Args>
start_result start_link(start_options opts, Args&&... args);

struct child_info {
  term id;    // `undefined` for simple_one_for_one children
  pid child;  // null when not running
  bool restarting = false;
  child_type type = child_type::worker;
};

struct child_counts {
  size_t specs = 0, active = 0, supervisors = 0, workers = 0;
};

std::vector<child_info> which_children(const server_ref& sup);
child_counts count_children(const server_ref& sup);
/// Adds and starts a child: {ok, Pid}, ignore (the spec is kept), or {error, Reason}
/// ({already_started, Pid} / already_present when the id is taken).
start_result start_child(const server_ref& sup, child_spec c);
/// simple_one_for_one: starts a child from the template with `extra`.
start_result start_child(const server_ref& sup, std::any extra);
/// Stops a child by id (its spec stays) or, for simple_one_for_one, by pid.
/// Returns ok or {error, not_found}.
term terminate_child(const server_ref& sup, const term& id_or_pid);
/// Starts a stopped child again: {ok, Pid} or {error, running | restarting | not_found}.
start_result restart_child(const server_ref& sup, const term& id);
/// Removes a stopped child's spec: ok or {error, running | restarting | not_found}.
term delete_child(const server_ref& sup, const term& id);

}  // namespace otp::supervisor

namespace otp::dynamic_supervisor {

/// Elixir's DynamicSupervisor: children are added at run time, each from its own spec,
/// identified by pid. Built on the same supervisor with strategy simple_one_for_one.
struct options {
  int intensity = 3;
  std::chrono::milliseconds period = std::chrono::seconds(5);
  size_t max_children = 0;  // 0: no limit
  std::optional<atom> name;
};

start_result start_link(options opts = {});
/// {ok, Pid}, ignore, or {error, max_children} / the start error.
start_result start_child(const server_ref& sup, supervisor::child_spec c);
/// ok or {error, not_found}.
term terminate_child(const server_ref& sup, const pid& child);
std::vector<supervisor::child_info> which_children(const server_ref& sup);
supervisor::child_counts count_children(const server_ref& sup);

}  // namespace otp::dynamic_supervisor

#include "otp/detail/supervisor_impl.hpp"
