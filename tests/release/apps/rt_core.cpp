// rt_core, an application of the release tests/release builds: a supervisor with a worker
// that answers term calls. Its callbacks log, so a test can read the stop order in the
// node's log.
#include "otp/application.hpp"
#include "otp/gen_server.hpp"
#include "otp/logger.hpp"
#include "otp/supervisor.hpp"

namespace {

// Answers ping with pong and {echo, X} with X; its state is the greeting from the env.
struct rt_worker {
  using calls = otp::types<otp::term>;
  rt_worker()
      : greeting(otp::application::get_env(otp::atom("rt_core"), otp::atom("greeting"),
                                           otp::term(otp::atom("none")))) {}
  otp::term handle_call(const otp::term& req, const otp::from&) {
    if (req.is_atom(otp::atom("ping"))) return otp::term(otp::atom("pong"));
    if (req.is_tuple(2) && req[0].is_atom(otp::atom("echo"))) return req[1];
    if (req.is_atom(otp::atom("greeting"))) return greeting;
    return otp::tuple(otp::atom("error"), otp::atom("unknown"));
  }
  otp::term to_term() const { return otp::tuple(otp::atom("greeting"), greeting); }
  otp::term greeting;
};

otp::start_result start_core(const otp::term&) {
  using namespace otp::supervisor;
  child_spec w;
  w.id = otp::atom("rt_worker");
  w.start = [] {
    return otp::gen_server::start_link<rt_worker>(
        otp::gen_server::start_options{.name = otp::atom("rt_worker")});
  };
  return start_link(spec{.flags = {.strategy = one_for_one, .intensity = 5}, .children = {w}},
                    start_options{.name = otp::atom("rt_core_sup")});
}

}  // namespace

OTP_APPLICATION_MODULE(rt_core_app,
                       {
                           .start = start_core,
                           .prep_stop = [] { otp::logger::notice("rt_core: prep_stop"); },
                           .stop = [] { otp::logger::notice("rt_core: stopped"); },
                       });
