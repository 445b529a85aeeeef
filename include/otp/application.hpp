#pragma once
/// \file
/// Applications: Erlang's `application` behaviour and application controller for otpp.
/// See docs/applications.md.
///
/// An application is a descriptor in Erlang's `.app` syntax plus C++ code registered under
/// the descriptor's `mod` name:
///
///     %% kv_store.app
///     {application, kv_store,
///      [{description, "key-value store"}, {vsn, "1.0.0"},
///       {applications, [kernel]}, {env, [{max_keys, 1000}]},
///       {mod, {kv_store_app, []}}]}.
///
///     // C++ (in the application's code):
///     OTP_APPLICATION_MODULE(kv_store_app, {
///         .start = [](const otp::term& args) { return otp::supervisor::start_link(...); },
///     });
///
///     // from a process:
///     otp::application::load(otp::application::read_descriptor("kv_store.app"));
///     otp::application::start(otp::atom("kv_store"), otp::application::permanent);
///
/// | Erlang | otpp |
/// |---|---|
/// | `application:load/1`, `unload/1` | `load(descriptor)`, `unload(name)` |
/// | `application:ensure_all_started(App, Type)` | `ensure_all_started(name, type)` |
/// | `application:start(App, Type)` | `start(name, type)` — starts what it needs first |
/// | `application:stop/1` | `stop(name)` |
/// | `which_applications/0`, `loaded_applications/0` | same names |
/// | `get_env/2,3`, `set_env/3`, `unset_env/2`, `get_all_env/1` | same names |
/// | `Module:start/2`, `prep_stop/1`, `stop/1` | `callbacks::start`, `prep_stop`, `stop` |
///
/// Start types (Erlang's): when an application's top supervisor ends,
///  - temporary: it is reported (OTP's "application: A exited: R type: T", notice) and the
///    node goes on;
///  - transient: ending with `normal` is reported and the node goes on; any other reason
///    stops every other application and the node (`otp::init::stop(1)`);
///  - permanent: any ending stops every other application and the node (status 1).
/// `stop(name)` ends an application without those consequences, and so does node shutdown
/// (the controller then stops every application in order, callbacks included).
///
/// A start that fails (a dependency missing or failing, the start callback returning an
/// error or throwing) stops whatever that call started, in reverse order, and returns
/// `{error, Reason}` saying why; Reason shapes are listed in docs/applications.md.
///
/// otpp's own services form the application `kernel` (supervisor kernel_sup with the
/// servers logger, net_kernel when distribution is configured, and the pg scope): always
/// loaded, started first and permanent whoever starts it; `which_applications()` shows it.
///
/// The controller is a process registered as `application_controller` on each node; it
/// starts on first use. Environment reads (`get_env`) do not go through it, so a start
/// callback may read its environment; a start callback must not start or stop other
/// applications (that would wait on the controller, which waits on it).
///
/// Thread safety: every function is called from a process. Registration of callback
/// modules is safe from any thread at any time (usually static initialization). The
/// environment functions and set_kernel_distribution also work from a thread outside any
/// process while exactly one node runs (a release's main applies sys.config that way).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otp/atom.hpp"
#include "otp/config.hpp"
#include "otp/dist.hpp"
#include "otp/proc_lib.hpp"
#include "otp/term.hpp"

namespace otp::application {

enum class start_type : uint8_t { permanent, transient, temporary };
inline constexpr start_type permanent = start_type::permanent;
inline constexpr start_type transient = start_type::transient;
inline constexpr start_type temporary = start_type::temporary;

/// "permanent", "transient", "temporary".
std::string_view to_string(start_type t) noexcept;

/// What a `.app` file says (`man 4erl app`). Keys otpp does not use (modules, registered,
/// maxT, ...) are accepted; unknown keys are an error, as in Erlang's systools.
struct descriptor {
  atom name;
  std::string vsn;
  std::string description;
  /// Applications that must run before this one (kernel is implied).
  std::vector<atom> applications;
  /// Started if present, not required (OTP 24's optional_applications).
  std::vector<atom> optional_applications;
  /// Names this application registers (documentation; not enforced).
  std::vector<atom> registered;
  /// Default environment.
  config::env_list env;
  /// {Module, StartArgs}: the callback module; none for a library application.
  std::optional<std::pair<atom, term>> mod;
};

/// Parses `{application, Name, [Key/Value...]}.`; throws config::config_error naming
/// `file`, the line and what was expected.
descriptor parse_descriptor(std::string_view text, const std::string& file = "<string>");
/// Reads a `.app` file (config_error when it cannot be read or parsed).
descriptor read_descriptor(const std::string& path);
/// The descriptor as a `.app` file's text (parse_descriptor reads it back equal).
std::string format_descriptor(const descriptor& d);

/// An application callback module (Erlang's `-behaviour(application)`).
struct callbacks {
  /// start(normal, StartArgs): starts the application's top supervisor linked to the
  /// caller and returns {ok, Pid}, or an error. Required.
  std::function<start_result(const term& start_args)> start;
  /// Called before the supervision tree is stopped (optional).
  std::function<void()> prep_stop;
  /// Called after the supervision tree has stopped (optional).
  std::function<void()> stop;
};

/// Makes `module` usable as a descriptor's `mod`. Replaces an earlier registration.
void register_module(atom module, callbacks cb);
bool is_module_registered(atom module);

/// Registers a callback module during static initialization (also of a shared object
/// loaded at boot). Use once per module, at namespace scope.
#define OTP_APPLICATION_MODULE(module_name, ...)                                    \
  static const bool otp_application_module_registered_##module_name = [] {          \
    ::otp::application::register_module(::otp::atom(#module_name),                  \
                                        ::otp::application::callbacks __VA_ARGS__); \
    return true;                                                                    \
  }()

/// Loads a descriptor: ok | {error, {already_loaded, Name}}.
term load(descriptor d);
/// ok | {error, {running, Name}} | {error, {not_loaded, Name}}.
term unload(atom name);
/// Starts `name` after every application it needs (and the optional ones that are
/// loaded), those with the same type: ok | {error, Reason}. Already running: ok.
term start(atom name, start_type type = temporary);
/// As start, returning {ok, [Started]} (the applications this call started, in order).
term ensure_all_started(atom name, start_type type = temporary);
/// Stops a running application: prep_stop, its supervision tree, stop.
/// ok | {error, {not_started, Name}}.
term stop(atom name);
/// Stops every running application in reverse start order (init:stop does this).
void stop_all();

struct app_info {
  atom name;
  std::string description;
  std::string vsn;
  start_type type = temporary;  // running applications only
  pid top;                      // the top supervisor; null for library applications
};
/// Running applications, most recently started first (as Erlang lists them).
std::vector<app_info> which_applications();
std::vector<app_info> loaded_applications();

/// The application's environment: set_env beats apply_config, which beats the descriptor's
/// defaults, whatever the order of the calls (a later apply_config of a key replaces an
/// earlier set_env of it). These use a per-node table, not the controller; they may be
/// called before the application is loaded. unload drops defaults and set_env values.
std::optional<term> get_env(atom app, atom key);
term get_env(atom app, atom key, term default_value);
config::env_list get_all_env(atom app);
void set_env(atom app, atom key, term value);
void unset_env(atom app, atom key);
/// Merges configuration (sys.config, vm.args' -App flags) into the environment; values set
/// here win over descriptor defaults even when the descriptor is loaded later.
void apply_config(const config::app_envs& envs);

/// Distribution for node `n`'s kernel: when kernel starts on `n` with options set, its
/// child `net_kernel` calls start_distribution(n, options) (unless `n` is distributed
/// already); kernel's `net_ticktime` (seconds) overrides options.net_ticktime, and a failure
/// fails kernel's start. nullopt: no distribution from kernel (the default). Distribution
/// cannot be stopped: stopping kernel leaves it running until the node shuts down.
/// Call before kernel starts; the setting lives as long as `n`'s application state.
void set_kernel_distribution(otp::node& n, std::optional<otp::dist_options> options);

}  // namespace otp::application
