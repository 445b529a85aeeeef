// application:* as Erlang-callable functions (otp/rpc.hpp), so erl nodes and the otpp shell
// can call them with Erlang's argument and result shapes. Registered once per OS process, on
// the first use of any node's application state, together with the kernel module.

#include <mutex>

#include "kernel_app.hpp"
#include "node_state.hpp"
#include "otp/rpc.hpp"

namespace otp::application::internal {
namespace {

const atom a_application("application");

[[noreturn]] void badarg() {
  throw rpc::error(term(atoms::badarg));
}

atom atom_arg(const std::vector<term>& args, size_t i) {
  if (i >= args.size() || !args[i].is_atom()) badarg();
  return args[i].as_atom();
}

start_type type_arg(const std::vector<term>& args, size_t i) {
  atom t = atom_arg(args, i);
  for (start_type s : {permanent, transient, temporary})
    if (t.name() == to_string(s)) return s;
  badarg();
}

// [{Name, "Description", "Vsn"}], as application:which_applications/0 returns.
term info_list(const std::vector<app_info>& apps) {
  std::vector<term> out;
  for (const app_info& a : apps)
    out.push_back(otp::tuple(a.name, term::string(a.description), term::string(a.vsn)));
  return term::list(std::move(out));
}

term env_list(const config::env_list& env) {
  std::vector<term> out;
  for (const auto& [k, v] : env) out.push_back(otp::tuple(k, v));
  return term::list(std::move(out));
}

void add(const char* fn, unsigned arity, rpc::handler h) {
  rpc::register_function(a_application, atom(fn), arity, std::move(h));
}

void register_rpc_functions() {
  using args_t = const std::vector<term>&;
  add("start", 1, [](args_t a) { return start(atom_arg(a, 0)); });
  add("start", 2, [](args_t a) { return start(atom_arg(a, 0), type_arg(a, 1)); });
  add("ensure_all_started", 1, [](args_t a) { return ensure_all_started(atom_arg(a, 0)); });
  add("ensure_all_started", 2,
      [](args_t a) { return ensure_all_started(atom_arg(a, 0), type_arg(a, 1)); });
  add("stop", 1, [](args_t a) { return stop(atom_arg(a, 0)); });
  add("unload", 1, [](args_t a) { return unload(atom_arg(a, 0)); });
  add("which_applications", 0, [](args_t) { return info_list(which_applications()); });
  add("loaded_applications", 0, [](args_t) { return info_list(loaded_applications()); });
  add("get_env", 2, [](args_t a) {
    std::optional<term> v = get_env(atom_arg(a, 0), atom_arg(a, 1));
    return v ? otp::tuple(atoms::ok, *v) : term(atoms::undefined);
  });
  add("get_env", 3, [](args_t a) {
    if (a.size() != 3) badarg();
    return get_env(atom_arg(a, 0), atom_arg(a, 1), a[2]);
  });
  add("set_env", 3, [](args_t a) {
    if (a.size() != 3) badarg();
    set_env(atom_arg(a, 0), atom_arg(a, 1), a[2]);
    return term(atoms::ok);
  });
  add("unset_env", 2, [](args_t a) {
    unset_env(atom_arg(a, 0), atom_arg(a, 1));
    return term(atoms::ok);
  });
  add("get_all_env", 1, [](args_t a) { return env_list(get_all_env(atom_arg(a, 0))); });
}

}  // namespace

void register_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_kernel_module();
    register_rpc_functions();
  });
}

}  // namespace otp::application::internal
