// A process from its first instruction to its last: running the body, turning how it
// ended into an exit reason, and telling everyone who needs to know.

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "fiber.hpp"
#include "node_impl.hpp"
#include "signals.hpp"

namespace otp {

std::string detail::demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return (status == 0 && out) ? std::string(out.get()) : std::string(mangled);
}

term exit_reason_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const exit_exception& x) {
    return x.reason();
  } catch (const term& t) {
    return otp::tuple(atoms::nocatch, t);  // an uncaught throw, as in Erlang
  } catch (const std::exception& x) {
    std::type_info* ti = abi::__cxa_current_exception_type();
    atom type(ti ? detail::demangle(ti->name()) : std::string("std::exception"));
    return otp::tuple(atoms::cpp_exception, type, term::binary(x.what()));
  } catch (...) {
    std::type_info* ti = abi::__cxa_current_exception_type();
    atom type(ti ? detail::demangle(ti->name()) : std::string("unknown"));
    return otp::tuple(atoms::cpp_exception, type, term::binary(""));
  }
}

namespace detail {

void body_deleter(process_body* b) noexcept {
  if (!b) return;
  uint32_t size = b->alloc_size;
  b->~process_body();
  free_node(b, size);
}

namespace {

// Answers what was still queued for a process that is ending.
void answer_dead_letters(process* p, mailbox_item* list, const term& reason) {
  while (list) {
    mailbox_item* next = list->next;
    switch (list->kind) {
      case item_kind::link:  // they think they are linked to us: tell them we died
        send_signal(p, static_cast<peer_item*>(list)->from,
                    make_item<exit_item>(item_kind::exit, p->self(), reason, true));
        break;
      case item_kind::monitor: {
        auto* m = static_cast<monitor_item*>(list);
        send_signal(p, m->from, make_item<down_item>(item_kind::down, m->ref, p->self(), reason));
        break;
      }
      case item_kind::unlink: {
        auto* u = static_cast<peer_item*>(list);
        send_signal(p, u->from, make_item<peer_item>(item_kind::unlink_ack, p->self(), u->id));
        break;
      }
      case item_kind::info_request: {
        auto* m = static_cast<monitor_item*>(list);
        auto* reply = make_message<info_reply>(info_reply{m->ref, std::nullopt});
        if (mailbox_item* back = p->node->deliver(m->from.number(), reply)) destroy_item(back);
        break;
      }
      default:
        break;
    }
    destroy_item(list);
    list = next;
  }
}

void notify_watchers(process* p, const term& reason) {
  // In the order the links and monitors were made, as BEAM does.
  p->links.reverse();
  p->monitored_by.reverse();
  p->monitors.reverse();
  for (auto& l : p->links)
    send_signal(p, l.peer, make_item<exit_item>(item_kind::exit, p->self(), reason, true));
  for (auto& w : p->monitored_by)
    send_signal(p, w.watcher, make_item<down_item>(item_kind::down, w.ref, p->self(), reason));
  for (auto& m : p->monitors)
    send_signal(p, m.target, make_item<monitor_item>(item_kind::demonitor, p->self(), m.ref));
  p->links.clear();
  p->monitored_by.clear();
  p->monitors.clear();
}

void report_to_runner(process* p, const term& reason, std::exception_ptr error) {
  if (!p->ext || !p->ext->run_watch) return;
  auto& s = *p->ext->run_watch;
  {
    std::lock_guard lk(s.mu);
    s.done = true;
    s.reason = reason;
    s.error = error;
  }
  s.cv.notify_all();
}

}  // namespace

void terminate(process* p, const term& reason, std::exception_ptr error) noexcept {
  p->exiting = true;
  p->exit_reason = reason;
  p->status.store(run_status::exiting, std::memory_order_relaxed);
  if (p->timer_armed) {
    p->node->timers().cancel_receive(p->receive_timer);
    p->timer_armed = false;
  }
  // From here on pushes fail, and senders handle that themselves (noproc).
  mailbox_item* rest = p->mailbox.close();
  p->node->names().close(p);
  if (p->ext) answer_dead_letters(p, std::exchange(p->ext->leftover, nullptr), reason);
  answer_dead_letters(p, rest, reason);
  for (mailbox_item* m = p->queue.head; m;) {
    mailbox_item* next = m->next;
    destroy_item(m);
    m = next;
  }
  p->queue = private_queue{};
  notify_watchers(p, reason);
  report_to_runner(p, reason, error);
  delete std::exchange(p->ext, nullptr);
  p->node->process_exited(p);
}

namespace {

// Everything a process does, with every local destroyed before its final switch (a stack
// that is never returned from would otherwise leak what its frames own). Returns true when
// the body asked to wait stackless (request_idle) rather than ending.
bool run_and_terminate(process* p) {
  term reason(atoms::normal);
  std::exception_ptr error;
  try {
    drain(p);  // a process killed before it (re)started never runs its body
    p->body->run();
    if (p->idle_requested && !p->exiting) {
      p->idle_requested = false;
      return true;
    }
    if (p->exiting) reason = p->exit_reason;  // it swallowed the exit_exception
  } catch (...) {
    error = std::current_exception();
    reason = p->exiting ? p->exit_reason : exit_reason_of(error);
    if (reason.is_atom(atoms::normal)) error = nullptr;  // otp::exit(normal) is a normal end
  }
  p->idle_requested = false;
  body_deleter(std::exchange(p->body, nullptr));
  terminate(p, reason, error);
  return false;
}

}  // namespace

void process_main(process* p) {
  bool idle = run_and_terminate(p);
  final_switch(p, idle ? switch_action::idle : switch_action::exited);
}

void request_idle() {
  process* p = current_process();
  if (!p) throw std::logic_error("otpp: request_idle must be called in a process");
  p->idle_requested = true;
}

void free_process(process* p) noexcept {
  std::free(p->saved);
  p->~process();
  free_node(p, sizeof(process));
}

}  // namespace detail
}  // namespace otp
