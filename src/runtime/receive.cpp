// Selective receive and send.

#include <stdexcept>

#include "fiber.hpp"
#include "node_impl.hpp"
#include "otp/receive.hpp"
#include "signals.hpp"

namespace otp::detail {

process* require_process() {
  process* p = current_process();
  if (!p) throw std::logic_error("otpp: this call must be made from inside a process");
  return p;
}

// A yield point: let others run, then look at signals (which may end us).
void yield_now(process* p) {
  p->reductions = 0;
  suspend(p, switch_action::yielded);
  drain(p);
}

namespace {

void check_alive(process* p) {
  // An exit_exception that user code caught and swallowed comes back at every yield point.
  if (p->exiting) die_now(p);
  if (p->in_blocking) throw std::logic_error("otpp: cannot receive inside otp::blocking");
}

// Cancels the receive timer however the receive ends, and clears the in_receive mark.
struct receive_scope {
  process* p;
  explicit receive_scope(process* x) : p(x) {
    p->in_receive = true;
    p->timed_out = false;
    ++p->receive_seq;
  }
  ~receive_scope() {
    p->in_receive = false;
    if (p->timer_armed) {
      p->node->timers().cancel_receive(p->receive_timer);
      p->timer_armed = false;
    }
  }
};

// Scans the private queue from after `prev` (the head when null). On a match, unlinks it.
message_base* scan(process* p, mailbox_item*& prev, match_fn match, void* ctx, int* clause) {
  for (mailbox_item* m = prev ? prev->next : p->queue.head; m; prev = m, m = m->next) {
    auto* msg = static_cast<message_base*>(m);
    int k = match(ctx, msg);
    if (k >= 0) {
      p->queue.remove(prev, m);
      *clause = k;
      return msg;
    }
  }
  return nullptr;
}

}  // namespace

message_base* receive_impl(match_fn match, void* ctx, int64_t timeout_ms, int* clause) {
  process* p = require_process();
  check_alive(p);
  if (++p->reductions >= reduction_budget) yield_now(p);
  receive_scope scope(p);
  drain(p);
  mailbox_item* prev = nullptr;
  if (message_base* m = scan(p, prev, match, ctx, clause)) return m;
  if (timeout_ms == 0) return nullptr;
  if (timeout_ms > 0) {
    p->receive_timer = p->node->timers().arm_receive(p->number, p->receive_seq, timeout_ms);
    p->timer_armed = true;
  }
  for (;;) {
    suspend(p, switch_action::waiting);
    drain(p);
    if (message_base* m = scan(p, prev, match, ctx, clause)) return m;
    if (p->timed_out) {
      p->timer_armed = false;  // it fired
      return nullptr;
    }
  }
}

void send_item(const pid& to, message_base* m) {
  process* p = current_process();
  node_impl* n = p ? p->node : node_impl::sole();
  if (!n) {
    destroy_item(m);
    throw std::logic_error("otpp: send outside a process needs exactly one running node");
  }
  n->route(p, to, m);  // a dead or unreachable pid: dropped, as in Erlang
  if (p && ++p->reductions >= reduction_budget && !p->in_blocking) yield_now(p);
}

void send_named(atom name, message_base* m) {
  process* p = current_process();
  node_impl* n = p ? p->node : node_impl::sole();
  pid to = n ? n->names().find(name) : pid();
  if (to.is_null()) {
    destroy_item(m);
    throw bad_term_access("badarg: no process is registered as " + to_string(name));
  }
  send_item(to, m);
}

}  // namespace otp::detail
