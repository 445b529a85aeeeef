// System messages (otp/sys.hpp): the behaviour side and the client functions.

#include "otp/sys.hpp"

#include <cstdio>

#include "otp/process.hpp"
#include "otp/receive.hpp"

namespace otp {
namespace detail {

void sys_state::record(std::string text) {
  if (debug->trace) std::fprintf(stderr, "*DBG* %s %s\n", to_string(self()).c_str(), text.c_str());
  if (debug->log_max) {
    debug->log.push_back(std::move(text));
    while (debug->log.size() > debug->log_max) debug->log.pop_front();
  }
}

sys_debug& sys_state::debugging() {
  if (!debug) debug = std::make_unique<sys_debug>();
  return *debug;
}

void sys_state::drop_debug_if_unused() {
  if (debug && debug->empty()) debug.reset();
}

namespace {

void answer(const system_request& req, std::any value) {
  bool dropped = drop_watcher(req.caller.tag);
  send(req.caller.caller, system_reply{req.caller.tag, std::move(value), dropped});
}

sys::status status_of(sys_target& t, const sys_state& st) {
  sys::status s;
  s.self = self();
  s.behaviour = t.sys_behaviour();
  s.callback = t.sys_callback();
  s.status = st.suspended ? atoms::suspended : atoms::running;
  s.parent = st.parent;
  s.state = t.sys_state_term();
  if (st.debug) s.log.assign(st.debug->log.begin(), st.debug->log.end());
  return s;
}

}  // namespace

void handle_system(sys_target& t, sys_state& st, system_request& req) {
  switch (req.op) {
    case sys_op::get_state: {
      auto* want = std::any_cast<const std::type_info*>(req.arg);
      answer(req, t.sys_state_copy(*want));
      return;
    }
    case sys_op::replace_state:
      answer(req, t.sys_replace_state(req.arg));
      return;
    case sys_op::get_status:
      answer(req, status_of(t, st));
      return;
    case sys_op::suspend:
      st.suspended = true;
      answer(req, true);
      return;
    case sys_op::resume:
      st.suspended = false;
      answer(req, true);
      return;
    case sys_op::trace:
      st.debugging().trace = std::any_cast<bool>(req.arg);
      st.drop_debug_if_unused();
      answer(req, true);
      return;
    case sys_op::log: {
      sys_debug& d = st.debugging();
      d.log_max = std::any_cast<size_t>(req.arg);
      if (!d.log_max) d.log.clear();
      st.drop_debug_if_unused();
      answer(req, true);
      return;
    }
    case sys_op::log_get:
      answer(req, st.debug ? std::vector<std::string>(st.debug->log.begin(), st.debug->log.end())
                           : std::vector<std::string>());
      return;
    case sys_op::statistics:
      if (std::any_cast<bool>(req.arg)) {
        st.debugging().stats = sys::statistics_data{0, 0, std::chrono::system_clock::now()};
      } else if (st.debug) {
        st.debug->stats.reset();
        st.drop_debug_if_unused();
      }
      answer(req, true);
      return;
    case sys_op::get_statistics:
      answer(req, st.debug ? st.debug->stats : std::optional<sys::statistics_data>());
      return;
    case sys_op::change_code: {
      if (!st.suspended) {  // Erlang requires a suspended process
        answer(req, otp::tuple(atoms::error, atom("not_suspended")));
        return;
      }
      auto args = std::any_cast<std::pair<term, term>>(req.arg);
      answer(req, t.sys_code_change(args.first, args.second));
      return;
    }
    case sys_op::terminate: {
      term reason = std::any_cast<term>(req.arg);
      t.sys_terminate(reason);
      throw exit_exception(reason);  // the caller waits for our DOWN
    }
  }
}

std::any sys_call(const server_ref& ref, sys_op op, std::any arg,
                  std::chrono::milliseconds timeout) {
  call_site site{[](const void* r) {
                   return otp::tuple(atom("sys"), atom("call"),
                                     term::list({static_cast<const server_ref*>(r)->to_term()}));
                 },
                 &ref};
  pid to = ref.resolve();
  if (to.is_null()) call_noproc(site);
  reference tag = begin_call(to, site);
  send(to, system_request{from{self(), tag}, op, std::move(arg)});
  item_ptr reply(finish_call(tag, ops_for<system_reply>, to_timeout_ms(timeout), site));
  return std::move(static_cast<message<system_reply>*>(reply.p)->value.value);
}

}  // namespace detail

namespace sys {

status get_status(const server_ref& ref, std::chrono::milliseconds timeout) {
  return std::any_cast<status>(detail::sys_call(ref, detail::sys_op::get_status, {}, timeout));
}

void suspend(const server_ref& ref, std::chrono::milliseconds timeout) {
  detail::sys_call(ref, detail::sys_op::suspend, {}, timeout);
}

void resume(const server_ref& ref, std::chrono::milliseconds timeout) {
  detail::sys_call(ref, detail::sys_op::resume, {}, timeout);
}

void trace(const server_ref& ref, bool on, std::chrono::milliseconds timeout) {
  detail::sys_call(ref, detail::sys_op::trace, on, timeout);
}

void log(const server_ref& ref, size_t n, std::chrono::milliseconds timeout) {
  detail::sys_call(ref, detail::sys_op::log, n, timeout);
}

std::vector<std::string> log_get(const server_ref& ref, std::chrono::milliseconds timeout) {
  return std::any_cast<std::vector<std::string>>(
      detail::sys_call(ref, detail::sys_op::log_get, {}, timeout));
}

void statistics(const server_ref& ref, bool on, std::chrono::milliseconds timeout) {
  detail::sys_call(ref, detail::sys_op::statistics, on, timeout);
}

std::optional<statistics_data> get_statistics(const server_ref& ref,
                                              std::chrono::milliseconds timeout) {
  return std::any_cast<std::optional<statistics_data>>(
      detail::sys_call(ref, detail::sys_op::get_statistics, {}, timeout));
}

term change_code(const server_ref& ref, const term& old_vsn, const term& extra,
                 std::chrono::milliseconds timeout) {
  return std::any_cast<term>(detail::sys_call(ref, detail::sys_op::change_code,
                                              std::pair<term, term>(old_vsn, extra), timeout));
}

void terminate(const server_ref& ref, const term& reason, std::chrono::milliseconds timeout) {
  term where = otp::tuple(atom("sys"), atom("terminate"), term::list({ref.to_term(), reason}));
  pid to = ref.resolve();
  if (to.is_null()) throw exit_exception(term(atoms::noproc));  // as proc_lib:stop/3
  reference mref = monitor(to);
  send(to, detail::system_request{from{self(), mref}, detail::sys_op::terminate, std::any(reason)});
  auto is_down = [&](const down_msg& d) { return d.ref == mref; };
  term why = receive(when(is_down, [](down_msg d) { return d.reason; }), after(timeout, [&] {
                       demonitor(mref, true);
                       return otp::tuple(atoms::timeout, where);
                     }));
  if (why.is_tuple(2) && why[0].is_atom(atoms::timeout) && why[1] == where)
    throw exit_exception(why);
  if (why != reason) throw exit_exception(why);
}

}  // namespace sys
}  // namespace otp
