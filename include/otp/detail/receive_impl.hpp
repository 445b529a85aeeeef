#pragma once
// Template plumbing behind otp::receive (see otp/receive.hpp).

#include <tuple>
#include <type_traits>
#include <utility>

namespace otp::detail {

inline int64_t timeout_ms(std::chrono::milliseconds t) {
  return t == infinity ? -1 : int64_t(t.count());
}

template <class R, class Tuple, size_t... I>
R receive_from(Tuple& all, int64_t ms, std::index_sequence<I...> seq) {
  using Ctx = receive_ctx<std::decay_t<std::tuple_element_t<I, Tuple>>...>;
  Ctx ctx{{std::get<I>(all)...}, {}};
  int clause = -1;
  message_base* m = receive_impl(&Ctx::match_thunk, &ctx, ms, &clause);
  if constexpr (std::tuple_size_v < Tuple >> sizeof...(I)) {  // has an after clause
    if (!m) return static_cast<R>(std::get<sizeof...(I)>(all).fn());
  }
  if constexpr (sizeof...(I) > 0) {
    return ctx.template dispatch<R>(clause, m, seq);
  } else {
    __builtin_unreachable();  // without message clauses only the timeout can end the wait
  }
}

template <class Tuple, size_t... I>
auto result_of_clauses(std::index_sequence<I...>) -> std::common_type_t<
    typename clause_info<std::decay_t<std::tuple_element_t<I, Tuple>>>::result...>;

}  // namespace otp::detail

namespace otp {

template <class... Clauses>
auto receive(Clauses&&... clauses) {
  static_assert(sizeof...(Clauses) > 0, "receive needs at least one clause");
  using Tuple = std::tuple<const std::decay_t<Clauses>&...>;
  Tuple all(clauses...);
  constexpr size_t n = sizeof...(Clauses);
  using Last = std::decay_t<std::tuple_element_t<n - 1, Tuple>>;
  if constexpr (detail::is_after<Last>::value) {
    using Seq = std::make_index_sequence<n - 1>;
    using After = decltype(std::declval<const Last&>().fn());
    if constexpr (n == 1) {
      return detail::receive_from<After>(all, detail::timeout_ms(std::get<0>(all).timeout), Seq{});
    } else {
      using R = std::common_type_t<decltype(detail::result_of_clauses<Tuple>(Seq{})), After>;
      return detail::receive_from<R>(all, detail::timeout_ms(std::get<n - 1>(all).timeout), Seq{});
    }
  } else {
    using Seq = std::make_index_sequence<n>;
    using R = decltype(detail::result_of_clauses<Tuple>(Seq{}));
    return detail::receive_from<R>(all, -1, Seq{});
  }
}

}  // namespace otp
