#pragma once
// A process's mailbox: a lock-free inbox any thread pushes to, and a private FIFO queue
// only the owning process reads.
//
// The inbox is a LIFO stack of items with two sentinel states (the scheme CAF uses):
//   empty   (nullptr)  the owner may be running; pushers just push
//   blocked (1)        the owner is suspended waiting; the pusher that replaces this
//                      sentinel must schedule the owner (exactly one pusher sees it)
//   closed  (2)        the owner has exited; pushes fail and the pusher keeps the item
// The owner takes the whole stack at once and reverses it, so FIFO order per sender is
// preserved: items from one sender are pushed in program order.
//
// Thread safety: push() from any thread; everything else only by the owner (or, for
// try_block, by the scheduler acting for the suspended owner).

#include <atomic>
#include <cstdint>

#include "otp/detail/message.hpp"

namespace otp::detail {

enum class push_result { queued, queued_wake, closed };

class inbox {
 public:
  static mailbox_item* blocked_tag() { return reinterpret_cast<mailbox_item*>(uintptr_t(1)); }
  static mailbox_item* closed_tag() { return reinterpret_cast<mailbox_item*>(uintptr_t(2)); }

  push_result push(mailbox_item* item) noexcept {
    mailbox_item* h = head_.load(std::memory_order_relaxed);
    for (;;) {
      if (h == closed_tag()) return push_result::closed;
      item->next = h == blocked_tag() ? nullptr : h;
      // acq_rel: the pusher that replaces `blocked` goes on to resume the owner, so it
      // must see everything the owner's scheduler wrote before try_block.
      if (head_.compare_exchange_weak(h, item, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        return h == blocked_tag() ? push_result::queued_wake : push_result::queued;
      }
    }
  }

  // Takes everything pushed so far, oldest first. REQUIRES: owner, not closed.
  mailbox_item* take_all() noexcept {
    if (head_.load(std::memory_order_relaxed) == nullptr) return nullptr;
    return reverse(head_.exchange(nullptr, std::memory_order_acquire));
  }

  bool empty() const noexcept {
    mailbox_item* h = head_.load(std::memory_order_acquire);
    return h == nullptr || h == blocked_tag() || h == closed_tag();
  }

  // Marks the owner as waiting. Fails (returns false) if items arrived meanwhile.
  bool try_block() noexcept {
    mailbox_item* expected = nullptr;
    return head_.compare_exchange_strong(expected, blocked_tag(), std::memory_order_acq_rel);
  }

  // Undoes try_block when the owner is resumed by something other than a push.
  // Returns true if it was still blocked (no pusher scheduled the owner).
  bool try_unblock() noexcept {
    mailbox_item* expected = blocked_tag();
    return head_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
  }

  // Closes the inbox; returns what was still in it, oldest first.
  mailbox_item* close() noexcept {
    mailbox_item* h = head_.exchange(closed_tag(), std::memory_order_acq_rel);
    if (h == blocked_tag() || h == closed_tag()) return nullptr;
    return reverse(h);
  }

  // Reopens a closed inbox (a recycled control block). REQUIRES: nobody can reach it.
  void reset() noexcept { head_.store(nullptr, std::memory_order_relaxed); }

 private:
  static mailbox_item* reverse(mailbox_item* h) noexcept {
    if (h == blocked_tag() || h == closed_tag()) return nullptr;
    mailbox_item* out = nullptr;
    while (h) {
      mailbox_item* next = h->next;
      h->next = out;
      out = h;
      h = next;
    }
    return out;
  }

  std::atomic<mailbox_item*> head_{nullptr};
};

// The owner's private queue of messages that arrived but were not yet received.
// Invariants: singly linked from head to tail; `size` counts the items.
struct private_queue {
  mailbox_item* head = nullptr;
  mailbox_item* tail = nullptr;
  size_t size = 0;

  void push_back(mailbox_item* m) noexcept {
    m->next = nullptr;
    if (tail) {
      tail->next = m;
    } else {
      head = m;
    }
    tail = m;
    ++size;
  }
  // Unlinks `m`, whose predecessor is `prev` (nullptr when m is the head).
  void remove(mailbox_item* prev, mailbox_item* m) noexcept {
    (prev ? prev->next : head) = m->next;
    if (tail == m) tail = prev;
    m->next = nullptr;
    --size;
  }
};

}  // namespace otp::detail
