// erlang's process built-ins: exit/2, names, links, monitors, process_info, send/2.

#include "otp/process.hpp"
#include "shell/builtins.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

using args_t = const std::vector<term>&;

term pid_list(const std::vector<pid>& ps) {
  std::vector<term> out(ps.begin(), ps.end());
  return term::list(std::move(out));
}

// process_info/1 as a proplist, with otpp's items (current_function is a label, not an MFA).
std::vector<std::pair<atom, term>> info_items(const process_info& i) {
  std::vector<std::pair<atom, term>> items;
  if (i.registered_name) items.emplace_back(atoms::registered_name, *i.registered_name);
  items.emplace_back(atoms::current_function, term::string(i.current_function));
  items.emplace_back(atoms::status, i.status);
  items.emplace_back(atoms::message_queue_len, uint64_t(i.message_queue_len));
  items.emplace_back(atoms::links, pid_list(i.links));
  std::vector<term> monitors;
  for (const auto& [ref, target] : i.monitors)
    monitors.push_back(otp::tuple(atoms::process, target));
  items.emplace_back(atoms::monitors, term::list(std::move(monitors)));
  std::vector<term> by;
  for (const auto& [ref, watcher] : i.monitored_by) by.emplace_back(watcher);
  items.emplace_back(atoms::monitored_by, term::list(std::move(by)));
  items.emplace_back(atoms::trap_exit, i.trap_exit);
  items.emplace_back(atoms::memory, uint64_t(i.memory));
  items.emplace_back(atom("stack_size"), uint64_t(i.stack_bytes));
  return items;
}

term process_info_all(args_t a, output&) {
  std::optional<process_info> i = get_process_info(a[0].as_pid());
  if (!i) return term(atoms::undefined);
  std::vector<term> out;
  for (auto& [k, v] : info_items(*i)) out.push_back(otp::tuple(k, v));
  return term::list(std::move(out));
}

term process_info_item(args_t a, output&) {
  atom want = a[1].as_atom();
  std::optional<process_info> i = get_process_info(a[0].as_pid());
  if (!i) return term(atoms::undefined);
  for (auto& [k, v] : info_items(*i))
    if (k == want) return otp::tuple(k, v);
  if (want == atoms::registered_name) return term();  // erl: [] when it has no name
  throw bad_term_access("badarg: unknown process_info item");
}

term monitor2(args_t a, output&) {
  if (!a[0].is_atom(atoms::process)) throw bad_term_access("badarg");
  const term& t = a[1];
  if (t.is_pid()) return term(monitor(t.as_pid()));
  if (t.is_atom()) return term(monitor(t.as_atom()));
  if (t.is_tuple(2) && t[0].is_atom() && t[1].is_atom())
    return term(monitor(t[0].as_atom(), t[1].as_atom()));
  throw bad_term_access("badarg");
}

term demonitor2(args_t a, output&) {
  bool flush = false, info = false;
  for (const term& o : a[1].list_elements()) {
    if (o.is_atom(atom("flush"))) {
      flush = true;
    } else if (o.is_atom(atoms::info)) {
      info = true;
    } else {
      throw bad_term_access("badarg");
    }
  }
  bool was_active = demonitor(a[0].as_reference(), flush);
  return info ? term(was_active) : term(atoms::true_);
}

term process_flag(args_t a, output&) {
  if (!a[0].is_atom(atoms::trap_exit)) throw bad_term_access("badarg: only trap_exit");
  return term(trap_exit(a[1].as_bool()));
}

term whereis1(args_t a, output&) {
  pid p = whereis(a[0].as_atom());
  return p.is_null() ? term(atoms::undefined) : term(p);
}

term registered0(args_t, output&) {
  std::vector<term> out;
  for (atom n : registered()) out.emplace_back(n);
  return term::list(std::move(out));
}

// erlang:send/2 is `!`.
term send2(args_t a, output&) {
  const term& to = a[0];
  if (to.is_pid()) {
    send(to.as_pid(), a[1]);
  } else if (to.is_atom()) {
    send(to.as_atom(), a[1]);
  } else if (to.is_tuple(2) && to[0].is_atom() && to[1].is_atom()) {
    send(to[0].as_atom(), to[1].as_atom(), a[1]);
  } else {
    throw bad_term_access("badarg");
  }
  return a[1];
}

}  // namespace

void add_process_builtins(table_add add) {
  const atom erlang = names::erlang;
  add(erlang, atom("exit"), 2, [](args_t a, output&) {
    exit(a[0].as_pid(), a[1]);
    return term(atoms::true_);
  });
  add(erlang, atom("whereis"), 1, whereis1);
  add(erlang, atom("register"), 2, [](args_t a, output&) {
    register_name(a[0].as_atom(), a[1].as_pid());
    return term(atoms::true_);
  });
  add(erlang, atom("unregister"), 1, [](args_t a, output&) {
    unregister(a[0].as_atom());
    return term(atoms::true_);
  });
  add(erlang, atom("registered"), 0, registered0);
  add(erlang, atom("is_process_alive"), 1,
      [](args_t a, output&) { return term(is_process_alive(a[0].as_pid())); });
  add(erlang, atom("process_info"), 1, process_info_all);
  add(erlang, atom("process_info"), 2, process_info_item);
  add(erlang, atom("processes"), 0, [](args_t, output&) { return pid_list(processes()); });
  add(erlang, atom("link"), 1, [](args_t a, output&) {
    link(a[0].as_pid());
    return term(atoms::true_);
  });
  add(erlang, atom("unlink"), 1, [](args_t a, output&) {
    unlink(a[0].as_pid());
    return term(atoms::true_);
  });
  add(erlang, atom("monitor"), 2, monitor2);
  add(erlang, atom("demonitor"), 1, [](args_t a, output&) {
    demonitor(a[0].as_reference());
    return term(atoms::true_);
  });
  add(erlang, atom("demonitor"), 2, demonitor2);
  add(erlang, atom("process_flag"), 2, process_flag);
  add(erlang, atom("send"), 2, send2);
}

}  // namespace otp::shell::detail
