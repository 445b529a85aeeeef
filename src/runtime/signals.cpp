// Handling of exit, link and monitor signals by the receiving process.

#include "signals.hpp"

#include <algorithm>

#include "node_impl.hpp"

namespace otp::detail {

void destroy_item(mailbox_item* item) noexcept {
  auto free_as = [](auto* typed) {
    using T = std::remove_pointer_t<decltype(typed)>;
    uint32_t size = typed->alloc_size;
    typed->~T();
    free_node(typed, size);
  };
  switch (item->kind) {
    case item_kind::message: {
      auto* m = static_cast<message_base*>(item);
      m->ops->destroy(m);
      break;
    }
    case item_kind::exit:
      free_as(static_cast<exit_item*>(item));
      break;
    case item_kind::link:
    case item_kind::unlink:
    case item_kind::unlink_ack:
      free_as(static_cast<peer_item*>(item));
      break;
    case item_kind::monitor:
    case item_kind::demonitor:
    case item_kind::info_request:
      free_as(static_cast<monitor_item*>(item));
      break;
    case item_kind::down:
      free_as(static_cast<down_item*>(item));
      break;
    case item_kind::timeout:
    case item_kind::wake:
      free_as(static_cast<timeout_item*>(item));
      break;
  }
}

namespace {

link_entry* find_link(process* p, const pid& peer) {
  return p->links.find([&](const link_entry& l) { return l.peer == peer; });
}

void erase_link(process* p, const pid& peer) {
  p->links.erase_if([&](const link_entry& l) { return l.peer == peer; });
}

// Marks p as dying with `reason`; the caller unwinds.
bool dies(process* p, term reason) {
  p->exiting = true;
  p->exit_reason = std::move(reason);
  return false;
}

// Erlang's rules for an arriving exit signal. Returns false when p must die.
bool handle_exit(process* p, const exit_item& e) {
  if (e.via_link) {
    link_entry* l = find_link(p, e.from);
    if (!l || l->unlink_id != 0) return true;  // not (or no longer) linked: no effect
    erase_link(p, e.from);
  }
  if (!e.via_link && e.reason.is_atom(atoms::kill)) return dies(p, term(atoms::killed));
  if (p->trap_exit) {
    enqueue_term(p, otp::tuple(atoms::EXIT, e.from, e.reason));
    return true;
  }
  if (e.reason.is_atom(atoms::normal)) {
    // A normal exit signal only ends its own sender (exit(self(), normal)).
    return (!e.via_link && e.from == p->self()) ? dies(p, e.reason) : true;
  }
  return dies(p, e.reason);
}

// The node of a monitor by name: the target's for remote names, else ours.
atom monitored_node(const monitor_entry& m) {
  return m.target.is_local() ? this_node().name : m.target.node();
}

void handle_down(process* p, down_item& d) {
  monitor_entry* m = p->monitors.find([&](const monitor_entry& e) { return e.ref == d.ref; });
  if (!m) return;  // demonitored meanwhile: the DOWN must not appear
  term item = m->by_name ? otp::tuple(m->name, monitored_node(*m)) : term(d.from);
  p->monitors.erase_if([&](const monitor_entry& e) { return e.ref == d.ref; });
  enqueue_term(p, otp::tuple(atoms::DOWN, d.ref, atoms::process, item, d.reason));
}

void answer_info(process* p, const monitor_item& req) {
  atom status = p->in_receive ? atoms::waiting : atoms::running;
  auto* reply = make_message<info_reply>(info_reply{req.ref, snapshot(p, status)});
  if (mailbox_item* back = p->node->deliver(req.from.number(), reply)) destroy_item(back);
}

// Returns false when the signal kills p.
bool handle_signal(process* p, mailbox_item* it) {
  switch (it->kind) {
    case item_kind::exit:
      return handle_exit(p, *static_cast<exit_item*>(it));
    case item_kind::link: {
      auto& l = *static_cast<peer_item*>(it);
      // While we are unlinking, a crossing LINK is void: the peer drops its side on our UNLINK.
      if (!find_link(p, l.from)) p->links.push({l.from});
      return true;
    }
    case item_kind::unlink: {
      auto& u = *static_cast<peer_item*>(it);
      erase_link(p, u.from);
      send_signal(p, u.from, make_item<peer_item>(item_kind::unlink_ack, p->self(), u.id));
      return true;
    }
    case item_kind::unlink_ack: {
      auto& a = *static_cast<peer_item*>(it);
      if (link_entry* l = find_link(p, a.from); l && l->unlink_id == a.id) erase_link(p, a.from);
      return true;
    }
    case item_kind::monitor: {
      auto& m = *static_cast<monitor_item*>(it);
      p->monitored_by.push({m.ref, m.from});
      return true;
    }
    case item_kind::demonitor: {
      auto& m = *static_cast<monitor_item*>(it);
      p->monitored_by.erase_if([&](const watcher_entry& w) { return w.ref == m.ref; });
      return true;
    }
    case item_kind::down:
      handle_down(p, *static_cast<down_item*>(it));
      return true;
    case item_kind::info_request:
      answer_info(p, *static_cast<monitor_item*>(it));
      return true;
    case item_kind::timeout:
      if (static_cast<timeout_item*>(it)->seq == p->receive_seq && p->in_receive)
        p->timed_out = true;
      return true;
    case item_kind::wake:
    case item_kind::message:
      return true;
  }
  return true;
}

void append_leftover(process* p, mailbox_item* list) {
  if (!list) return;
  mailbox_item** tail = &p->extension().leftover;
  while (*tail) tail = &(*tail)->next;
  *tail = list;
}

}  // namespace

void enqueue_term(process* p, term t) {
  p->queue.push_back(make_message<term>(std::move(t)));
}

bool send_signal(process* from, const pid& to, mailbox_item* item) {
  node_impl* n = from ? from->node : node_impl::sole();
  if (!n) {
    destroy_item(item);
    return false;
  }
  return n->route(from, to, item);
}

void drain(process* p) {
  mailbox_item* it = p->mailbox.take_all();
  while (it) {
    mailbox_item* next = it->next;
    if (it->kind == item_kind::message) {
      auto* m = static_cast<message_base*>(it);
      // A reply nobody waits for any more (its call timed out) is dropped on arrival, so a
      // late reply never pollutes the mailbox (Erlang's aliases do this for gen_server).
      if (m->ops->reply_tag && m->ops->reply_tag(m) != p->awaited_reply) {
        destroy_item(it);
      } else {
        p->queue.push_back(it);
      }
    } else {
      bool alive = handle_signal(p, it);
      destroy_item(it);
      if (!alive) {
        append_leftover(p, next);
        die_now(p);
      }
    }
    it = next;
  }
}

void die_now(process* p) {
  throw exit_exception(p->exit_reason);
}

process_info snapshot(process* p, atom status) {
  process_info info;
  info.self = p->self();
  info.status = status;
  info.message_queue_len = p->queue.size;
  info.trap_exit = p->trap_exit;
  info.memory = sizeof(process) + p->saved_cap;
  for (mailbox_item* m = p->queue.head; m; m = m->next) info.memory += m->alloc_size;
  for (auto& l : p->links)
    if (l.unlink_id == 0) info.links.push_back(l.peer);
  for (auto& m : p->monitors)
    info.monitors.emplace_back(
        m.ref, m.by_name ? otp::tuple(m.name, monitored_node(m)) : term(m.target));
  for (auto& w : p->monitored_by) info.monitored_by.emplace_back(w.ref, w.watcher);
  info.memory += 32 * (info.links.size() + info.monitors.size() + info.monitored_by.size());
  if (p->ext) info.memory += sizeof(process_ext);
  atom name;
  if (p->node->names().name_of(p, name)) info.registered_name = name;
  info.current_function = (p->ext && p->ext->label) ? *p->ext->label
                          : p->body                 ? p->body->name()
                                                    : "";
  info.stack_bytes = p->saved_cap;  // the buffer its frames are copied to while suspended
  return info;
}

}  // namespace otp::detail
