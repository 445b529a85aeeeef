#pragma once
/// \file
/// Pattern matching on terms, in the spirit of Erlang's `{ok, X} = T`.
///
///   using namespace otp;
///   if (auto m = match(t, tuple(atoms::ok, cap<>))) {          // {ok, X}
///     auto& [x] = *m;                                           // x is a term
///   }
///   if (auto m = match(t, tuple("point"_a, cap<int>, cap<int>))) {
///     auto [x, y] = *m;                                         // ints, range-checked
///   }
///   if (match(t, tuple(atoms::error, _))) { ... }               // no captures
///
/// Patterns:
///   _                 matches anything
///   cap<T>            matches what converts to T (term_traits) and captures it; cap<> is cap<term>
///   a value           a literal (atom, integer, term, std::string...): matches when =:=
///   tuple(p...)       a tuple of exactly that size (otp::tuple with any pattern argument)
///   list(p...)        a proper list of exactly that length
///   cons(h, t)        a non-empty list: head h, tail t ([H | T])
///   map_with(entry(k, p)...)  a map holding at least these keys, values matching p
///   where(p, pred)    p, then pred(term) must be true
///
/// match() returns std::optional<std::tuple<captures...>> in left-to-right order: empty when
/// the term does not match. Captured types must be default constructible.

#include <cstddef>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include "otp/term.hpp"
#include "otp/term_traits.hpp"

namespace otp {

struct wildcard_t {};
/// Matches any term.
inline constexpr wildcard_t _{};

template <class T = term>
struct capture_t {};
/// Captures the matched term converted to T.
template <class T = term>
inline constexpr capture_t<T> cap{};

namespace detail::pattern {

struct pattern_tag {};  // base of every pattern type

template <class T>
inline constexpr bool is_capture = false;
template <class T>
inline constexpr bool is_capture<capture_t<T>> = true;

template <class T>
concept pattern_arg = std::is_base_of_v<pattern_tag, std::remove_cvref_t<T>> ||
    std::same_as<std::remove_cvref_t<T>, wildcard_t> || is_capture<std::remove_cvref_t<T>>;

template <class... Ps>
constexpr size_t capture_count = (std::tuple_size_v<typename Ps::captures> + ... + 0);

// Offset of part K's captures within the captures of parts Ps...
template <size_t K, class... Ps>
constexpr size_t offset_of() {
  constexpr size_t sizes[] = {0, std::tuple_size_v<typename Ps::captures>...};
  size_t s = 0;
  for (size_t i = 0; i <= K; ++i) s += sizes[i];
  return s;
}

struct wildcard : pattern_tag {
  using captures = std::tuple<>;
  template <size_t I, class Out>
  bool bind(const term&, Out&) const {
    return true;
  }
};

template <class T>
struct capture : pattern_tag {
  using captures = std::tuple<T>;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    std::optional<T> v = term_traits<T>::from_term(t);
    if (!v) return false;
    std::get<I>(out) = std::move(*v);
    return true;
  }
};

struct literal : pattern_tag {
  using captures = std::tuple<>;
  term value;
  template <size_t I, class Out>
  bool bind(const term& t, Out&) const {
    return t == value;
  }
};

template <class P>
auto as_pattern(P&& p) {
  using D = std::remove_cvref_t<P>;
  if constexpr (std::is_base_of_v<pattern_tag, D>) {
    return D(std::forward<P>(p));
  } else if constexpr (std::same_as<D, wildcard_t>) {
    return wildcard{};
  } else if constexpr (is_capture<D>) {
    return []<class T>(capture_t<T>) { return capture<T>{}; }(p);
  } else if constexpr (std::is_constructible_v<term, P&&>) {
    return literal{{}, term(std::forward<P>(p))};
  } else {
    return literal{{}, otp::to_term(p)};
  }
}
template <class P>
using pattern_t = decltype(as_pattern(std::declval<P>()));

// Matches parts Ps against `items` (same count), writing captures from offset I.
template <size_t I, class Out, class... Ps, size_t... K>
bool bind_all(const std::tuple<Ps...>& parts, const term* const* items, Out& out,
              std::index_sequence<K...>) {
  return (std::get<K>(parts).template bind<I + offset_of<K, Ps...>()>(*items[K], out) && ...);
}

template <class... Ps>
struct tuple_pattern : pattern_tag {
  using captures = decltype(std::tuple_cat(std::declval<typename Ps::captures>()...));
  std::tuple<Ps...> parts;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    if (!t.is_tuple(sizeof...(Ps))) return false;
    const term* items[sizeof...(Ps) + 1] = {};
    for (size_t i = 0; i < sizeof...(Ps); ++i) items[i] = &t.element(i);
    return bind_all<I>(parts, items, out, std::index_sequence_for<Ps...>{});
  }
};

template <class... Ps>
struct list_pattern : pattern_tag {
  using captures = decltype(std::tuple_cat(std::declval<typename Ps::captures>()...));
  std::tuple<Ps...> parts;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    const term* items[sizeof...(Ps) + 1] = {};
    const term* p = &t;
    for (size_t i = 0; i < sizeof...(Ps); ++i, p = &p->tail()) {
      if (!p->is_cons()) return false;
      items[i] = &p->head();
    }
    if (!p->is_nil()) return false;
    return bind_all<I>(parts, items, out, std::index_sequence_for<Ps...>{});
  }
};

template <class H, class T>
struct cons_pattern : pattern_tag {
  using captures = decltype(std::tuple_cat(std::declval<typename H::captures>(),
                                           std::declval<typename T::captures>()));
  H head;
  T tail;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    if (!t.is_cons()) return false;
    return head.template bind<I>(t.head(), out) &&
           tail.template bind<I + std::tuple_size_v<typename H::captures>>(t.tail(), out);
  }
};

template <class P>
struct entry_pattern : pattern_tag {
  using captures = typename P::captures;
  term key;
  P value;
  template <size_t I, class Out>
  bool bind(const term& m, Out& out) const {  // `m` is the map
    const term* v = m.map_find(key);
    return v && value.template bind<I>(*v, out);
  }
};

template <class... Es>
struct map_pattern : pattern_tag {
  using captures = decltype(std::tuple_cat(std::declval<typename Es::captures>()...));
  std::tuple<Es...> entries;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    if (!t.is_map()) return false;
    const term* items[sizeof...(Es) + 1] = {};
    for (size_t i = 0; i < sizeof...(Es); ++i) items[i] = &t;  // each entry looks itself up
    return bind_all<I>(entries, items, out, std::index_sequence_for<Es...>{});
  }
};

template <class P, class F>
struct where_pattern : pattern_tag {
  using captures = typename P::captures;
  P inner;
  F pred;
  template <size_t I, class Out>
  bool bind(const term& t, Out& out) const {
    return inner.template bind<I>(t, out) && pred(t);
  }
};

}  // namespace detail::pattern

/// `tuple(...)` with any pattern argument (`_`, `cap<T>`, another pattern) is a pattern.
template <class... Ts>
requires(detail::pattern::pattern_arg<Ts> || ...) auto tuple(Ts&&... xs) {
  return detail::pattern::tuple_pattern<detail::pattern::pattern_t<Ts>...>{
      {}, {detail::pattern::as_pattern(std::forward<Ts>(xs))...}};
}

/// `list(...)` with any pattern argument is a pattern for a proper list of that length.
template <class... Ts>
requires(detail::pattern::pattern_arg<Ts> || ...) auto list(Ts&&... xs) {
  return detail::pattern::list_pattern<detail::pattern::pattern_t<Ts>...>{
      {}, {detail::pattern::as_pattern(std::forward<Ts>(xs))...}};
}

/// [H | T] as a pattern (at least one part must be a pattern: `_`, `cap<T>`, ...).
template <class H, class T>
requires(detail::pattern::pattern_arg<H> || detail::pattern::pattern_arg<T>) auto cons(H&& h,
                                                                                       T&& t) {
  return detail::pattern::cons_pattern<detail::pattern::pattern_t<H>,
                                       detail::pattern::pattern_t<T>>{
      {},
      detail::pattern::as_pattern(std::forward<H>(h)),
      detail::pattern::as_pattern(std::forward<T>(t))};
}

/// One key of a map_with pattern: the key (a value) and the pattern for its value.
template <class K, class P>
auto entry(K&& key, P&& value) {
  term k = [&] {
    if constexpr (std::is_constructible_v<term, K&&>) {
      return term(std::forward<K>(key));
    } else {
      return otp::to_term(key);
    }
  }();
  return detail::pattern::entry_pattern<detail::pattern::pattern_t<P>>{
      {}, std::move(k), detail::pattern::as_pattern(std::forward<P>(value))};
}

/// A map holding at least these entries.
template <class... Es>
auto map_with(Es&&... entries) {
  return detail::pattern::map_pattern<std::remove_cvref_t<Es>...>{{},
                                                                  {std::forward<Es>(entries)...}};
}

/// Pattern `p`, then the guard `pred(const term&)`.
template <class P, class F>
auto where(P&& p, F&& pred) {
  return detail::pattern::where_pattern<detail::pattern::pattern_t<P>, std::decay_t<F>>{
      {}, detail::pattern::as_pattern(std::forward<P>(p)), std::forward<F>(pred)};
}

/// Matches `t` against `p`: the captures on success, nullopt otherwise.
template <class P>
auto match(const term& t, P&& p)
    -> std::optional<typename detail::pattern::pattern_t<P>::captures> {
  auto pat = detail::pattern::as_pattern(std::forward<P>(p));
  typename decltype(pat)::captures out{};
  if (!pat.template bind<0>(t, out)) return std::nullopt;
  return out;
}

}  // namespace otp
