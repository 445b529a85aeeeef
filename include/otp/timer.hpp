#pragma once
/// \file
/// Timers: erlang:send_after/3, cancel_timer/1, read_timer/1.
///
/// Timers run on the node's clock (real, or manual for deterministic tests) with
/// millisecond resolution; a timer never fires early. A timer to a pid that has died by
/// the time it fires sends nothing. Thread safety: callable from any process.

#include <chrono>
#include <optional>

#include "otp/detail/message.hpp"
#include "otp/pid.hpp"
#include "otp/process.hpp"

namespace otp {

namespace detail {
reference arm_timer(int64_t delay_ms, const pid& to, atom name, message_base* m);
}

/// Sends `msg` to `to` after `delay`; returns the timer's reference.
template <class T, class Rep, class Period>
reference send_after(std::chrono::duration<Rep, Period> delay, const pid& to, T&& msg) {
  using V = detail::message_type_t<T>;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delay).count();
  return detail::arm_timer(ms, to, atom(), detail::make_message<V>(std::forward<T>(msg)));
}

/// Sends `msg` to whoever is registered as `name` when the timer fires (nothing if nobody).
template <class T, class Rep, class Period>
reference send_after(std::chrono::duration<Rep, Period> delay, atom name, T&& msg) {
  using V = detail::message_type_t<T>;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delay).count();
  return detail::arm_timer(ms, pid(), name, detail::make_message<V>(std::forward<T>(msg)));
}

/// Cancels a timer. Returns the time that was left, or nullopt when the timer had already
/// fired, was cancelled, or never existed (Erlang returns false then).
std::optional<std::chrono::milliseconds> cancel_timer(const reference& timer);

/// The node's monotonic clock (manual in deterministic tests), like erlang:monotonic_time.
std::chrono::milliseconds monotonic_time();

/// Time left on a timer, or nullopt.
std::optional<std::chrono::milliseconds> read_timer(const reference& timer);

}  // namespace otp
