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
