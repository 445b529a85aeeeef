#pragma once
// Signals between processes, and how a process handles them.
//
// Every signal travels through the receiver's mailbox with the messages, so between one
// pair of processes messages and signals arrive in the order sent. The receiver handles a
// signal itself when it takes it from its inbox (in receive and at yield points); the
// only state it changes is its own, so none of this needs locks.
//
// Link protocol (as in OTP 23+, with unlink ids): each side records its links; `unlink`
// marks the entry "unlinking(id)" and sends UNLINK(id); the peer drops its entry and
// acknowledges; the entry goes away on the matching ack. Exit signals caused by a link
// are ignored unless the entry is in the linked state, so once unlink returns the link
// has no effect, and crossing link/unlink signals cannot leave the two sides disagreeing.

#include "otp/detail/message.hpp"
#include "otp/process.hpp"
#include "process.hpp"

namespace otp::detail {

struct exit_item : mailbox_item {
  pid from;
  term reason;
  bool via_link;
  exit_item(item_kind k, pid f, term r, bool link)
      : mailbox_item(k), from(f), reason(std::move(r)), via_link(link) {}
};

struct peer_item : mailbox_item {  // link, unlink, unlink_ack
  pid from;
  uint64_t id;
  peer_item(item_kind k, pid f, uint64_t i = 0) : mailbox_item(k), from(f), id(i) {}
};

struct monitor_item : mailbox_item {  // monitor, demonitor, info_request
  pid from;
  reference ref;
  monitor_item(item_kind k, pid f, reference r) : mailbox_item(k), from(f), ref(r) {}
};

struct down_item : mailbox_item {
  reference ref;
  pid from;
  term reason;
  down_item(item_kind k, reference r, pid f, term why)
      : mailbox_item(k), ref(r), from(f), reason(std::move(why)) {}
};

struct timeout_item : mailbox_item {
  uint64_t seq;
  timeout_item(item_kind k, uint64_t s) : mailbox_item(k), seq(s) {}
};

template <class T, class... A>
T* make_item(A&&... a) {
  void* mem = alloc_node(sizeof(T));
  T* t = new (mem) T(std::forward<A>(a)...);
  t->alloc_size = uint32_t(sizeof(T));
  return t;
}

// The reply to an info request (sent as a message of this type).
struct info_reply {
  reference ref;
  std::optional<process_info> info;
};

// Takes everything from p's inbox: messages join its private queue in order; signals are
// handled. REQUIRES: p is the calling process. Throws exit_exception when a signal kills p
// (the items after it are kept for p's exit cleanup).
void drain(process* p);

// Sends a signal to a local pid; returns false (and frees it) when the pid is not alive.
bool send_signal(process* from, const pid& to, mailbox_item* item);

// Appends a term message to p's own private queue.
void enqueue_term(process* p, term t);

// A snapshot for process_info, taken by p itself.
process_info snapshot(process* p, atom status);

// Cleans up a process that is ending with `reason`: closes its mailbox, answers signals
// still queued, tells links and monitors, and leaves the process table.
void terminate(process* p, const term& reason, std::exception_ptr error) noexcept;

[[noreturn]] void die_now(process* p);

}  // namespace otp::detail
