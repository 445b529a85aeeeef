#pragma once
// Structured reports from behaviours (crash, error, supervisor, progress) go to the logger.

#include "otp/atom.hpp"
#include "otp/term.hpp"

namespace otp::detail {

enum class report_level { error, warning, notice, info };

// Sends `report` (a proplist) of the given kind to the logger.
void log_report(report_level level, atom kind, term report);
bool report_enabled(report_level level);

}  // namespace otp::detail
