// The application master.
//
// Protocol (numbered as it happens):
//  1. The controller spawns the master linked to itself; the master traps exits.
//  2. The master calls the start callback, so the top supervisor links to the master (as in
//     Erlang). It reports master_started{top} or master_failed{reason} to the controller;
//     after a failure it exits with the reason, which takes down anything the callback
//     linked to it.
//  3. Then it waits for one of:
//     - master_stop: prep_stop, exit signal `shutdown` to the top supervisor and wait for its
//       EXIT (its children stop in reverse order), stop; end with `normal`.
//     - the top supervisor's EXIT (it ended by itself): prep_stop and stop run (as OTP's
//       master does), then the master ends with the supervisor's reason; the controller
//       sees that reason and applies the start type's consequences.
//     - the controller's EXIT: stop as for master_stop, end with the controller's reason.
//     EXIT from the null pid (node shutdown) is ignored: the controller stops applications
//     in order then, and an application stopping on its own would look like a failure.

#include "master.hpp"

#include <optional>
#include <variant>

#include "otp/logger.hpp"
#include "otp/receive.hpp"

namespace otp::application::internal {
namespace {

const atom a_bad_return("bad_return");

term bad_return(const master_args& a, term what) {
  return otp::tuple(a_bad_return, otp::tuple(start_call(a.module, a.start_args), std::move(what)));
}

// The top supervisor, or why there is none (Erlang's start error shapes).
std::variant<pid, term> run_start(const master_args& a) {
  try {
    start_result r = a.cb.start(a.start_args);
    if (r.is_ok()) return r.child();
    if (r.is_error()) return otp::tuple(r.reason(), start_call(a.module, a.start_args));
    return bad_return(a, term(atoms::ignore));
  } catch (const term& thrown) {  // Erlang's `catch` gives a thrown term as it is
    return bad_return(a, thrown);
  } catch (...) {
    if (detail::exiting_by_signal()) throw;  // killed: the controller sees our EXIT
    return bad_return(a, otp::tuple(atoms::EXIT, exit_reason_of(std::current_exception())));
  }
}

// prep_stop and stop must not take the master down with them: the tree still has to go.
void run_callback(const master_args& a, const char* which, const std::function<void()>& f) {
  if (!f) return;
  try {
    f();
  } catch (...) {
    if (detail::exiting_by_signal()) throw;
    logger::error("application_master: {}:{} of application {} failed: {}", a.module, which, a.app,
                  exit_reason_of(std::current_exception()));
  }
}

void stop_tree(const master_args& a, const pid& top) {
  run_callback(a, "prep_stop", a.cb.prep_stop);
  exit(top, term(atoms::shutdown));
  receive(when([&](const exit_msg& e) { return e.from == top; }, [](const exit_msg&) {}));
  run_callback(a, "stop", a.cb.stop);
}

// Step 3. Returns when the application was stopped on request.
void supervise(const master_args& a, const pid& top) {
  for (;;) {
    bool stopped = receive(
        [&](master_stop) {
          stop_tree(a, top);
          return true;
        },
        [&](const exit_msg& e) {
          if (e.from == top) {
            run_callback(a, "prep_stop", a.cb.prep_stop);
            run_callback(a, "stop", a.cb.stop);
            otp::exit(e.reason);
          }
          if (e.from == a.controller) {
            stop_tree(a, top);
            otp::exit(e.reason);
          }
          return false;  // node shutdown or a stray link: see the file comment
        },
        [](const any_message&) { return false; });
    if (stopped) return;
  }
}

}  // namespace

term start_call(atom module, const term& args) {
  return otp::tuple(module, atom("start"), otp::list(atoms::normal, args));
}

void master_main(master_args a) {
  trap_exit(true);
  set_process_label("application_master " + std::string(a.app.name()));
  std::variant<pid, term> r = run_start(a);
  if (auto* reason = std::get_if<term>(&r)) {
    send(a.controller, master_failed{self(), *reason});
    otp::exit(*reason);
  }
  pid top = std::get<pid>(r);
  // The callback's supervisor is normally linked to us already; linking again costs
  // nothing and makes sure we hear of its end (EXIT noproc if it is gone already).
  link(top);
  send(a.controller, master_started{self(), top});
  supervise(a, top);
}

}  // namespace otp::application::internal
