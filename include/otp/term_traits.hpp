#pragma once
/// \file
/// Mapping C++ values to and from terms, so typed messages can cross nodes.
///
///   term t = to_term(std::vector<int>{1, 2, 3});          // [1,2,3]
///   auto v = from_term<std::vector<int>>(t);              // throws bad_term_access
///   std::optional<int> n = try_from_term<int>(t);         // nullopt: not an int
///
/// Built in: term, atom, bool (true/false), integers (range-checked), double/float,
/// std::string (written as a UTF-8 binary; read from a binary or a list of code points),
/// pid, reference, port_id, std::vector<T> (list), std::map / std::unordered_map (map),
/// std::optional<T> (`undefined` or the value), std::pair and std::tuple (tuples).
///
/// Your own types: specialise term_traits<T> with
///   static term to_term(const T&);
///   static std::optional<T> from_term(const term&);   // nullopt when the term does not fit
/// or derive the specialisation from a helper:
///   struct point { int x; int y; };
///   template <> struct otp::term_traits<point>
///       : otp::record_traits<point, "point", &point::x, &point::y> {};   // {point, X, Y}
///   template <> struct otp::term_traits<point>
///       : otp::map_traits<point, otp::field<"x", &point::x>, otp::field<"y", &point::y>> {};
///                                                                         // #{x => X, y => Y}

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "otp/term.hpp"

namespace otp {

/// Specialise for your types (see the file comment). The primary template is undefined.
template <class T, class Enable = void>
struct term_traits;

template <class T>
concept term_convertible = requires(const T& v, const term& t) {
  { term_traits<T>::to_term(v) } -> std::same_as<term>;
  { term_traits<T>::from_term(t) } -> std::same_as<std::optional<T>>;
};

template <term_convertible T>
term to_term(const T& v) {
  return term_traits<T>::to_term(v);
}
/// Text becomes a binary (as <<"text">>), like std::string.
inline term to_term(std::string_view s) {
  return term::binary(s);
}
inline term to_term(const char* s) {
  return term::binary(s);
}

template <term_convertible T>
std::optional<T> try_from_term(const term& t) {
  return term_traits<T>::from_term(t);
}

/// Throws bad_term_access when `t` does not have the shape T maps to.
template <term_convertible T>
T from_term(const term& t) {
  std::optional<T> v = term_traits<T>::from_term(t);
  if (!v)
    throw bad_term_access("badarg: term does not convert to the requested type: " + to_string(t));
  return std::move(*v);
}

// ---- built-in mappings ------------------------------------------------------------------

template <>
struct term_traits<term> {
  static term to_term(const term& t) { return t; }
  static std::optional<term> from_term(const term& t) { return t; }
};

template <>
struct term_traits<atom> {
  static term to_term(atom a) { return term(a); }
  static std::optional<atom> from_term(const term& t) {
    if (!t.is_atom()) return std::nullopt;
    return t.as_atom();
  }
};

template <>
struct term_traits<bool> {
  static term to_term(bool b) { return term(b); }
  static std::optional<bool> from_term(const term& t) {
    if (!t.is_boolean()) return std::nullopt;
    return t.as_bool();
  }
};

template <std::integral I>
requires(!std::same_as<I, bool> && !std::same_as<I, char>) struct term_traits<I> {
  static term to_term(I v) { return term(v); }
  static std::optional<I> from_term(const term& t) {
    if (!t.is_integer()) return std::nullopt;
    if constexpr (std::is_signed_v<I>) {
      std::optional<int64_t> v = t.try_int64();
      if (!v || *v < std::numeric_limits<I>::min() || *v > std::numeric_limits<I>::max())
        return std::nullopt;
      return I(*v);
    } else {
      std::optional<uint64_t> v = t.try_uint64();
      if (!v || *v > std::numeric_limits<I>::max()) return std::nullopt;
      return I(*v);
    }
  }
};

template <std::floating_point F>
struct term_traits<F> {
  static term to_term(F v) { return term(double(v)); }
  /// Integers are accepted too (Erlang code often sends 1 where 1.0 is meant).
  static std::optional<F> from_term(const term& t) {
    if (!t.is_number()) return std::nullopt;
    return F(t.as_number());
  }
};

template <>
struct term_traits<std::string> {
  static term to_term(const std::string& s) { return term::binary(s); }
  /// From a binary (its bytes) or a list of Unicode code points (as UTF-8).
  static std::optional<std::string> from_term(const term& t) {
    if (t.is_binary()) return std::string(t.as_binary());
    if (!t.is_list()) return std::nullopt;
    try {
      return t.as_string();
    } catch (const bad_term_access&) {
      return std::nullopt;
    }
  }
};

template <>
struct term_traits<pid> {
  static term to_term(const pid& p) { return term(p); }
  static std::optional<pid> from_term(const term& t) {
    if (!t.is_pid()) return std::nullopt;
    return t.as_pid();
  }
};

template <>
struct term_traits<reference> {
  static term to_term(const reference& r) { return term(r); }
  static std::optional<reference> from_term(const term& t) {
    if (!t.is_reference()) return std::nullopt;
    return t.as_reference();
  }
};

template <>
struct term_traits<port_id> {
  static term to_term(const port_id& p) { return term(p); }
  static std::optional<port_id> from_term(const term& t) {
    if (!t.is_port()) return std::nullopt;
    return t.as_port();
  }
};

template <term_convertible T, class A>
struct term_traits<std::vector<T, A>> {
  static term to_term(const std::vector<T, A>& v) {
    std::vector<term> items;
    items.reserve(v.size());
    for (const auto& x : v) items.push_back(otp::to_term(x));
    return term::list(std::move(items));
  }
  static std::optional<std::vector<T, A>> from_term(const term& t) {
    std::vector<T, A> out;
    const term* p = &t;
    for (; p->is_cons(); p = &p->tail()) {
      std::optional<T> x = term_traits<T>::from_term(p->head());
      if (!x) return std::nullopt;
      out.push_back(std::move(*x));
    }
    if (!p->is_nil()) return std::nullopt;
    return out;
  }
};

namespace detail {
template <class M>
struct map_like_traits {
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  static term to_term(const M& m) {
    std::vector<std::pair<term, term>> kvs;
    kvs.reserve(m.size());
    for (const auto& [k, v] : m) kvs.emplace_back(otp::to_term(k), otp::to_term(v));
    return term::map(std::move(kvs));
  }
  static std::optional<M> from_term(const term& t) {
    if (!t.is_map()) return std::nullopt;
    M out;
    for (const auto& [k, v] : t.map_entries()) {
      std::optional<K> kk = term_traits<K>::from_term(k);
      std::optional<V> vv = term_traits<V>::from_term(v);
      if (!kk || !vv) return std::nullopt;
      out.emplace(std::move(*kk), std::move(*vv));
    }
    return out;
  }
};
}  // namespace detail

template <term_convertible K, term_convertible V, class C, class A>
struct term_traits<std::map<K, V, C, A>> : detail::map_like_traits<std::map<K, V, C, A>> {};
template <term_convertible K, term_convertible V, class H, class E, class A>
struct term_traits<std::unordered_map<K, V, H, E, A>>
    : detail::map_like_traits<std::unordered_map<K, V, H, E, A>> {};

/// Erlang's convention for "maybe": the atom `undefined` or the value.
template <term_convertible T>
struct term_traits<std::optional<T>> {
  static term to_term(const std::optional<T>& v) {
    return v ? otp::to_term(*v) : term(atoms::undefined);
  }
  static std::optional<std::optional<T>> from_term(const term& t) {
    if (t.is_atom(atoms::undefined)) return std::optional<T>();
    std::optional<T> v = term_traits<T>::from_term(t);
    if (!v) return std::nullopt;
    return v;
  }
};

template <term_convertible... Ts>
struct term_traits<std::tuple<Ts...>> {
  static term to_term(const std::tuple<Ts...>& v) {
    return std::apply([](const auto&... xs) { return term::tuple({otp::to_term(xs)...}); }, v);
  }
  static std::optional<std::tuple<Ts...>> from_term(const term& t) {
    if (!t.is_tuple(sizeof...(Ts))) return std::nullopt;
    return convert(t, std::index_sequence_for<Ts...>{});
  }

 private:
  template <size_t... I>
  static std::optional<std::tuple<Ts...>> convert(const term& t, std::index_sequence<I...>) {
    std::tuple<std::optional<Ts>...> parts{term_traits<Ts>::from_term(t.element(I))...};
    if (!(std::get<I>(parts) && ...)) return std::nullopt;
    return std::tuple<Ts...>(std::move(*std::get<I>(parts))...);
  }
};

template <term_convertible A, term_convertible B>
struct term_traits<std::pair<A, B>> {
  static term to_term(const std::pair<A, B>& v) {
    return term::tuple({otp::to_term(v.first), otp::to_term(v.second)});
  }
  static std::optional<std::pair<A, B>> from_term(const term& t) {
    if (!t.is_tuple(2)) return std::nullopt;
    std::optional<A> a = term_traits<A>::from_term(t.element(0));
    std::optional<B> b = term_traits<B>::from_term(t.element(1));
    if (!a || !b) return std::nullopt;
    return std::pair<A, B>(std::move(*a), std::move(*b));
  }
};

// ---- struct helpers -----------------------------------------------------------------------

/// A string usable as a template argument: record_traits<T, "name", ...>.
template <size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT
  constexpr std::string_view view() const { return {text, N - 1}; }
};

namespace detail {
template <class M>
struct member_type;
template <class C, class M>
struct member_type<M C::*> {
  using type = M;
};
template <auto Member>
using member_t = typename member_type<decltype(Member)>::type;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

/// Maps T to an Erlang record-style tuple {Tag, Member1, Member2, ...}. T must be default
/// constructible; every member's type must be term_convertible.
template <class T, fixed_string Tag, auto... Members>
struct record_traits {
  static atom tag() {
    static const atom a{Tag.view()};
    return a;
  }
  static term to_term(const T& v) {
    return term::tuple({term(tag()), otp::to_term(v.*Members)...});
  }
  static std::optional<T> from_term(const term& t) {
    if (!t.is_tuple(1 + sizeof...(Members)) || !t.element(0).is_atom(tag())) return std::nullopt;
    T out{};
    size_t i = 1;
    bool ok = (assign<Members>(out, t.element(i++)) && ...);
    if (!ok) return std::nullopt;
    return out;
  }

 private:
  template <auto Member>
  static bool assign(T& out, const term& t) {
    auto v = term_traits<detail::member_t<Member>>::from_term(t);
    if (!v) return false;
    out.*Member = std::move(*v);
    return true;
  }
};

/// One member of a map_traits mapping: the key (an atom) and the member.
template <fixed_string Key, auto Member>
struct field {
  static atom key() {
    static const atom a{Key.view()};
    return a;
  }
  using type = detail::member_t<Member>;
  static constexpr auto member = Member;
};

/// Maps T to a map with atom keys, #{x => X, y => Y}. Reading ignores extra keys; a missing
/// key fails unless its member is a std::optional (which is then left empty).
template <class T, class... Fields>
struct map_traits {
  static term to_term(const T& v) {
    return term::map({{term(Fields::key()), otp::to_term(v.*(Fields::member))}...});
  }
  static std::optional<T> from_term(const term& t) {
    if (!t.is_map()) return std::nullopt;
    T out{};
    bool ok = (assign<Fields>(out, t) && ...);
    if (!ok) return std::nullopt;
    return out;
  }

 private:
  template <class F>
  static bool assign(T& out, const term& m) {
    const term* v = m.map_find(term(F::key()));
    if (!v) return detail::is_optional<typename F::type>::value;
    auto x = term_traits<typename F::type>::from_term(*v);
    if (!x) return false;
    out.*(F::member) = std::move(*x);
    return true;
  }
};

}  // namespace otp
