// Reports as OTP 25's application_controller logs them (checked with erl: a failed start, a
// stop, and a permanent application's top supervisor killed).

#include "app_reports.hpp"

#include "otp/dist.hpp"
#include "otp/logger.hpp"

namespace otp::application::internal {

void report_started(atom app) {
  if (!logger::would_log(logger::level::info)) return;
  logger::report(
      logger::level::info, atom("progress"),
      otp::list(otp::tuple(atom("application"), app), otp::tuple(atom("started_at"), node_name())));
}

void report_exited(atom app, const term& reason, start_type type) {
  if (!logger::would_log(logger::level::notice)) return;
  // OTP logs this at notice with the legacy error_logger tag info_report, which its
  // formatter shows as "INFO REPORT"; here the level's own header shows.
  logger::report(logger::level::notice, atom("std_info"),
                 otp::list(otp::tuple(atom("application"), app), otp::tuple(atom("exited"), reason),
                           otp::tuple(atom("type"), atom(to_string(type)))),
                 {{atom("domain"), otp::list(atom("otp"))}});
}

}  // namespace otp::application::internal
