// The application controller (Erlang's application_controller).
//
// It is a plain process serving gen_server-style calls (ac_request) one at a time, trapping
// exits. While it serves a start or a stop it waits for the masters involved with selective
// receives; other requests and EXITs stay queued until it is done. Requests:
//  - load / unload: the loaded table and the environment's defaults layer;
//  - start / ensure_all_started: plan (start_plan.hpp), then start each application in
//    order; the first failure stops, in reverse order, what this request started;
//  - stop / stop_all: through each master (master.hpp), newest first for stop_all.
// Asynchronous events:
//  - {'EXIT', Master, Reason} of a running application: it ended without stop(); report it,
//    then apply its start type (temporary: nothing; transient: nothing for `normal`;
//    otherwise stop every other application, newest first, and init::stop(1, ...));
//  - {'EXIT', <0.0.0>, _}: the node shuts down: stop every application in order (their
//    prep_stop and stop callbacks run), without start-type consequences, then end.

#include "controller.hpp"

#include <algorithm>

#include "app_reports.hpp"
#include "env.hpp"
#include "master.hpp"
#include "otp/gen_server.hpp"
#include "otp/init.hpp"
#include "otp/logger.hpp"
#include "registry.hpp"
#include "start_plan.hpp"

namespace otp::application::internal {
namespace {

const atom a_kernel("kernel");

term error(term reason) {
  return otp::tuple(atoms::error, std::move(reason));
}

class controller {
 public:
  explicit controller(std::shared_ptr<node_state> s) : s_(std::move(s)) {}

  [[noreturn]] void run() {
    for (;;) {
      receive([this](gen_server::call_msg<ac_request> m) { on_call(m); },
              [this](const exit_msg& e) { on_exit(e); },
              [](const any_message&) {});  // stray messages must not pile up
    }
  }

 private:
  void on_call(gen_server::call_msg<ac_request>& m) {
    ac_request& r = m.request;
    term reply;
    switch (r.what) {
      case ac_request::op::load:
        reply = load(std::move(*r.desc));
        break;
      case ac_request::op::unload:
        reply = unload(r.name);
        break;
      case ac_request::op::start:
      case ac_request::op::ensure_all_started:
        reply = start(r.name, r.type, r.what == ac_request::op::ensure_all_started);
        break;
      case ac_request::op::stop:
        reply = stop(r.name);
        break;
      case ac_request::op::stop_all:
        stop_all();
        reply = term(atoms::ok);
        break;
    }
    gen_server::reply(m.caller, std::move(reply));
  }

  // ---- load / unload ----

  term load(descriptor d) {
    detail::lock_guard lk(s_->mu);
    if (s_->find_loaded(d.name)) return error(otp::tuple(atom("already_loaded"), d.name));
    env_loaded(*s_, d);
    s_->loaded.push_back(std::move(d));
    return term(atoms::ok);
  }

  term unload(atom name) {
    detail::lock_guard lk(s_->mu);
    if (s_->find_running(name)) return error(otp::tuple(atoms::running, name));
    if (!s_->find_loaded(name)) return error(otp::tuple(atom("not_loaded"), name));
    if (name == a_kernel) return error(otp::tuple(atom("not_allowed"), name));  // always loaded
    std::erase_if(s_->loaded, [name](const descriptor& d) { return d.name == name; });
    env_unloaded(*s_, name);
    return term(atoms::ok);
  }

  // ---- start ----

  term start(atom name, start_type type, bool list_started) {
    std::variant<std::vector<descriptor>, term> plan;
    {
      detail::lock_guard lk(s_->mu);
      plan = plan_start(*s_, name);
    }
    if (auto* why = std::get_if<term>(&plan)) return error(*why);
    std::vector<atom> started;
    for (const descriptor& d : std::get<0>(plan)) {
      // kernel is permanent whoever starts it, as in every Erlang boot script.
      start_type t = d.name == a_kernel ? permanent : type;
      if (std::optional<term> why = start_one(d, t)) {
        for (auto it = started.rbegin(); it != started.rend(); ++it) stop(*it);
        return error(otp::tuple(d.name, std::move(*why)));
      }
      started.push_back(d.name);
    }
    if (!list_started) return term(atoms::ok);
    return otp::tuple(atoms::ok, term::list(std::vector<term>(started.begin(), started.end())));
  }

  // Starts one application whose dependencies run: nullopt, or why it failed.
  std::optional<term> start_one(const descriptor& d, start_type type) {
    running_app r{d.name, type, pid(), pid()};
    if (d.mod) {
      std::variant<running_app, term> m = start_master(d, r);
      if (auto* why = std::get_if<term>(&m)) {
        report_exited(d.name, *why, type);
        return std::move(*why);
      }
      r = std::get<running_app>(m);
    }
    {
      detail::lock_guard lk(s_->mu);
      s_->running.push_back(r);
    }
    report_started(d.name);
    return std::nullopt;
  }

  std::variant<running_app, term> start_master(const descriptor& d, running_app r) {
    const auto& [module, args] = *d.mod;
    std::optional<callbacks> cb = find_module(module);
    if (!cb) {  // what Erlang reports for a callback module that does not exist
      term undef = otp::tuple(
          atom("undef"),
          otp::list(otp::tuple(module, atom("start"), otp::list(atoms::normal, args), term())));
      return otp::tuple(atom("bad_return"),
                        otp::tuple(start_call(module, args), otp::tuple(atoms::EXIT, undef)));
    }
    pid m = spawn_link(master_main, master_args{d.name, module, args, std::move(*cb), self()});
    auto mine = [m](const auto& msg) { return msg.master == m; };
    return receive(
        when(mine,
             [&](master_started s) -> std::variant<running_app, term> {
               r.master = m;
               r.top = s.top;
               return r;
             }),
        when(mine,
             [&](master_failed f) -> std::variant<running_app, term> {
               await_exit(m);  // it is gone before start returns: nothing half-started
               return std::move(f.reason);
             }),
        when([m](const exit_msg& e) { return e.from == m; },
             [](exit_msg e) -> std::variant<running_app, term> { return std::move(e.reason); }));
  }

  void await_exit(const pid& p) {
    receive(when([&](const exit_msg& e) { return e.from == p; }, [](const exit_msg&) {}));
  }

  // ---- stop ----

  term stop(atom name) {
    std::optional<running_app> r = take_running(name);
    if (!r) return error(otp::tuple(atom("not_started"), name));
    if (!r->master.is_null()) {
      send(r->master, master_stop{});
      await_exit(r->master);  // whatever its reason: it was asked to stop
    }
    report_exited(name, term(atom("stopped")), r->type);
    return term(atoms::ok);
  }

  void stop_all() {
    for (;;) {
      atom newest;
      {
        detail::lock_guard lk(s_->mu);
        if (s_->running.empty()) return;
        newest = s_->running.back().name;
      }
      stop(newest);
    }
  }

  std::optional<running_app> take_running(atom name) {
    detail::lock_guard lk(s_->mu);
    auto it = std::find_if(s_->running.begin(), s_->running.end(),
                           [name](const running_app& r) { return r.name == name; });
    if (it == s_->running.end()) return std::nullopt;
    running_app r = *it;
    s_->running.erase(it);
    return r;
  }

  std::optional<running_app> take_by_master(const pid& m) {
    detail::lock_guard lk(s_->mu);
    auto it = std::find_if(s_->running.begin(), s_->running.end(),
                           [&](const running_app& r) { return r.master == m; });
    if (it == s_->running.end()) return std::nullopt;
    running_app r = *it;
    s_->running.erase(it);
    return r;
  }

  // ---- an application's end ----

  void on_exit(const exit_msg& e) {
    if (e.from.is_null()) {  // node shutdown (see the file comment)
      node_stopping_ = true;
      stop_all();
      otp::exit(e.reason);
    }
    if (e.from.is_null() || e.from == self()) return;
    std::optional<running_app> r = take_by_master(e.from);
    if (!r) return;  // a master already stopped, or a stray link
    report_exited(r->name, e.reason, r->type);
    if (node_stopping_ || r->type == temporary) return;
    if (r->type == transient && e.reason.is_atom(atoms::normal)) return;
    stop_node(*r, e.reason);
  }

  void stop_node(const running_app& r, const term& reason) {
    logger::error(
        "application_controller: {{application_terminated,{},{}}}: {} application "
        "ended; stopping every application and the node",
        r.name, reason, to_string(r.type));
    stop_all();
    init::stop(1, fmt::format("application {} exited with reason {}", r.name, reason));
  }

  std::shared_ptr<node_state> s_;
  bool node_stopping_ = false;
};

}  // namespace

void run_controller(std::shared_ptr<node_state> s) {
  trap_exit(true);
  set_process_label("application_controller");
  name_controller(self());
  controller(std::move(s)).run();
}

}  // namespace otp::application::internal
