// rt_edge, an application of the release tests/release builds: it needs rt_core, so it
// starts after it and stops before it; its stop callback logs.
#include "otp/application.hpp"
#include "otp/logger.hpp"
#include "otp/supervisor.hpp"

namespace {

otp::start_result start_edge(const otp::term&) {
  using namespace otp::supervisor;
  return start_link(spec{}, start_options{.name = otp::atom("rt_edge_sup")});
}

}  // namespace

OTP_APPLICATION_MODULE(rt_edge_app, {
                                        .start = start_edge,
                                        .stop = [] { otp::logger::notice("rt_edge: stopped"); },
                                    });
