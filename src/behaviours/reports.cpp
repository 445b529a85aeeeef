// Behaviour reports through otp::logger.

#include "reports.hpp"

#include "otp/logger.hpp"

namespace otp::detail {
namespace {

logger::level to_logger(report_level l) {
  switch (l) {
    case report_level::error:
      return logger::level::error;
    case report_level::warning:
      return logger::level::warning;
    case report_level::notice:
      return logger::level::notice;
    case report_level::info:
      return logger::level::info;
  }
  return logger::level::error;
}

}  // namespace

bool report_enabled(report_level level) {
  return logger::would_log(to_logger(level));
}

void log_report(report_level level, atom kind, term report) {
  if (!report_enabled(level)) return;
  logger::report(to_logger(level), kind, std::move(report));
}

}  // namespace otp::detail
