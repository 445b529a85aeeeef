#pragma once
/// \file
/// Selective receive, as in Erlang.
///
///     otp::receive(
///         [](const ping& p) { otp::send(p.from, pong{}); },
///         otp::when([](const job& j) { return j.priority > 5; }, [](job j) { run(j); }),
///         [](const otp::down_msg& d) { forget(d.process()); },
///         otp::after(std::chrono::seconds(5), [] { give_up(); }));
///
/// Each clause is a callable taking one message type. The first message in the mailbox (in
/// arrival order) that some clause accepts is removed and passed to the first clause that
/// accepts it; the rest stay, in order, for later receives. A clause for `otp::term` accepts
/// term messages; a clause for a *term view* (a type with `static std::optional<T>
/// from_term(const term&)`, such as exit_msg and down_msg) accepts term messages of that
/// shape. `after(timeout, f)` (last) runs f when nothing matched in time; a zero timeout
/// just polls; without `after` the wait is infinite. All clauses return the same type, which
/// receive returns. In a process.

#include <chrono>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "otp/detail/message.hpp"
#include "otp/term.hpp"

namespace otp {

/// `{'EXIT', From, Reason}` as a typed view (what trap_exit delivers).
struct exit_msg {
  pid from;
  term reason;
  static std::optional<exit_msg> from_term(const term& t);
  term to_term() const;
};

/// `{'DOWN', Ref, process, Item, Reason}` as a typed view. Item is a pid, or `{Name, Node}`
/// for a monitor set up by name.
struct down_msg {
  reference ref;
  term item;
  term reason;
  static std::optional<down_msg> from_term(const term& t);
  term to_term() const;
  /// The monitored pid (null for a monitor by name).
  otp::pid process() const { return item.is_pid() ? item.as_pid() : otp::pid(); }
};

/// Any message at all, type-erased: a receive clause taking `otp::any_message` accepts every
/// message (put it last). It owns the message; `get<T>()` reads it as T when it is one.
class any_message {
 public:
  explicit any_message(detail::message_base* m, bool owns = true) noexcept : m_(m), owns_(owns) {}
  any_message(any_message&& o) noexcept : m_(std::exchange(o.m_, nullptr)), owns_(o.owns_) {}
  any_message& operator=(any_message&&) = delete;
  ~any_message() {
    if (m_ && owns_) detail::destroy_item(m_);
  }

  template <class T>
  bool is() const noexcept {
    return m_->ops == detail::ops_for<T>;
  }
  template <class T>
  T* get() noexcept {
    return is<T>() ? &static_cast<detail::message<T>*>(m_)->value : nullptr;
  }
  template <class T>
  const T* get() const noexcept {
    return is<T>() ? &static_cast<const detail::message<T>*>(m_)->value : nullptr;
  }
  /// The C++ type of the payload, demangled.
  const char* type_name() const noexcept { return m_->ops->name(); }
  detail::msg_category category() const noexcept { return m_->ops->category; }
  detail::message_base* raw() const noexcept { return m_; }
  /// Gives up ownership of the message (the caller must destroy_item it).
  detail::message_base* release() noexcept { return std::exchange(m_, nullptr); }

 private:
  detail::message_base* m_;
  bool owns_;
};

/// Wait forever.
inline constexpr std::chrono::milliseconds infinity = std::chrono::milliseconds::max();

template <class F>
struct after_clause {
  std::chrono::milliseconds timeout;
  F fn;
};

/// The timeout clause of receive (must come last).
template <class Rep, class Period, class F>
after_clause<F> after(std::chrono::duration<Rep, Period> d, F fn) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d);
  return {ms < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : ms, std::move(fn)};
}

template <class Pred, class F>
struct guarded_clause {
  Pred pred;
  F fn;
};

/// A clause that accepts a message only when `pred(msg)` is true.
template <class Pred, class F>
guarded_clause<Pred, F> when(Pred pred, F fn) {
  return {std::move(pred), std::move(fn)};
}

namespace detail {

// Clause-matching callback: returns the index of the clause accepting `m`, or -1.
using match_fn = int (*)(void* ctx, message_base* m);

// Scans the caller's mailbox (old messages first, then new arrivals, handling signals on
// the way) and removes and returns the first message `match` accepts, storing its clause
// index in *clause. Waits up to timeout_ms (-1 = forever); returns nullptr on timeout.
message_base* receive_impl(match_fn match, void* ctx, int64_t timeout_ms, int* clause);

template <class T>
struct first_arg;
template <class R, class C, class A>
struct first_arg<R (C::*)(A) const> {
  using type = std::decay_t<A>;
  using result = R;
};
template <class R, class C, class A>
struct first_arg<R (C::*)(A)> {
  using type = std::decay_t<A>;
  using result = R;
};
template <class R, class A>
struct first_arg<R (*)(A)> {
  using type = std::decay_t<A>;
  using result = R;
};

template <class F>
struct handler_traits : first_arg<decltype(&F::operator())> {};
template <class R, class A>
struct handler_traits<R (*)(A)> : first_arg<R (*)(A)> {};

template <class T>
concept term_view = requires(const term& t) {
  { T::from_term(t) } -> std::same_as<std::optional<T>>;
};

template <class C>
struct clause_info {  // a plain handler
  using handler = C;
  using arg = typename handler_traits<C>::type;
  using result = typename handler_traits<C>::result;
  static const C& fn(const C& c) { return c; }
  static bool guard(const C&, const arg&) { return true; }
};
template <class Pred, class F>
struct clause_info<guarded_clause<Pred, F>> {
  using handler = F;
  using arg = typename handler_traits<F>::type;
  using result = typename handler_traits<F>::result;
  static const F& fn(const guarded_clause<Pred, F>& c) { return c.fn; }
  static bool guard(const guarded_clause<Pred, F>& c, const arg& a) { return c.pred(a); }
};

template <class T>
struct is_after : std::false_type {};
template <class F>
struct is_after<after_clause<F>> : std::true_type {};

// Storage for a view decoded during matching, so the handler gets it without re-decoding.
template <class A>
using view_slot = std::conditional_t<term_view<A>, std::optional<A>, char>;

template <class... Cs>
struct receive_ctx {
  std::tuple<const Cs&...> clauses;
  std::tuple<view_slot<typename clause_info<Cs>::arg>...> views;

  template <size_t I>
  bool try_clause(message_base* m) {
    using info = clause_info<std::tuple_element_t<I, std::tuple<Cs...>>>;
    using A = typename info::arg;
    const auto& c = std::get<I>(clauses);
    if constexpr (std::is_same_v<A, any_message>) {
      return info::guard(c, any_message(m, false));
    } else if constexpr (term_view<A>) {
      if (m->ops != ops_for<term>) return false;
      auto v = A::from_term(static_cast<message<term>*>(m)->value);
      if (!v || !info::guard(c, *v)) return false;
      std::get<I>(views) = std::move(v);
      return true;
    } else {
      if (m->ops != ops_for<A>) return false;
      return info::guard(c, static_cast<message<A>*>(m)->value);
    }
  }

  template <size_t... I>
  int match([[maybe_unused]] message_base* m, std::index_sequence<I...>) {
    int found = -1;
    // || short-circuits: the first accepting clause wins.
    [[maybe_unused]] bool any = ((try_clause<I>(m) ? (found = int(I), true) : false) || ...);
    return found;
  }

  static int match_thunk(void* self, message_base* m) {
    return static_cast<receive_ctx*>(self)->match(m, std::index_sequence_for<Cs...>{});
  }

  template <class R, size_t I>
  R run_clause(message_base* m) {
    item_ptr owner(m);
    using info = clause_info<std::tuple_element_t<I, std::tuple<Cs...>>>;
    using A = typename info::arg;
    const auto& fn = info::fn(std::get<I>(clauses));
    if constexpr (std::is_same_v<A, any_message>) {
      return fn(any_message(static_cast<message_base*>(owner.release())));
    } else if constexpr (term_view<A>) {
      return fn(std::move(*std::get<I>(views)));
    } else {
      return fn(std::move(static_cast<message<A>*>(m)->value));
    }
  }

  template <class R, size_t... I>
  R dispatch(int k, message_base* m, std::index_sequence<I...>) {
    using fn_t = R (receive_ctx::*)(message_base*);
    static constexpr fn_t table[] = {&receive_ctx::run_clause<R, I>...};
    return (this->*table[k])(m);
  }
};

}  // namespace detail

/// Waits for a message some clause accepts (see the file comment). In a process.
template <class... Clauses>
auto receive(Clauses&&... clauses);

/// Waits for a message of type T (or a term view T) and returns it.
template <class T>
T receive() {
  return receive([](T v) { return v; });
}

/// Waits for a message of type T satisfying `pred`.
template <class T, class Pred>
T receive(Pred pred) {
  return receive(when(std::move(pred), [](T v) { return v; }));
}

/// Waits up to `timeout` for a message of type T.
template <class T, class Rep, class Period>
std::optional<T> receive_for(std::chrono::duration<Rep, Period> timeout) {
  return receive([](T v) { return std::optional<T>(std::move(v)); },
                 after(timeout, [] { return std::optional<T>(); }));
}

/// Suspends the process for `d` (Erlang's timer:sleep/1). Messages stay queued.
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d) {
  receive(after(d, [] {}));
}

}  // namespace otp

#include "otp/detail/receive_impl.hpp"
