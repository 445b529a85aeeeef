// The call protocol (detail/sync_call.hpp) and server references.

#include "otp/detail/sync_call.hpp"

#include <stdexcept>
#include <string>

#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/server_ref.hpp"

namespace otp {

pid server_ref::resolve() const {
  if (!by_name_) return pid_;
  if (node_ != atom() && node_ != this_node().name) return otp::pid();
  return whereis(name_);
}

bool server_ref::is_remote() const noexcept {
  if (!by_name_) return !pid_.is_local();
  return node_ != atom() && node_ != this_node().name;
}

namespace detail {

void send_erlang_reply(const from& to, term reply) {
  const term& tag = to.erlang_tag;
  term msg = otp::tuple(tag, std::move(reply));
  if (tag.is_cons() && tag.head().is_atom(atom("alias")) && tag.tail().is_reference()) {
    send_to_alias(tag.tail().as_reference(), make_message<term>(std::move(msg)));
  } else {
    send(to.caller, std::move(msg));
  }
}

namespace {
void send_term_to(const server_ref& ref, term msg) {
  if (ref.by_name()) {
    send(ref.name(), ref.node(), std::move(msg));
  } else {
    send(ref.pid(), std::move(msg));
  }
}
}  // namespace

atom remote_node(const server_ref& ref) { return ref.by_name() ? ref.node() : ref.pid().node(); }

term remote_call(const server_ref& ref, term request, int64_t timeout_ms, const call_site& site) {
  reference mref = ref.by_name() ? monitor(ref.name(), ref.node()) : monitor(ref.pid());
  activate_alias(mref);
  const term tag = term::cons(term(atom("alias")), term(mref));
  send_term_to(ref, otp::tuple(atom("$gen_call"), otp::tuple(self(), tag), std::move(request)));
  auto is_reply = [&](const term& t) { return t.is_tuple(2) && t[0] == tag; };
  auto is_down = [&](const down_msg& d) { return d.ref == mref; };
  auto timeout = timeout_ms < 0 ? otp::infinity : std::chrono::milliseconds(timeout_ms);
  term failure;
  std::optional<term> reply =
      receive(when(is_reply, [](const term& t) -> std::optional<term> { return t[1]; }),
              when(is_down,
                   [&](down_msg d) -> std::optional<term> {
                     // As gen:call: a lost connection is {nodedown, Node}.
                     term why = d.reason.is_atom(atoms::noconnection)
                                    ? otp::tuple(atom("nodedown"), remote_node(ref))
                                    : d.reason;
                     failure = otp::tuple(why, site.where());
                     return std::nullopt;
                   }),
              after(timeout, [&]() -> std::optional<term> {
                failure = otp::tuple(atoms::timeout, site.where());
                return std::nullopt;
              }));
  // A reply that comes later finds the alias inactive and is dropped.
  deactivate_alias(mref);
  demonitor(mref, true);
  if (!reply) throw exit_exception(failure);
  return std::move(*reply);
}

void remote_cast(const server_ref& ref, term msg) {
  send_term_to(ref, otp::tuple(atom("$gen_cast"), std::move(msg)));
}

void call_noproc(const call_site& site) {
  throw exit_exception(otp::tuple(atoms::noproc, site.where()));
}

reference begin_call(const pid& to, const call_site& site) {
  if (to == self()) throw exit_exception(otp::tuple(atom("calling_self"), site.where()));
  reference tag = monitor(to);
  await_reply(tag);
  return tag;
}

message_base* finish_call(const reference& tag, const type_ops* expected, int64_t timeout_ms,
                          const call_site& site) {
  uint64_t id = reply_tag_id(tag);
  auto is_reply = [id](const any_message& m) {
    const message_base* r = m.raw();
    return r->ops->reply_tag && r->ops->reply_tag(r) == id;
  };
  auto is_down = [&](const down_msg& d) { return d.ref == tag; };
  auto timeout = timeout_ms < 0 ? otp::infinity : std::chrono::milliseconds(timeout_ms);
  term failure;  // set when the call failed
  message_base* got = receive(when(is_reply, [](any_message m) { return m.release(); }),
                              when(is_down,
                                   [&](down_msg d) -> message_base* {
                                     failure = otp::tuple(d.reason, site.where());
                                     return nullptr;
                                   }),
                              after(timeout, [&]() -> message_base* {
                                failure = otp::tuple(atoms::timeout, site.where());
                                return nullptr;
                              }));
  stop_awaiting_reply();
  if (got) {
    if (got->ops->reply_unmonitored(got)) {
      forget_monitor(tag);  // the server removed its side when it replied
    } else {
      demonitor(tag, true);
    }
  } else {
    // On DOWN the monitor is gone already; on timeout drop it (and a DOWN, if any).
    demonitor(tag, true);
    throw exit_exception(failure);
  }
  if (got->ops != expected) {
    std::string msg = std::string("otpp: call replied with ") + got->ops->name() + ", expected " +
                      expected->name();
    destroy_item(got);
    throw std::logic_error(msg);
  }
  return got;
}

}  // namespace detail
}  // namespace otp
