// The process API (otp/process.hpp, otp/timer.hpp): what a process does to itself and
// to others.

#include <algorithm>
#include <stdexcept>

#include "fiber.hpp"
#include "node_impl.hpp"
#include "otp/receive.hpp"
#include "otp/timer.hpp"
#include "signals.hpp"

namespace otp {
namespace detail {

process* require_process();
void yield_now(process* p);

node_impl& current_node();

namespace {

node_impl& current_node_() {
  if (process* p = current_process()) return *p->node;
  if (node_impl* n = node_impl::sole()) return *n;
  throw std::logic_error("otpp: outside a process this call needs exactly one running node");
}

}  // namespace

node_impl& current_node() {
  return current_node_();
}


spawn_result spawn_impl(spawn_request req) {
  process* parent = current_process();
  node_impl* n = parent ? parent->node : node_impl::sole();
  if (!n) {
    body_deleter(req.body);
    throw std::logic_error("otpp: spawn outside a process needs exactly one running node");
  }
  spawn_result r = n->spawn(req, parent);
  // Spawning is a yield point, as it costs reductions in BEAM: a spawning loop must not
  // hold its scheduler (or reclamation of finished processes) for long.
  if (parent && ++parent->reductions >= reduction_budget) yield_now(parent);
  return r;
}

reference arm_timer(int64_t delay_ms, const pid& to, atom name, message_base* m) {
  node_impl* n = nullptr;
  try {
    n = &current_node();
  } catch (...) {
    destroy_item(m);
    throw;
  }
  return n->timers().arm_message(std::max<int64_t>(delay_ms, 0), to, name, m);
}

}  // namespace detail

using detail::process;
using detail::require_process;

pid self() {
  return require_process()->self();
}

bool in_process() noexcept {
  return detail::current_process() != nullptr;
}

void link(const pid& target) {
  process* p = require_process();
  if (target == p->self()) return;
  auto same = [&](const detail::link_entry& l) { return l.peer == target; };
  detail::link_entry* e = p->links.find(same);
  if (e && e->unlink_id == 0) return;  // already linked
  if (e) {
    e->unlink_id = 0;  // linking again while an unlink is in flight
  } else {
    p->links.push({target});
  }
  using detail::peer_item;
  if (detail::send_signal(p, target,
                          detail::make_item<peer_item>(detail::item_kind::link, p->self())))
    return;
  // Not alive: noproc, as a message when trapping exits, otherwise as an error.
  p->links.erase_if(same);
  if (p->trap_exit) {
    detail::enqueue_term(p, otp::tuple(atoms::EXIT, target, atoms::noproc));
  } else {
    throw exit_exception(term(atoms::noproc));
  }
}

void unlink(const pid& target) {
  process* p = require_process();
  auto same = [&](const detail::link_entry& l) { return l.peer == target; };
  detail::link_entry* e = p->links.find(same);
  if (!e || e->unlink_id != 0) return;
  uint64_t id = p->extension().next_unlink_id++;
  e->unlink_id = id;
  using detail::peer_item;
  if (!detail::send_signal(p, target,
                           detail::make_item<peer_item>(detail::item_kind::unlink, p->self(), id)))
    p->links.erase_if(same);
}

reference monitor(const pid& target) {
  process* p = require_process();
  reference ref = reference::make();
  p->monitors.push({ref, target});
  using detail::monitor_item;
  if (!detail::send_signal(
          p, target, detail::make_item<monitor_item>(detail::item_kind::monitor, p->self(), ref))) {
    p->monitors.erase_if([&](const detail::monitor_entry& m) { return m.ref == ref; });
    detail::enqueue_term(p, otp::tuple(atoms::DOWN, ref, atoms::process, target, atoms::noproc));
  }
  return ref;
}

reference monitor(atom name) {
  process* p = require_process();
  reference ref = reference::make();
  pid target = p->node->names().find(name);
  auto item = otp::tuple(name, this_node().name);
  if (!target.is_null()) {
    p->monitors.push({ref, target, name, true});
    using detail::monitor_item;
    if (detail::send_signal(
            p, target, detail::make_item<monitor_item>(detail::item_kind::monitor, p->self(), ref)))
      return ref;
    p->monitors.erase_if([&](const detail::monitor_entry& m) { return m.ref == ref; });
  }
  detail::enqueue_term(p, otp::tuple(atoms::DOWN, ref, atoms::process, item, atoms::noproc));
  return ref;
}

namespace detail {
bool monitor_remote_name(const reference& ref, atom name, atom node);  // src/dist
}

reference monitor(atom name, atom node) {
  if (node == atom() || node == this_node().name) return monitor(name);
  process* p = require_process();
  reference ref = reference::make();
  p->monitors.push({ref, pid::remote(node, 0, 0), name, true});
  if (!detail::monitor_remote_name(ref, name, node)) {  // not distributed
    p->monitors.erase_if([&](const detail::monitor_entry& m) { return m.ref == ref; });
    detail::enqueue_term(p, otp::tuple(atoms::DOWN, ref, atoms::process, otp::tuple(name, node),
                                       atoms::noconnection));
  }
  return ref;
}

bool demonitor(const reference& ref, bool flush) {
  process* p = require_process();
  bool found = false;
  auto same = [&](const detail::monitor_entry& m) { return m.ref == ref; };
  if (detail::monitor_entry* m = p->monitors.find(same)) {
    pid target = m->target;
    p->monitors.erase_if(same);
    using detail::monitor_item;
    detail::send_signal(
        p, target, detail::make_item<monitor_item>(detail::item_kind::demonitor, p->self(), ref));
    found = true;
  }
  if (flush) {  // a DOWN already in the queue; DOWNs still in the inbox are dropped on arrival
    detail::mailbox_item* prev = nullptr;
    for (detail::mailbox_item* m = p->queue.head; m;) {
      auto* msg = static_cast<detail::message_base*>(m);
      detail::mailbox_item* next = m->next;
      if (msg->ops == detail::ops_for<term>) {
        auto d = down_msg::from_term(static_cast<detail::message<term>*>(msg)->value);
        if (d && d->ref == ref) {
          p->queue.remove(prev, m);
          detail::destroy_item(m);
          m = next;
          continue;
        }
      }
      prev = m;
      m = next;
    }
  }
  return found;
}

void exit(const pid& target, const term& reason) {
  process* p = detail::current_process();
  pid from = p ? p->self() : pid();
  detail::send_signal(
      p, target,
      detail::make_item<detail::exit_item>(detail::item_kind::exit, from, reason, false));
  if (p && target == p->self()) detail::drain(p);  // a signal to oneself takes effect at once
}

void exit(const term& reason) {
  throw exit_exception(reason);
}

bool trap_exit(bool on) {
  process* p = require_process();
  return std::exchange(p->trap_exit, on);
}

void register_name(atom name, const pid& target) {
  detail::node_impl& n = detail::current_node();
  bool ok = false;
  if (target.is_local() && !target.is_null()) {
    auto reg = [&] {
      process* p = n.table().lookup(target.number());
      ok = p && n.names().add(name, p);
    };
    detail::thread_ctx& t = detail::tls();
    if (t.node == &n && t.participant != SIZE_MAX) {
      reg();
    } else {
      detail::reclaimer::external_guard g(n.reclaim());
      reg();
    }
  }
  if (!ok)
    throw bad_term_access("badarg: cannot register " + to_string(name) + " for " +
                          to_string(target));
}

void unregister(atom name) {
  if (!detail::current_node().names().remove(name))
    throw bad_term_access("badarg: " + to_string(name) + " is not registered");
}

pid whereis(atom name) {
  return detail::current_node().names().find(name);
}

std::vector<atom> registered() {
  return detail::current_node().names().names();
}

void yield() {
  process* p = require_process();
  if (p->exiting) detail::die_now(p);
  detail::yield_now(p);
}

bool is_process_alive(const pid& target) {
  if (!target.is_local() || target.is_null()) return false;
  detail::node_impl& n = detail::current_node();
  detail::thread_ctx& t = detail::tls();
  auto alive = [&] {
    process* p = n.table().lookup(target.number());
    return p && !p->exiting;
  };
  if (t.node == &n && t.participant != SIZE_MAX) return alive();
  detail::reclaimer::external_guard g(n.reclaim());
  return alive();
}

std::optional<process_info> get_process_info(const pid& target) {
  process* p = require_process();
  if (target == p->self()) return detail::snapshot(p, atoms::running);
  if (!target.is_local()) throw std::logic_error("otpp: remote pids need distribution");
  reference ref = reference::make();
  using detail::monitor_item;
  if (!detail::send_signal(
          p, target,
          detail::make_item<monitor_item>(detail::item_kind::info_request, p->self(), ref)))
    return std::nullopt;
  return receive(when([&](const detail::info_reply& r) { return r.ref == ref; },
                      [](detail::info_reply r) { return std::move(r.info); }));
}

void detail::set_proc_lib_data(term data) {
  require_process()->proc_lib_data = std::move(data);
}

term detail::proc_lib_data() {
  return require_process()->proc_lib_data;
}

bool detail::exiting_by_signal() noexcept {
  process* p = detail::current_process();
  return p && p->exiting;
}

void detail::activate_alias(const reference& alias) {
  process* p = require_process();
  p->node->activate_alias(alias, p->number);
}

void detail::deactivate_alias(const reference& alias) { current_node().deactivate_alias(alias); }

void detail::send_to_alias(const reference& alias, message_base* m) {
  process* p = current_process();
  node_impl& n = p ? *p->node : current_node();
  if (alias.node() == atom()) {
    n.deliver_alias(alias, m);
  } else if (remote_router* r = n.remote()) {
    r->send_alias(p, alias, m);
  } else {
    destroy_item(m);
  }
}

bool detail::drop_watcher(const reference& ref) {
  return require_process()->monitored_by.erase_if(
             [&](const watcher_entry& w) { return w.ref == ref; }) > 0;
}

void detail::forget_monitor(const reference& ref) {
  require_process()->monitors.erase_if([&](const monitor_entry& m) { return m.ref == ref; });
}

void detail::await_reply(const reference& tag) {
  require_process()->awaited_reply = reply_tag_id(tag);
}

void detail::stop_awaiting_reply() {
  process* p = require_process();
  p->awaited_reply = 0;
  // Replies that arrived before the wait ended stay; the caller flushes what it must.
}

void set_process_label(std::string label) {
  require_process()->extension().label = std::make_unique<std::string>(std::move(label));
}

std::optional<std::chrono::milliseconds> cancel_timer(const reference& timer) {
  auto left = detail::current_node().timers().cancel(timer);
  if (!left) return std::nullopt;
  return std::chrono::milliseconds(*left);
}

std::chrono::milliseconds monotonic_time() {
  return std::chrono::milliseconds(detail::current_node().timers().now_ms());
}

std::optional<std::chrono::milliseconds> read_timer(const reference& timer) {
  auto left = detail::current_node().timers().read(timer);
  if (!left) return std::nullopt;
  return std::chrono::milliseconds(*left);
}

// ---- term views ---------------------------------------------------------------------

std::optional<exit_msg> exit_msg::from_term(const term& t) {
  if (!t.is_tuple(3) || !t[0].is_atom(atoms::EXIT) || !t[1].is_pid()) return std::nullopt;
  return exit_msg{t[1].as_pid(), t[2]};
}

term exit_msg::to_term() const {
  return otp::tuple(atoms::EXIT, from, reason);
}

std::optional<down_msg> down_msg::from_term(const term& t) {
  if (!t.is_tuple(5) || !t[0].is_atom(atoms::DOWN) || !t[1].is_reference() ||
      !t[2].is_atom(atoms::process))
    return std::nullopt;
  return down_msg{t[1].as_reference(), t[3], t[4]};
}

term down_msg::to_term() const {
  return otp::tuple(atoms::DOWN, ref, atoms::process, item, reason);
}

}  // namespace otp
