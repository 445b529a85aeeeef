#pragma once
// The reports the controller logs, with OTP 25's keys.

#include "otp/application.hpp"

namespace otp::application::internal {

/// Progress report (info): `application: App`, `started_at: Node`.
void report_started(atom app);
/// Notice report, OTP's "application: App / exited: Reason / type: Type": every time an
/// application stops running, stopped (reason `stopped`), failed to start, or ended.
void report_exited(atom app, const term& reason, start_type type);

}  // namespace otp::application::internal
