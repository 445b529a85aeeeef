// Non-template parts of gen_server: reports, exit-reason shapes, stop.

#include "otp/gen_server.hpp"

#include "reports.hpp"

namespace otp::gen_server {
namespace impl {

void report_termination(const char* server, const term& reason, const char* last_message,
                        const term& state) {
  // Erlang's "** Generic server X terminating" error report.
  term report = term::list({
      otp::tuple(atom("label"), otp::tuple(atom("gen_server"), atom("terminate"))),
      otp::tuple(atom("name"), self()),
      otp::tuple(atom("server"), term::binary(server)),
      otp::tuple(atom("last_message"), term::binary(last_message ? last_message : "")),
      otp::tuple(atom("state"), state),
      otp::tuple(atom("reason"), reason),
  });
  otp::detail::log_report(otp::detail::report_level::error, atom("gen_server_terminate"),
                          std::move(report));
}

void warn_unexpected(const char* server, const any_message& m) {
  term report = term::list({
      otp::tuple(atom("label"), otp::tuple(atom("gen_server"), atom("no_handle_info"))),
      otp::tuple(atom("name"), self()),
      otp::tuple(atom("server"), term::binary(server)),
      otp::tuple(atom("message_type"), term::binary(m.type_name())),
  });
  otp::detail::log_report(otp::detail::report_level::warning, atom("gen_server_unexpected"),
                          std::move(report));
}

bool is_erlang_call(const term& t) {
  return t.is_tuple(3) && t[0].is_atom(atom("$gen_call")) && t[1].is_tuple(2) && t[1][0].is_pid();
}

bool is_erlang_cast(const term& t) { return t.is_tuple(2) && t[0].is_atom(atom("$gen_cast")); }

bool is_erlang_system(const term& t) {
  return t.is_tuple(3) && t[0].is_atom(atom("system")) && t[1].is_tuple(2) && t[1][0].is_pid();
}

from erlang_from(const term& pid_and_tag) { return from{pid_and_tag[0].as_pid(), reference(), pid_and_tag[1]}; }

namespace {

// What erl's sys:get_status expects from a gen_server: {status, Pid, {module, gen_server},
// [PDict, SysState, Parent, Debug, Misc]}.
term erlang_status(otp::detail::sys_target& t, const otp::detail::sys_state& st) {
  term status = st.suspended ? term(atoms::suspended) : term(atoms::running);
  term parent = st.parent.is_null() ? term(self()) : term(st.parent);
  // As OTP: the registered name when there is one, else the pid (here: the C++ type).
  std::string who = t.sys_callback();
  if (auto info = get_process_info(self()); info && info->registered_name)
    who = std::string(info->registered_name->name());
  std::string header = "Status for generic server " + who;
  term misc = term::list({
      otp::tuple(atom("header"), term::string(header)),
      otp::tuple(atom("data"), term::list({otp::tuple(term::string("Status"), status),
                                           otp::tuple(term::string("Parent"), parent),
                                           otp::tuple(term::string("Logged events"), term())})),
      otp::tuple(atom("data"), term::list({otp::tuple(term::string("State"), t.sys_state_term())})),
  });
  return otp::tuple(atoms::status, self(), otp::tuple(atom("module"), atom("gen_server")),
                    term::list({term(), status, parent, term(), misc}));
}

}  // namespace

bool handle_erlang_system(otp::detail::sys_target& t, otp::detail::sys_state& st, const term& msg,
                          term* reason) {
  from f = erlang_from(msg[1]);
  const term& req = msg[2];
  auto answer = [&](term r) { otp::detail::send_erlang_reply(f, std::move(r)); };
  if (req.is_atom(atom("get_state"))) {
    answer(t.sys_state_term());
  } else if (req.is_atom(atom("get_status"))) {
    answer(erlang_status(t, st));
  } else if (req.is_atom(atom("suspend"))) {
    st.suspended = true;
    answer(term(atoms::ok));
  } else if (req.is_atom(atom("resume"))) {
    st.suspended = false;
    answer(term(atoms::ok));
  } else if (req.is_tuple(2) && req[0].is_atom(atom("terminate"))) {
    *reason = req[1];  // proc_lib:stop / sys:terminate: no reply, the caller watches us go
    return true;
  } else if (req.is_tuple(4) && req[0].is_atom(atom("change_code"))) {
    answer(st.suspended ? t.sys_code_change(req[2], req[3]) : otp::tuple(atoms::error, atom("not_suspended")));
  } else if (req.is_tuple(2) && req[0].is_atom(atom("debug"))) {
    answer(term(atoms::ok));  // trace/log/statistics from erl: accepted, not recorded
  } else if (req.is_tuple(2) && req[0].is_atom(atom("replace_state"))) {
    answer(otp::tuple(atoms::error, atom("erlang_fun_in_cpp_process")));
  } else {
    answer(otp::tuple(atoms::error, otp::tuple(atom("unknown_system_msg"), req)));
  }
  return false;
}

term describe_request(const char* type_name) {
  return term::binary(type_name);
}

term call_where(const server_ref& ref, term request) {
  return otp::tuple(atom("gen_server"), atoms::call,
                    term::list({ref.to_term(), std::move(request)}));
}

term call_where(const server_ref& ref, term request, std::chrono::milliseconds timeout) {
  term t = timeout == otp::infinity ? term(atoms::infinity) : term(int64_t(timeout.count()));
  return otp::tuple(atom("gen_server"), atoms::call,
                    term::list({ref.to_term(), std::move(request), t}));
}

void bad_message(const char* what, const any_message& m) {
  throw exit_exception(otp::tuple(atom(what), term::binary(m.type_name())));
}

}  // namespace impl

void stop(const server_ref& ref, const term& reason, std::chrono::milliseconds timeout) {
  sys::terminate(ref, reason, timeout);
}

}  // namespace otp::gen_server
