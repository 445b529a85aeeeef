// Translation between the runtime's mailbox items and distribution control messages:
// route/send_named/send_alias (out, any thread) and dispatch (in, distribution thread).

#include "controller.hpp"
#include "otp/logger.hpp"
#include "otp/receive.hpp"
#include "runtime/node_impl.hpp"
#include "runtime/signals.hpp"

namespace otp::dist {

using detail::item_kind;
using detail::make_item;

namespace {

pid sender_of(detail::process* from) {
  return from ? from->self() : pid();
}

// The "your connection drained" wake-up: a C++ type of its own, so that no receive but
// pace's own takes it.
struct dist_drained {
  atom node;
};

// The message's term form, or nullopt (logged) for C++ values that have none.
std::optional<term> message_term(detail::message_base* m) {
  term t;
  if (m->ops->to_term && m->ops->to_term(m, t)) return t;
  logger::warning("dist: a {} cannot leave the node (it has no term form); dropped",
                  m->ops->name());
  return std::nullopt;
}

}  // namespace

pid target_pid(const proc_ref& r, atom node) {
  if (auto* p = std::get_if<pid>(&r)) return *p;
  return pid::remote(node, 0, 0);  // a monitor by name: the node is what matters
}

// ---- out ---------------------------------------------------------------------------

void controller::route(detail::process* from, const pid& to, detail::mailbox_item* item) {
  detail::item_ptr own(item);
  if (to.node() == name_) {  // an old incarnation of this node: nobody there any more
    node_.unreachable(sender_of(from), to, own.release());
    return;
  }
  std::optional<control_message> m;
  switch (item->kind) {
    case item_kind::message: {
      auto t = message_term(static_cast<detail::message_base*>(item));
      if (!t) return;
      if (from) {
        m = ctrl::send_sender{from->self(), to, std::move(*t)};
      } else {
        m = ctrl::send{to, std::move(*t)};
      }
      break;
    }
    case item_kind::exit: {
      auto& e = *static_cast<detail::exit_item*>(item);
      if (e.via_link) {
        m = ctrl::exit{e.from, to, e.reason};
      } else {
        m = ctrl::exit2{e.from, to, e.reason};
      }
      break;
    }
    case item_kind::link:
      m = ctrl::link{static_cast<detail::peer_item*>(item)->from, to};
      break;
    case item_kind::unlink: {
      auto& u = *static_cast<detail::peer_item*>(item);
      m = ctrl::unlink_id{u.id, u.from, to};
      break;
    }
    case item_kind::unlink_ack: {
      auto& u = *static_cast<detail::peer_item*>(item);
      m = ctrl::unlink_id_ack{u.id, u.from, to};
      break;
    }
    case item_kind::monitor: {
      auto& mi = *static_cast<detail::monitor_item*>(item);
      m = ctrl::monitor_p{mi.from, to, mi.ref};
      break;
    }
    case item_kind::demonitor: {  // `to` is filled in from the bookkeeping for names
      auto& mi = *static_cast<detail::monitor_item*>(item);
      m = ctrl::demonitor_p{mi.from, to, mi.ref};
      break;
    }
    case item_kind::down: {  // `from` becomes the name for monitors made by name
      auto& d = *static_cast<detail::down_item*>(item);
      m = ctrl::monitor_p_exit{d.from, to, d.ref, d.reason};
      break;
    }
    case item_kind::info_request:  // process_info is local only
    case item_kind::timeout:
    case item_kind::wake:
      return;
  }
  // Signals about a link or monitor that can only exist on a live connection (demonitor, a
  // monitor's DOWN, a link's EXIT, unlink and its ack) never set one up, as in BEAM: when
  // the connection is gone, the link or monitor went with it (noconnection on both sides).
  const bool needs_existing =
      item->kind == item_kind::demonitor || item->kind == item_kind::down ||
      item->kind == item_kind::unlink || item->kind == item_kind::unlink_ack ||
      (item->kind == item_kind::exit && static_cast<detail::exit_item*>(item)->via_link);
  std::shared_ptr<connection> c = needs_existing ? existing(to.node()) : connect(to.node());
  if (!c) return;
  if (!c->enqueue(control_message(*m))) {
    // That connection just closed; another may have replaced it (simultaneous connects).
    c = needs_existing ? existing(to.node()) : connect(to.node());
    if (!c || !c->enqueue(std::move(*m))) {
      node_.unreachable(sender_of(from), to, own.release());
      return;
    }
  }
  if (item->kind == item_kind::message) {
    own.release();
    detail::destroy_item(item);
    pace(from, *c);
  }
}

void controller::notify_drained(const pid& who, atom node) {
  deliver_local(who, detail::make_message<dist_drained>(dist_drained{node}));
}

void controller::pace(detail::process* from, connection& c) {
  // Only a process sending for itself waits (never the I/O thread, a timer or an exiting
  // process's signals), and only on a connection over its high-water mark.
  if (!from || from != detail::current_process() || !c.busy()) return;
  atom node = c.peer();
  while (c.wait_for_drain(from->self()))
    otp::receive(otp::when([node](const dist_drained& d) { return d.node == node; },
                           [](const dist_drained&) {}));
}

void controller::monitor_name(detail::process* from, atom name, atom node, const reference& ref) {
  if (!connect(node)->enqueue(ctrl::monitor_p{from->self(), name, ref}))
    deliver_local(from->self(),
                  make_item<detail::down_item>(item_kind::down, ref, pid::remote(node, 0, 0),
                                               term(atoms::noconnection)));
}

void controller::send_named(detail::process* from, atom name, atom node, detail::message_base* m) {
  detail::item_ptr own(m);
  if (node == name_) {
    pid to = node_.names().find(name);
    if (!to.is_null()) node_.route(from, to, own.release());
    return;
  }
  auto t = message_term(m);
  if (!t) return;
  detail::destroy_item(own.release());  // freed before a possible wait in pace
  auto c = connect(node);
  ctrl::reg_send msg{sender_of(from), name, std::move(*t)};
  if (!c->enqueue(msg)) {  // closed meanwhile: a replacement, or a new attempt
    c = connect(node);
    if (!c->enqueue(std::move(msg))) return;
  }
  pace(from, *c);
}

void controller::send_alias(detail::process* from, const reference& alias,
                            detail::message_base* m) {
  detail::item_ptr own(m);
  if (alias.node() == name_) return;  // an old incarnation's alias: inactive by definition
  auto t = message_term(m);
  if (!t) return;
  connect(alias.node())->enqueue(ctrl::alias_send{sender_of(from), alias, std::move(*t)});
}

// ---- in ----------------------------------------------------------------------------

namespace {
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

// {'$gen_call', {From, Tag}, Request} as net_adm:ping sends it to net_kernel.
bool is_gen_call(const term& t) {
  return t.is_tuple(3) && t[0].is_atom(atom("$gen_call")) && t[1].is_tuple(2) && t[1][0].is_pid();
}
}  // namespace

bool controller::deliver_local(const pid& to, detail::mailbox_item* item) {
  if (!to.is_local() || to.is_null()) {
    detail::destroy_item(item);
    return false;
  }
  if (detail::mailbox_item* back = node_.deliver(to.number(), item)) {
    detail::destroy_item(back);
    return false;
  }
  return true;
}

bool controller::deliver_message(const pid& to, term msg) {
  return deliver_local(to, detail::make_message<term>(std::move(msg)));
}

void controller::deliver_exit(const pid& from, const pid& to, const term& reason, bool via_link) {
  deliver_local(to, make_item<detail::exit_item>(item_kind::exit, from, reason, via_link));
}

void controller::deliver_named(connection& c, const pid& from, atom name, term msg) {
  pid to = node_.names().find(name);
  if (!to.is_null()) {
    deliver_message(to, std::move(msg));
    return;
  }
  if (stopping_.load(std::memory_order_acquire)) return;  // services spawn processes
  service_fn service;
  {
    std::lock_guard lk(services_mu_);
    if (auto it = services_.find(name); it != services_.end()) service = it->second;
  }
  if (service) {
    service(c.peer(), from, std::move(msg));
    return;
  }
  if (name == atom("net_kernel") && is_gen_call(msg)) {
    // net_adm:ping/1 asks {is_auth, Node}; being connected is the answer.
    reply_gen_call(msg[1], term(atom("yes")));
  }
}

void controller::reply_gen_call(const term& from_and_tag, term reply) {
  const term& tag = from_and_tag[1];
  term msg = otp::tuple(tag, std::move(reply));
  if (tag.is_cons() && tag.head().is_atom(atom("alias")) && tag.tail().is_reference()) {
    reference alias = tag.tail().as_reference();
    connect(alias.node())->enqueue(ctrl::alias_send{pid(), alias, std::move(msg)});
  } else {
    pid to = from_and_tag[0].as_pid();
    connect(to.node())->enqueue(ctrl::send{to, std::move(msg)});
  }
}

bool controller::is_builtin_name(atom name) const {
  if (name == atom("net_kernel")) return true;
  std::lock_guard lk(services_mu_);
  return services_.count(name) > 0;
}

void controller::register_service(atom name, service_fn fn) {
  std::lock_guard lk(services_mu_);
  services_[name] = std::move(fn);
}

void controller::dispatch(connection& c, const control_message& msg) {
  const term noproc(atoms::noproc);
  std::visit(
      overloaded{
          [&](const ctrl::send& m) { deliver_message(m.to, m.message); },
          [&](const ctrl::send_tt& m) { deliver_message(m.to, m.message); },
          [&](const ctrl::send_sender& m) { deliver_message(m.to, m.message); },
          [&](const ctrl::send_sender_tt& m) { deliver_message(m.to, m.message); },
          [&](const ctrl::reg_send& m) { deliver_named(c, m.from, m.to_name, m.message); },
          [&](const ctrl::reg_send_tt& m) { deliver_named(c, m.from, m.to_name, m.message); },
          [&](const ctrl::alias_send& m) {
            node_.deliver_alias(m.alias, detail::make_message<term>(m.message));
          },
          [&](const ctrl::alias_send_tt& m) {
            node_.deliver_alias(m.alias, detail::make_message<term>(m.message));
          },
          [&](const ctrl::link& m) {
            if (!deliver_local(m.to, make_item<detail::peer_item>(item_kind::link, m.from)))
              c.enqueue(ctrl::exit{m.to, m.from, noproc});  // linking to the dead: noproc
          },
          [&](const ctrl::unlink& m) {  // the old protocol: no acknowledgement expected
            deliver_local(m.to, make_item<detail::peer_item>(item_kind::unlink_ack, m.from, 0));
          },
          [&](const ctrl::unlink_id& m) {
            if (!deliver_local(m.to, make_item<detail::peer_item>(item_kind::unlink, m.from, m.id)))
              c.enqueue(ctrl::unlink_id_ack{m.id, m.to, m.from});  // gone: acknowledge for it
          },
          [&](const ctrl::unlink_id_ack& m) {
            deliver_local(m.to, make_item<detail::peer_item>(item_kind::unlink_ack, m.from, m.id));
          },
          [&](const ctrl::exit& m) { deliver_exit(m.from, m.to, m.reason, true); },
          [&](const ctrl::exit_tt& m) { deliver_exit(m.from, m.to, m.reason, true); },
          [&](const ctrl::payload_exit& m) { deliver_exit(m.from, m.to, m.reason, true); },
          [&](const ctrl::payload_exit_tt& m) { deliver_exit(m.from, m.to, m.reason, true); },
          [&](const ctrl::exit2& m) { deliver_exit(m.from, m.to, m.reason, false); },
          [&](const ctrl::exit2_tt& m) { deliver_exit(m.from, m.to, m.reason, false); },
          [&](const ctrl::payload_exit2& m) { deliver_exit(m.from, m.to, m.reason, false); },
          [&](const ctrl::payload_exit2_tt& m) { deliver_exit(m.from, m.to, m.reason, false); },
          [&](const ctrl::monitor_p& m) {
            std::optional<atom> name;
            pid target;
            if (auto* p = std::get_if<pid>(&m.to)) {
              target = *p;
            } else {
              name = std::get<atom>(m.to);
              target = node_.names().find(*name);
            }
            if (!target.is_null() &&
                deliver_local(target,
                              make_item<detail::monitor_item>(item_kind::monitor, m.from, m.ref))) {
              c.add_watcher(m.ref, {target, m.from, name});
            } else if (name && is_builtin_name(*name)) {
              // gen:call monitors net_kernel (or a built-in service) first: it never dies
              // while the connection lasts, so the monitor needs no record.
            } else {
              c.enqueue(ctrl::monitor_p_exit{m.to, m.from, m.ref, noproc});
            }
          },
          [&](const ctrl::demonitor_p& m) {
            if (auto w = c.take_watcher(m.ref))
              deliver_local(w->target,
                            make_item<detail::monitor_item>(item_kind::demonitor, m.from, m.ref));
          },
          [&](const ctrl::monitor_p_exit& m) {
            deliver_local(m.to,
                          make_item<detail::down_item>(item_kind::down, m.ref,
                                                       target_pid(m.from, c.peer()), m.reason));
          },
          [&](const ctrl::payload_monitor_p_exit& m) {
            deliver_local(m.to,
                          make_item<detail::down_item>(item_kind::down, m.ref,
                                                       target_pid(m.from, c.peer()), m.reason));
          },
          [&](const ctrl::spawn_request& m) { handle_spawn_request(c, m); },
          [&](const ctrl::spawn_request_tt& m) {
            handle_spawn_request(c, ctrl::spawn_request{m.req_id, m.from, m.group_leader, m.module,
                                                        m.function, m.arity, m.options, m.args});
          },
          [](const auto&) {},  // group_leader, node_link, spawn replies: nothing to do
      },
      msg);
}

}  // namespace otp::dist
