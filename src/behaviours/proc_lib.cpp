// proc_lib: synchronous start, ancestry and crash reports.

#include "otp/proc_lib.hpp"

#include "reports.hpp"

namespace otp {

term start_result::to_term() const {
  switch (k_) {
    case kind::ok:
      return otp::tuple(atoms::ok, pid_);
    case kind::ignore:
      return term(atoms::ignore);
    case kind::error:
      return otp::tuple(atoms::error, reason_);
  }
  return term();
}

namespace proc_lib {

// proc_lib data is {Parent, Ancestors} (shared by siblings), or {Parent, Ancestors, ForChildren}
// once the process has started children itself (ForChildren is what they all share).
pid parent() {
  term d = detail::proc_lib_data();
  return d.is_tuple() && d.tuple_size() >= 2 ? d[0].as_pid() : self();
}

term ancestors() {
  term d = detail::proc_lib_data();
  return d.is_tuple() && d.tuple_size() >= 2 ? d[1] : term();
}

bool is_normal_exit(const term& reason) {
  return reason.is_atom(atoms::normal) || reason.is_atom(atoms::shutdown) ||
         (reason.is_tuple(2) && reason[0].is_atom(atoms::shutdown));
}

void init_ack(const detail::start_ticket& ticket, start_result result) {
  send(ticket.starter, detail::ack_msg{ticket.tag, std::move(result)});
}

void crash_report(const term& reason, atom error_class) {
  if (!detail::report_enabled(detail::report_level::error)) return;
  auto info = get_process_info(self());
  std::vector<term> links;
  if (info)
    for (const pid& l : info->links) links.emplace_back(l);
  term name = info && info->registered_name ? term(*info->registered_name) : term();
  term report = term::list({
      otp::tuple(atom("initial_call"), term::binary(info ? info->current_function : "")),
      otp::tuple(atom("pid"), self()),
      otp::tuple(atoms::registered_name, name),
      otp::tuple(atom("error_info"), otp::tuple(error_class, reason, term())),
      otp::tuple(atom("ancestors"), ancestors()),
      otp::tuple(atoms::message_queue_len, info ? int64_t(info->message_queue_len) : 0),
      otp::tuple(atoms::links, term::list(std::move(links))),
      otp::tuple(atoms::trap_exit, info ? info->trap_exit : false),
      otp::tuple(atoms::status, atoms::running),
  });
  detail::log_report(detail::report_level::error, atom("crash_report"), std::move(report));
}

}  // namespace proc_lib

namespace detail {

start_result await_start(const pid& child, const reference& monitor_ref, const reference& tag,
                         std::chrono::milliseconds timeout, bool linked) {
  auto flush_exit = [&] {  // a linked child that died leaves an EXIT when we trap exits
    if (linked)
      receive(when([&](const exit_msg& e) { return e.from == child; }, [](exit_msg) {}),
              after(std::chrono::milliseconds(0), [] {}));
  };
  auto is_ack = [&](const ack_msg& a) { return a.tag == tag; };
  auto is_down = [&](const down_msg& d) { return d.ref == monitor_ref; };
  return receive(when(is_ack,
                      [&](ack_msg a) {
                        demonitor(monitor_ref, true);
                        if (!a.result.is_ok()) flush_exit();
                        return std::move(a.result);
                      }),
                 when(is_down,
                      [&](down_msg d) {
                        flush_exit();
                        return start_result::error(d.reason);
                      }),
                 after(timeout, [&] {
                   if (linked) unlink(child);
                   otp::exit(child, atoms::kill);
                   receive(when(is_down, [](down_msg) {}));
                   return start_result::error(term(atoms::timeout));
                 }));
}

term ancestry_for_child() {
  term d = proc_lib_data();
  if (d.is_tuple(3)) return d[2];  // built once, shared by all our children
  term mine = proc_lib::ancestors();
  term for_children = otp::tuple(self(), term::cons(self(), mine.is_list() ? mine : term()));
  set_proc_lib_data(otp::tuple(proc_lib::parent(), mine, for_children));
  return for_children;
}

void adopt_ancestry(term data) {
  set_proc_lib_data(std::move(data));
}

void report_crash(std::exception_ptr error, const term& reason) {
  atom cls = atom("error");
  try {
    std::rethrow_exception(error);
  } catch (const exit_exception&) {
    cls = atom("exit");
  } catch (const term&) {
    cls = atom("throw");
  } catch (...) {
  }
  proc_lib::crash_report(reason, cls);
}

}  // namespace detail
}  // namespace otp
