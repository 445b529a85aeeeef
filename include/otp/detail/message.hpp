#pragma once
// Mailbox items: messages (any movable C++ value, type-erased) and signals. Public only
// because send/receive templates build and read them; not part of the API.
//
// Invariants:
//  - An item is owned by exactly one place at a time: its sender until pushed, then the
//    receiver's mailbox, then whoever receive() hands it to. `destroy_item` frees it.
//  - A message's `ops` pointer identifies its C++ type: receive matches types by comparing
//    `ops` with `&ops_for<T>`, never by RTTI.

#include <cstddef>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "otp/term.hpp"
#include "otp/term_traits.hpp"

namespace otp::detail {

enum class item_kind : uint8_t {
  message,       // a user message (message_base)
  exit,          // exit signal: exit/2 or a linked process's death
  link,          // the sender linked to us
  unlink,        // the sender unlinked (with an id, acknowledged)
  unlink_ack,    // our unlink was seen
  monitor,       // the sender monitors us
  demonitor,     // the sender dropped its monitor
  down,          // a monitored process died (becomes a 'DOWN' message if still monitored)
  info_request,  // process_info: answer with a snapshot
  timeout,       // the receive timer fired
  wake,          // no-op: makes a waiting process look at its flags
};

struct mailbox_item {
  mailbox_item* next = nullptr;
  item_kind kind;
  uint32_t alloc_size = 0;  // bytes, for the node allocator
  explicit mailbox_item(item_kind k) noexcept : kind(k) {}
};

struct message_base;

// What kind of traffic a message type is, for behaviours and the runtime. A payload type
// declares it with `static constexpr msg_category otp_category = ...;` (default: plain).
enum class msg_category : uint8_t { plain, call, cast, reply, system };

// Per-type operations of a message payload.
struct type_ops {
  void (*destroy)(message_base*) noexcept;
  const char* (*name)() noexcept;
  msg_category category;
  // For replies: the 64-bit identity of the reply's tag (see reply_tag_id), else null.
  uint64_t (*reply_tag)(const message_base*) noexcept;
  // For replies: true when the replier already removed the caller's monitor on it.
  bool (*reply_unmonitored)(const message_base*) noexcept;
  // The payload as a term, for messages that leave the node; false when the type has no
  // term form (a member `term to_term() const`, or term_traits).
  bool (*to_term)(const message_base*, term& out);
};

struct message_base : mailbox_item {
  const type_ops* ops;
  explicit message_base(const type_ops* o) noexcept : mailbox_item(item_kind::message), ops(o) {}
};

template <class T>
struct message final : message_base {
  T value;
  template <class... A>
  explicit message(const type_ops* o, A&&... a) : message_base(o), value(std::forward<A>(a)...) {}
};

// Node allocator (thread-cached size classes; see src/runtime/node_pool.hpp).
void* alloc_node(size_t size);
void free_node(void* p, size_t size) noexcept;

// Frees any mailbox item (message or signal).
void destroy_item(mailbox_item* item) noexcept;

std::string demangle(const char* mangled);

template <class T>
constexpr msg_category category_of() {
  if constexpr (requires { T::otp_category; }) {
    return T::otp_category;
  } else {
    return msg_category::plain;
  }
}

// Identifies a reference within this OS process (its 64-bit counter part).
inline uint64_t reply_tag_id(const reference& r) noexcept {
  return uint64_t(r.word(0)) | (uint64_t(r.word(1)) << 32);
}

template <class T>
struct ops_holder {
  static void destroy(message_base* m) noexcept {
    auto* typed = static_cast<message<T>*>(m);
    uint32_t size = typed->alloc_size;
    typed->~message<T>();
    free_node(typed, size);
  }
  static const char* name() noexcept {
    static const std::string n = demangle(typeid(T).name());
    return n.c_str();
  }
  static uint64_t tag(const message_base* m) noexcept {
    if constexpr (category_of<T>() == msg_category::reply) {
      return reply_tag_id(static_cast<const message<T>*>(m)->value.tag);
    } else {
      return 0;
    }
  }
  static bool unmonitored(const message_base* m) noexcept {
    if constexpr (requires(const T& t) { t.unmonitored; }) {
      return static_cast<const message<T>*>(m)->value.unmonitored;
    } else {
      return false;
    }
  }
  static bool as_term(const message_base* m, term& out) {
    const T& v = static_cast<const message<T>*>(m)->value;
    if constexpr (requires { { v.to_term() } -> std::convertible_to<term>; }) {
      out = v.to_term();
      return true;
    } else if constexpr (term_convertible<T>) {
      out = otp::to_term(v);
      return true;
    } else {
      return false;
    }
  }
  static constexpr type_ops ops{&destroy, &name, category_of<T>(),
                                category_of<T>() == msg_category::reply ? &tag : nullptr,
                                &unmonitored, &as_term};
};

template <class T>
inline constexpr const type_ops* ops_for = &ops_holder<T>::ops;

template <class T, class... A>
message<T>* make_message(A&&... a) {
  void* mem = alloc_node(sizeof(message<T>));
  message<T>* m;
  try {
    m = new (mem) message<T>(ops_for<T>, std::forward<A>(a)...);
  } catch (...) {
    free_node(mem, sizeof(message<T>));
    throw;
  }
  m->alloc_size = uint32_t(sizeof(message<T>));
  return m;
}

// Owns an item until released; frees it on scope exit otherwise.
struct item_ptr {
  mailbox_item* p = nullptr;
  item_ptr() = default;
  explicit item_ptr(mailbox_item* x) : p(x) {}
  item_ptr(item_ptr&& o) noexcept : p(std::exchange(o.p, nullptr)) {}
  item_ptr& operator=(item_ptr&&) = delete;
  ~item_ptr() {
    if (p) destroy_item(p);
  }
  mailbox_item* release() noexcept { return std::exchange(p, nullptr); }
};

}  // namespace otp::detail
