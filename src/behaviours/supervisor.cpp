// The supervisor: starting, watching, restarting and stopping children.

#include <algorithm>
#include <unordered_map>

#include "otp/timer.hpp"
#include "reports.hpp"
#include "supervisor_server.hpp"

namespace otp::supervisor {
namespace impl {
namespace {

term strategy_name(strategy_type s) {
  switch (s) {
    case strategy_type::one_for_one:
      return atom("one_for_one");
    case strategy_type::one_for_all:
      return atom("one_for_all");
    case strategy_type::rest_for_one:
      return atom("rest_for_one");
    case strategy_type::simple_one_for_one:
      return atom("simple_one_for_one");
  }
  return term();
}

term restart_name(restart_type r) {
  switch (r) {
    case restart_type::permanent:
      return atom("permanent");
    case restart_type::transient:
      return atom("transient");
    case restart_type::temporary:
      return atom("temporary");
  }
  return term();
}

shutdown_spec shutdown_of(const child_spec& c) {
  if (c.shutdown) return *c.shutdown;
  return c.type == child_type::supervisor ? shutdown_spec::infinity()
                                          : shutdown_spec::after(5000ms);
}

term shutdown_name(const child_spec& c) {
  shutdown_spec s = shutdown_of(c);
  switch (s.how) {
    case shutdown_spec::kind::brutal_kill:
      return atom("brutal_kill");
    case shutdown_spec::kind::infinity:
      return atoms::infinity;
    case shutdown_spec::kind::timeout:
      return int64_t(s.timeout.count());
  }
  return term();
}

term error(const char* what) {
  return otp::tuple(atoms::error, atom(what));
}

}  // namespace

supervisor_server::supervisor_server(std::function<std::optional<spec>()> make,
                                     std::optional<atom> name)
    : make_(std::move(make)), name_(name) {}

gen_server::init_result supervisor_server::init() {
  trap_exit(true);
  set_process_label("supervisor");
  std::optional<spec> s = make_();
  make_ = nullptr;
  if (!s) return gen_server::ignore();
  flags_ = s->flags;
  if (dynamic()) {
    if (s->children.size() > 1)
      return gen_server::init_result::stop(
          otp::tuple(atom("bad_start_spec"), atom("one_template_only")));
    if (!s->children.empty()) template_ = std::move(s->children.front());
    return gen_server::ok();
  }
  for (auto& cs : s->children) {
    if (find_by_id(cs.id))
      return gen_server::init_result::stop(otp::tuple(atom("duplicate_child_name"), cs.id));
    term id = cs.id;
    children_.push_back(child{std::move(cs), pid(), false, {}});
    start_result r = start_one(children_.back());
    if (r.is_error()) {
      children_.pop_back();
      stop_all_reverse(0);
      term why =
          otp::tuple(atoms::shutdown, otp::tuple(atom("failed_to_start_child"), id, r.reason()));
      return gen_server::init_result::stop(why);
    }
    if (r.is_ignore() && children_.back().spec.restart == restart_type::temporary)
      children_.pop_back();
  }
  return gen_server::ok();
}

// ---- starting and stopping one child -------------------------------------------------

start_result supervisor_server::start_one(child& c) {
  start_result r = start_result::error(term(atom("no_start_function")));
  try {
    if (c.spec.start_with) {  // a simple_one_for_one child, from the template
      r = c.spec.start_with(c.extra);
    } else if (c.spec.start) {
      r = c.spec.start();
    }
  } catch (const exit_exception& e) {
    r = start_result::error(e.reason());
  } catch (...) {
    r = start_result::error(exit_reason_of(std::current_exception()));
  }
  if (r.is_ok()) {
    c.p = r.child();
    c.restarting = false;
    report_progress(c);
  } else if (r.is_error()) {
    report("start_error", r.reason(), c);
  }
  return r;
}

// Erlang's shutdown procedure: monitor and unlink (an EXIT already queued means it died
// meanwhile), then `shutdown` with a timeout before `kill`, or `kill` at once.
void supervisor_server::stop_one(child& c) {
  if (c.p.is_null()) return;
  pid p = c.p;
  c.p = pid();
  reference ref = monitor(p);
  unlink(p);
  std::optional<term> already =
      receive(when([&](const exit_msg& e) { return e.from == p; },
                   [](exit_msg e) { return std::optional<term>(e.reason); }),
              after(0ms, [] { return std::optional<term>(); }));
  auto wait_down = [&](std::chrono::milliseconds t) {
    return receive(when([&](const down_msg& d) { return d.ref == ref; },
                        [](down_msg d) { return std::optional<term>(d.reason); }),
                   after(t, [] { return std::optional<term>(); }));
  };
  shutdown_spec how = shutdown_of(c.spec);
  term expected(how.how == shutdown_spec::kind::brutal_kill ? atoms::killed : atoms::shutdown);
  std::optional<term> why;
  if (already) {
    why = wait_down(otp::infinity);
    if (why && why->is_atom(atoms::noproc)) why = already;
    expected = *already;  // it died on its own meanwhile: nothing to report
  } else if (how.how == shutdown_spec::kind::brutal_kill) {
    otp::exit(p, atoms::kill);
    why = wait_down(otp::infinity);
  } else {
    otp::exit(p, atoms::shutdown);
    why = wait_down(how.how == shutdown_spec::kind::infinity ? otp::infinity : how.timeout);
    if (!why) {  // did not stop in time
      otp::exit(p, atoms::kill);
      why = wait_down(otp::infinity);
    }
  }
  if (why && *why != expected && !why->is_atom(atoms::noproc)) {
    child copy{c.spec, p, false, {}};
    report("shutdown_error", *why, copy);
  }
}

void supervisor_server::stop_all_reverse(size_t from_index) {
  for (size_t i = children_.size(); i-- > from_index;) stop_one(children_[i]);
}

std::optional<size_t> supervisor_server::find_by_id(const term& id) const {
  for (size_t i = 0; i < children_.size(); ++i)
    if (children_[i].spec.id == id) return i;
  return std::nullopt;
}

std::optional<size_t> supervisor_server::find_by_pid(const pid& p) const {
  for (size_t i = 0; i < children_.size(); ++i)
    if (children_[i].p == p) return i;
  return std::nullopt;
}

// ---- restarts ------------------------------------------------------------------------

gen_server::result supervisor_server::handle_info(const term& t) {
  auto e = exit_msg::from_term(t);
  if (!e) return gen_server::noreply();  // not ours to handle
  return child_exited(e->from, e->reason);
}

gen_server::result supervisor_server::child_exited(const pid& p, const term& reason) {
  auto idx = find_by_pid(p);
  if (!idx) return gen_server::noreply();
  child& c = children_[*idx];
  restart_type rt = c.spec.restart;
  bool abnormal = !proc_lib::is_normal_exit(reason);
  if (rt == restart_type::permanent || abnormal) report("child_terminated", reason, c);
  c.p = pid();
  bool again = rt == restart_type::permanent || (rt == restart_type::transient && abnormal);
  if (!again) {
    if (dynamic() || rt == restart_type::temporary)
      children_.erase(children_.begin() + std::ptrdiff_t(*idx));
    return gen_server::noreply();
  }
  if (!note_restart()) return give_up();
  return restart(*idx);
}

// Records a restart; false when there have been more than `intensity` in `period`.
bool supervisor_server::note_restart() {
  int64_t now = monotonic_time().count();
  restarts_.push_back(now);
  while (!restarts_.empty() && restarts_.front() <= now - flags_.period.count())
    restarts_.pop_front();
  return restarts_.size() <= size_t(std::max(flags_.intensity, 0));
}

gen_server::result supervisor_server::give_up() {
  child none{child_spec{term(atom("supervisor")), nullptr, nullptr}, pid(), false, {}};
  report("shutdown", atom("reached_max_restart_intensity"), none);
  return gen_server::result::stop(term(atoms::shutdown));
}

gen_server::result supervisor_server::restart(size_t index) {
  size_t first = index;
  if (flags_.strategy == strategy_type::one_for_all) first = 0;
  if (flags_.strategy == strategy_type::one_for_all ||
      flags_.strategy == strategy_type::rest_for_one) {
    stop_all_reverse(first);
    // Temporary children stopped by the restart are not started again: they go away.
    for (size_t i = children_.size(); i-- > first;) {
      if (i != index && children_[i].spec.restart == restart_type::temporary) {
        children_.erase(children_.begin() + std::ptrdiff_t(i));
        if (i < index) --index;
      }
    }
    if (flags_.strategy == strategy_type::rest_for_one) first = index;
  }
  size_t last =
      (flags_.strategy == strategy_type::one_for_one || dynamic()) ? index + 1 : children_.size();
  for (size_t i = first; i < last; ++i) {
    child& c = children_[i];
    if (!c.p.is_null()) continue;
    if (start_one(c).is_error()) {
      c.restarting = true;
      send(self(), retry_restart{c.spec.id, pid()});  // tried again, counting as a restart
      return gen_server::noreply();
    }
  }
  return gen_server::noreply();
}

gen_server::result supervisor_server::handle_info(retry_restart r) {
  for (size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].restarting && children_[i].spec.id == r.id) {
      if (!note_restart()) return give_up();
      return restart(i);
    }
  }
  return gen_server::noreply();
}

void supervisor_server::terminate(const term&) {
  if (dynamic()) {
    stop_all_together();
  } else {
    stop_all_reverse(0);
  }
  children_.clear();
}

// Dynamic children stop together, as OTP does: monitor and unlink all, signal all, then
// collect the DOWNs in whatever order they come (linear, however many children).
void supervisor_server::stop_all_together() {
  std::unordered_map<reference, size_t> waiting;
  for (size_t i = 0; i < children_.size(); ++i) {
    child& c = children_[i];
    if (c.p.is_null()) continue;
    waiting.emplace(monitor(c.p), i);
    unlink(c.p);
    bool brutal = shutdown_of(c.spec).how == shutdown_spec::kind::brutal_kill;
    otp::exit(c.p, brutal ? term(atoms::kill) : term(atoms::shutdown));
  }
  shutdown_spec how = template_ ? shutdown_of(*template_) : shutdown_spec::after(5000ms);
  auto deadline = monotonic_time() + (how.how == shutdown_spec::kind::timeout ? how.timeout : 0ms);
  bool killed = how.how == shutdown_spec::kind::brutal_kill;
  while (!waiting.empty()) {
    auto left = how.how == shutdown_spec::kind::infinity || killed
                    ? otp::infinity
                    : std::max(0ms, deadline - monotonic_time());
    auto d = receive(when([&](const down_msg& x) { return waiting.count(x.ref) > 0; },
                          [](down_msg x) { return std::optional<down_msg>(x); }),
                     after(left, [] { return std::optional<down_msg>(); }));
    if (!d) {  // the timeout passed: kill the rest
      for (auto& [ref, i] : waiting) otp::exit(children_[i].p, atoms::kill);
      killed = true;
      continue;
    }
    waiting.erase(d->ref);
  }
  for (auto& c : children_) c.p = pid();
}

// ---- calls ---------------------------------------------------------------------------

std::vector<child_info> supervisor_server::handle_call(which_children_req, const from&) {
  std::vector<child_info> out;
  for (auto it = children_.rbegin(); it != children_.rend(); ++it)  // newest first, as OTP
    out.push_back(
        {dynamic() ? term(atoms::undefined) : it->spec.id, it->p, it->restarting, it->spec.type});
  return out;
}

child_counts supervisor_server::handle_call(count_children_req, const from&) {
  child_counts n;
  n.specs = dynamic() ? (template_ ? 1 : 0) : children_.size();
  for (auto& c : children_) {
    if (!c.p.is_null()) ++n.active;
    (c.spec.type == child_type::supervisor ? n.supervisors : n.workers)++;
  }
  if (dynamic()) n.specs = children_.size() ? 1 : n.specs;
  return n;
}

start_result supervisor_server::handle_call(start_child_req r, const from&) {
  if (dynamic()) {
    if (flags_.max_children && children_.size() >= flags_.max_children)
      return start_result::error(term(atom("max_children")));
    children_.push_back(child{std::move(r.spec), pid(), false, {}});
    start_result res = start_one(children_.back());
    if (!res.is_ok()) children_.pop_back();
    return res;
  }
  if (auto i = find_by_id(r.spec.id)) {
    const child& c = children_[*i];
    return start_result::error(c.p.is_null() ? term(atom("already_present"))
                                             : otp::tuple(atom("already_started"), c.p));
  }
  children_.push_back(child{std::move(r.spec), pid(), false, {}});
  start_result res = start_one(children_.back());
  if (res.is_error() ||
      (res.is_ignore() && children_.back().spec.restart == restart_type::temporary))
    children_.pop_back();
  return res;
}

start_result supervisor_server::handle_call(start_extra_req r, const from&) {
  if (!dynamic() || !template_) return start_result::error(term(atom("not_simple_one_for_one")));
  if (flags_.max_children && children_.size() >= flags_.max_children)
    return start_result::error(term(atom("max_children")));
  children_.push_back(child{*template_, pid(), false, std::move(r.extra)});
  start_result res = start_one(children_.back());
  if (!res.is_ok()) children_.pop_back();
  return res;
}

term supervisor_server::handle_call(terminate_child_req r, const from&) {
  std::optional<size_t> i =
      dynamic() ? (r.id.is_pid() ? find_by_pid(r.id.as_pid()) : std::nullopt) : find_by_id(r.id);
  if (!i) return error("not_found");
  stop_one(children_[*i]);
  if (dynamic() || children_[*i].spec.restart == restart_type::temporary)
    children_.erase(children_.begin() + std::ptrdiff_t(*i));
  return term(atoms::ok);
}

start_result supervisor_server::handle_call(restart_child_req r, const from&) {
  auto i = dynamic() ? std::nullopt : find_by_id(r.id);
  if (!i) return start_result::error(term(atom("not_found")));
  child& c = children_[*i];
  if (!c.p.is_null()) return start_result::error(term(atom("running")));
  if (c.restarting) return start_result::error(term(atom("restarting")));
  return start_one(c);
}

term supervisor_server::handle_call(delete_child_req r, const from&) {
  auto i = dynamic() ? std::nullopt : find_by_id(r.id);
  if (!i) return error("not_found");
  if (!children_[*i].p.is_null()) return error("running");
  if (children_[*i].restarting) return error("restarting");
  children_.erase(children_.begin() + std::ptrdiff_t(*i));
  return term(atoms::ok);
}

// ---- reports -------------------------------------------------------------------------

term supervisor_server::sup_name() const {
  return name_ ? otp::tuple(atom("local"), *name_) : term(self());
}

term supervisor_server::to_term() const {
  std::vector<term> ids;
  for (auto& c : children_)
    ids.push_back(otp::tuple(c.spec.id, c.p.is_null() ? term(atoms::undefined) : term(c.p)));
  return otp::tuple(atom("state"), sup_name(), strategy_name(flags_.strategy),
                    term::list(std::move(ids)));
}

void supervisor_server::report(const char* context, const term& reason, const child& c) {
  if (!otp::detail::report_enabled(otp::detail::report_level::error)) return;
  term offender = term::list({
      otp::tuple(atom("pid"), c.p.is_null() ? term(atoms::undefined) : term(c.p)),
      otp::tuple(atom("id"), c.spec.id),
      otp::tuple(atom("restart_type"), restart_name(c.spec.restart)),
      otp::tuple(atom("shutdown"), shutdown_name(c.spec)),
      otp::tuple(atom("child_type"),
                 atom(c.spec.type == child_type::worker ? "worker" : "supervisor")),
  });
  term rep = term::list(
      {otp::tuple(atom("supervisor"), sup_name()), otp::tuple(atom("errorContext"), atom(context)),
       otp::tuple(atom("reason"), reason), otp::tuple(atom("offender"), offender)});
  otp::detail::log_report(otp::detail::report_level::error, atom("supervisor_report"),
                          std::move(rep));
}

void supervisor_server::report_progress(const child& c) {
  if (!otp::detail::report_enabled(otp::detail::report_level::info)) return;
  term started = term::list({otp::tuple(atom("pid"), c.p), otp::tuple(atom("id"), c.spec.id),
                             otp::tuple(atom("restart_type"), restart_name(c.spec.restart)),
                             otp::tuple(atom("shutdown"), shutdown_name(c.spec))});
  term rep = term::list(
      {otp::tuple(atom("supervisor"), sup_name()), otp::tuple(atom("started"), started)});
  otp::detail::log_report(otp::detail::report_level::info, atom("progress"), std::move(rep));
}

start_result start_with(std::function<std::optional<spec>()> make, start_options opts) {
  gen_server::start_options g{opts.name, otp::infinity};
  return gen_server::start_link<supervisor_server>(g, std::move(make), opts.name);
}

}  // namespace impl

// ---- client API ------------------------------------------------------------------------

using impl::supervisor_server;

child_spec supervisor_child(term id, spec s) {
  child_spec c;
  c.id = std::move(id);
  c.type = child_type::supervisor;
  c.start = [s]() { return start_link(s); };
  return c;
}

start_result start_link(spec s, start_options opts) {
  return impl::start_with([s = std::move(s)]() -> std::optional<spec> { return s; }, opts);
}

std::vector<child_info> which_children(const server_ref& sup) {
  return gen_server::call(sup, supervisor_server::which_children_req{}, otp::infinity);
}

child_counts count_children(const server_ref& sup) {
  return gen_server::call(sup, supervisor_server::count_children_req{}, otp::infinity);
}

start_result start_child(const server_ref& sup, child_spec c) {
  return gen_server::call(sup, supervisor_server::start_child_req{std::move(c)}, otp::infinity);
}

start_result start_child(const server_ref& sup, std::any extra) {
  return gen_server::call(sup, supervisor_server::start_extra_req{std::move(extra)}, otp::infinity);
}

term terminate_child(const server_ref& sup, const term& id_or_pid) {
  return gen_server::call(sup, supervisor_server::terminate_child_req{id_or_pid}, otp::infinity);
}

start_result restart_child(const server_ref& sup, const term& id) {
  return gen_server::call(sup, supervisor_server::restart_child_req{id}, otp::infinity);
}

term delete_child(const server_ref& sup, const term& id) {
  return gen_server::call(sup, supervisor_server::delete_child_req{id}, otp::infinity);
}

}  // namespace otp::supervisor

namespace otp::dynamic_supervisor {

start_result start_link(options opts) {
  supervisor::spec s{{supervisor::strategy_type::simple_one_for_one, opts.intensity, opts.period,
                      opts.max_children},
                     {}};
  return supervisor::start_link(std::move(s), {opts.name});
}

start_result start_child(const server_ref& sup, supervisor::child_spec c) {
  return supervisor::start_child(sup, std::move(c));
}

term terminate_child(const server_ref& sup, const pid& child) {
  return supervisor::terminate_child(sup, term(child));
}

std::vector<supervisor::child_info> which_children(const server_ref& sup) {
  return supervisor::which_children(sup);
}

supervisor::child_counts count_children(const server_ref& sup) {
  return supervisor::count_children(sup);
}

}  // namespace otp::dynamic_supervisor
