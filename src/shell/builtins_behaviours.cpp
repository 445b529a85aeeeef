// gen_server:call/cast, sys and logger from the shell. Requests travel in Erlang's own
// form ({'$gen_call', {Pid, Tag}, Req}, {'$gen_cast', Msg}), as an erl node would send
// them: a C++ server that lists otp::term in its calls or casts answers them, and replies
// of any type come back as terms.

#include <chrono>

#include "otp/detail/sync_call.hpp"
#include "otp/logger.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/sys.hpp"
#include "shell/builtins.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

using args_t = const std::vector<term>&;
using std::chrono::milliseconds;

const atom gen_server_atom("gen_server");

term where_of(const void* ctx) {
  return *static_cast<const term*>(ctx);
}

// A timeout argument: a non-negative integer of milliseconds or infinity.
milliseconds timeout_arg(const term& t) {
  if (t.is_atom(atoms::infinity)) return otp::infinity;
  std::optional<int64_t> ms = t.try_int64();
  if (!ms || *ms < 0) throw bad_term_access("badarg: not a timeout");
  return milliseconds(*ms);
}

term call(args_t a, output&) {
  term where = otp::tuple(gen_server_atom, atoms::call, term::list(a));
  otp::detail::call_site site{&where_of, &where};
  milliseconds timeout = a.size() == 3 ? timeout_arg(a[2]) : milliseconds(5000);
  server_ref ref = arg_server(a[0]);
  if (!ref.is_remote()) {  // a local name is resolved here, as gen:call does
    pid p = ref.resolve();
    if (p.is_null()) otp::detail::call_noproc(site);
    if (p == self()) throw exit_exception(otp::tuple(atom("calling_self"), where));
    ref = server_ref(p);
  }
  return otp::detail::remote_call(ref, a[1], otp::detail::to_timeout_ms(timeout), site);
}

term cast(args_t a, output&) {
  server_ref ref = arg_server(a[0]);
  if (ref.is_remote()) {
    otp::detail::remote_cast(ref, a[1]);
  } else if (pid p = ref.resolve(); !p.is_null()) {
    send(p, otp::tuple(atom("$gen_cast"), a[1]));
  }
  return term(atoms::ok);  // casts never fail
}

// ---- sys ------------------------------------------------------------------------------

milliseconds sys_timeout(args_t a) {
  return a.size() == 2 ? timeout_arg(a[1]) : milliseconds(5000);
}

term get_state(args_t a, output&) {
  return sys::get_status(arg_server(a[0]), sys_timeout(a)).state;
}

// sys:get_status/1 in the shape a gen_server's has in Erlang:
// {status, Pid, {module, gen_server}, [PDict, SysState, Parent, Debug, Misc]}.
term get_status(args_t a, output&) {
  sys::status s = sys::get_status(arg_server(a[0]), sys_timeout(a));
  std::vector<term> log;
  for (const std::string& line : s.log) log.push_back(term::string(line));
  term logged = term::list(std::move(log));
  std::string kind = s.behaviour == "gen_server" ? "generic server" : s.behaviour;
  std::optional<process_info> info = get_process_info(s.self);
  std::string name =
      info && info->registered_name ? to_string(term(*info->registered_name)) : to_string(s.self);
  term header = otp::tuple(atom("header"), term::string("Status for " + kind + " " + name));
  term data =
      otp::tuple(atom("data"), otp::list(otp::tuple(term::string("Status"), s.status),
                                         otp::tuple(term::string("Parent"), s.parent),
                                         otp::tuple(term::string("Logged events"), logged)));
  term state = otp::tuple(atom("data"), otp::list(otp::tuple(term::string("State"), s.state)));
  term misc = otp::list(header, data, state);
  return otp::tuple(atoms::status, s.self, otp::tuple(atom("module"), atom(s.behaviour)),
                    otp::list(term(), s.status, s.parent, logged, misc));
}

term suspend(args_t a, output&) {
  sys::suspend(arg_server(a[0]), sys_timeout(a));
  return term(atoms::ok);
}

term resume(args_t a, output&) {
  sys::resume(arg_server(a[0]), sys_timeout(a));
  return term(atoms::ok);
}

// ---- logger ---------------------------------------------------------------------------

std::optional<logger::level> level_arg(const term& t) {
  if (!t.is_atom()) return std::nullopt;
  if (t.is_atom(atom("all"))) return logger::level::debug;
  return logger::parse_level(t.as_atom().name());
}

term set_primary_config(args_t a, output&) {
  if (!a[0].is_atom(atom("level")))
    return otp::tuple(atoms::error,
                      otp::tuple(atom("invalid_primary_config"), otp::tuple(a[0], a[1])));
  std::optional<logger::level> l = level_arg(a[1]);
  if (!l) return otp::tuple(atoms::error, otp::tuple(atom("invalid_level"), a[1]));
  logger::set_primary_level(*l);
  return term(atoms::ok);
}

// Only the level is otpp's own; filters are C++ functions with no term form.
term get_primary_config(args_t, output&) {
  std::string_view level = logger::level_name(logger::primary_level());
  return term::map({{term(atom("filter_default")), term(atom("log"))},
                    {term(atom("filters")), term()},
                    {term(atom("level")), term(atom(level))},
                    {term(atom("metadata")), term::map({})}});
}

}  // namespace

void add_behaviour_builtins(table_add add) {
  add(gen_server_atom, atoms::call, 2, call);
  add(gen_server_atom, atoms::call, 3, call);
  add(gen_server_atom, atoms::cast, 2, cast);
  const atom sys("sys");
  for (unsigned arity : {1u, 2u}) {
    add(sys, atom("get_state"), arity, get_state);
    add(sys, atom("get_status"), arity, get_status);
    add(sys, atom("suspend"), arity, suspend);
    add(sys, atom("resume"), arity, resume);
  }
  const atom logger("logger");
  add(logger, atom("set_primary_config"), 2, set_primary_config);
  add(logger, atom("get_primary_config"), 0, get_primary_config);
}

}  // namespace otp::shell::detail
