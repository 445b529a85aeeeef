#pragma once
/// \file
/// gen_server: Erlang's generic server, with typed requests.
///
/// A server is a C++ class. Its object *is* the state; it is constructed inside the new
/// process from start_link's arguments (the constructor plays the part of init/1), and its
/// callbacks are member functions:
///
///     struct counter {
///       struct get { using reply = int; };          // a call request and its reply type
///       struct add { int n; };                      // a cast message
///       using calls = otp::types<get>;              // what handle_call accepts
///       using casts = otp::types<add>;              // what handle_cast accepts
///
///       explicit counter(int start) : value(start) {}
///       int handle_call(get, const otp::from&) { return value; }   // reply = return value
///       void handle_cast(add a) { value += a.n; }
///       int value;
///     };
///
///     auto r = otp::gen_server::start_link<counter>(10);         // {ok, Pid} | ignore | {error,
///     R} otp::gen_server::cast(r.child(), counter::add{5}); int v =
///     otp::gen_server::call(r.child(), counter::get{});  // 15
///
/// | Erlang | otpp |
/// |---|---|
/// | `init(Args) -> {ok, S}` | the constructor; optionally `init_result init()` |
/// | `{ok, S, Timeout / hibernate / {continue, C}}` | `gen_server::ok().timeout(t)` /
/// `.hibernate()` / `.continue_with(c)` | | `ignore`, `{stop, R}` from init |
/// `gen_server::ignore()`, `gen_server::init_result::stop(R)` (or throw) | | `handle_call(Req,
/// From, S) -> {reply, R, S}` | `R handle_call(Req, const from&)` (or without `from`) | |
/// `{noreply, S}` then `gen_server:reply(From, R)` | return `gen_server::noreply()`, later
/// `gen_server::reply(from, r)` (any process) | | `{stop, Reason, Reply, S}` / `{stop, Reason, S}`
/// | `call_result<R>::stop_with(reason, reply)` / `result::stop(reason)` | | `handle_cast(Msg, S)`
/// / `handle_info(Info, S)` | `void handle_cast(Msg)` / `void handle_info(Msg)`, or return
/// `gen_server::result` | | `handle_continue(C, S)` | `handle_continue(const term&)` | | `Timeout`
/// in a return value, then `timeout` info | `.timeout(t)` on the result, then `handle_timeout()`
/// (or `handle_info(term)` with the atom timeout) | | `terminate(Reason, S)` | `void
/// terminate(const term& reason)` (optional) | | `code_change(OldVsn, S, Extra)` | `void
/// code_change(const term& old_vsn, const term& extra)` (optional) |
///
/// `calls`, `casts` and `infos` list the message types each handler accepts (`otp::term`
/// included, for Erlang-style terms). A message of any other type goes to
/// `handle_info(otp::any_message)` if defined, or is logged and dropped, as Erlang does for
/// an unexpected info; a call or cast of an unlisted type crashes the server
/// ({bad_call, Type} / {bad_cast, Type}), as a function_clause would.
///
/// Guarantees (tested): start returns only after construction/init; a constructor that
/// throws makes start return {error, Reason}; `call` times out after 5 s by default and the
/// caller then exits with {timeout, {gen_server, call, ...}} — a late reply never reaches
/// its mailbox; calling a dead server exits with {noproc, ...}; a server dying during the
/// call makes the caller exit with its reason; calling yourself exits with {calling_self,
/// ...}; a callback may call other servers; terminate runs on stop, on a crash in a
/// callback, and (when trapping exits) when the parent exits. An idle server holds no stack.
///
/// Thread safety: the client functions are called from processes.

#include <chrono>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "otp/detail/sync_call.hpp"
#include "otp/proc_lib.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/server_ref.hpp"
#include "otp/sys.hpp"
#include "otp/term.hpp"

namespace otp {

/// A list of message types (what a behaviour's handlers accept).
template <class... Ts>
struct types {};

namespace gen_server {

using namespace std::chrono_literals;
using otp::from;

/// Options every non-stopping result may carry: {Timeout}, hibernate, {continue, C}.
struct after_action {
  std::optional<std::chrono::milliseconds> timeout;
  bool hibernate = false;
  std::optional<term> cont;
};

/// What handle_cast, handle_info, handle_continue and handle_timeout may return.
class result {
 public:
  static result noreply() { return result(false, term()); }
  static result stop(term reason) { return result(true, std::move(reason)); }
  /// {noreply, S, Timeout}: handle_timeout runs if no message arrives within `t`.
  result timeout(std::chrono::milliseconds t) && {
    opts_.timeout = t;
    return std::move(*this);
  }
  result hibernate() && {
    opts_.hibernate = true;
    return std::move(*this);
  }
  /// {noreply, S, {continue, C}}: handle_continue(C) runs before any other message.
  result continue_with(term c) && {
    opts_.cont = std::move(c);
    return std::move(*this);
  }
  bool stopping() const noexcept { return stop_; }
  const term& reason() const noexcept { return reason_; }
  const after_action& options() const noexcept { return opts_; }

 private:
  result(bool stop, term reason) : stop_(stop), reason_(std::move(reason)) {}
  bool stop_;
  term reason_;
  after_action opts_;
};

/// `return gen_server::noreply();` (for a stop: `return gen_server::result::stop(reason);`).
inline result noreply() {
  return result::noreply();
}

/// What handle_call may return when it does not simply return the reply.
template <class R>
class call_result {
 public:
  call_result(result r) : base_(std::move(r)) {}  // NOLINT: noreply() and result::stop convert
  static call_result stop(term reason) { return call_result(result::stop(std::move(reason))); }
  static call_result reply(R value) {
    call_result c(result::noreply());
    c.reply_ = std::move(value);
    return c;
  }
  /// {stop, Reason, Reply, S}: reply, then stop.
  static call_result stop_with(term reason, R value) {
    call_result c(result::stop(std::move(reason)));
    c.reply_ = std::move(value);
    return c;
  }
  call_result timeout(std::chrono::milliseconds t) && {
    base_ = std::move(base_).timeout(t);
    return std::move(*this);
  }
  call_result hibernate() && {
    base_ = std::move(base_).hibernate();
    return std::move(*this);
  }
  call_result continue_with(term c) && {
    base_ = std::move(base_).continue_with(std::move(c));
    return std::move(*this);
  }
  std::optional<R>& reply_value() noexcept { return reply_; }
  result& base() noexcept { return base_; }

 private:
  result base_;
  std::optional<R> reply_;
};

/// {reply, Value, S} with options: `return gen_server::reply_with(v).hibernate();`
template <class R>
call_result<std::decay_t<R>> reply_with(R&& value) {
  return call_result<std::decay_t<R>>::reply(std::forward<R>(value));
}

/// What an optional `init()` returns.
class init_result {
 public:
  enum class kind : uint8_t { ok, ignore, stop };
  static init_result ok() { return init_result(kind::ok, term()); }
  static init_result ignore() { return init_result(kind::ignore, term()); }
  static init_result stop(term reason) { return init_result(kind::stop, std::move(reason)); }
  init_result timeout(std::chrono::milliseconds t) && {
    opts_.timeout = t;
    return std::move(*this);
  }
  init_result hibernate() && {
    opts_.hibernate = true;
    return std::move(*this);
  }
  init_result continue_with(term c) && {
    opts_.cont = std::move(c);
    return std::move(*this);
  }
  kind what() const noexcept { return k_; }
  const term& reason() const noexcept { return reason_; }
  const after_action& options() const noexcept { return opts_; }

 private:
  init_result(kind k, term r) : k_(k), reason_(std::move(r)) {}
  kind k_;
  term reason_;
  after_action opts_;
};

inline init_result ok() {
  return init_result::ok();
}
inline init_result ignore() {
  return init_result::ignore();
}

/// The reply type of a request: `Req::reply`, or `otp::term`.
template <class Req>
struct reply_of {
  using type = term;
};
template <class Req>
requires requires {
  typename Req::reply;
}
struct reply_of<Req> {
  using type = typename Req::reply;
};
template <class Req>
using reply_t = typename reply_of<std::decay_t<Req>>::type;

}  // namespace gen_server

namespace detail {
// Whether a request (and its reply) can travel to a server on another node: both need a
// term form (to_term / term_traits).
template <class Q>
concept request_has_term_form =
    term_convertible<Q> || requires(const Q& q) { { q.to_term() } -> std::convertible_to<term>; };
template <class Q, class R>
concept remote_callable = request_has_term_form<Q> && (std::is_same_v<R, term> || term_convertible<R>);

template <class Q>
term remote_request_term(const Q& q) {
  if constexpr (requires { { q.to_term() } -> std::convertible_to<term>; }) {
    return q.to_term();
  } else {
    return otp::to_term(q);
  }
}

}  // namespace detail

namespace gen_server {

// Envelopes on the wire (local processes).
template <class Req>
struct call_msg {
  static constexpr detail::msg_category otp_category = detail::msg_category::call;
  from caller;
  Req request;
};
template <class R>
struct reply_msg {
  static constexpr detail::msg_category otp_category = detail::msg_category::reply;
  reference tag;
  R value;
  bool unmonitored = false;  // the server dropped the call's monitor (no demonitor needed)
};
template <class M>
struct cast_msg {
  static constexpr detail::msg_category otp_category = detail::msg_category::cast;
  M msg;
};

struct start_options {
  /// Register the server under this name (start fails with {already_started, Pid} if taken).
  std::optional<atom> name;
  /// How long init may take before start gives up ({error, timeout}).
  std::chrono::milliseconds timeout = otp::infinity;
};

/// Replies to a call answered with noreply (from any process).
template <class R>
void reply(const from& to, R&& value) {
  using V = detail::message_type_t<R>;
  if (!to.erlang_tag.is_nil()) {  // the caller speaks terms (another node, or Erlang)
    V v(std::forward<R>(value));
    if constexpr (requires { { v.to_term() } -> std::convertible_to<term>; }) {
      detail::send_erlang_reply(to, v.to_term());
    } else if constexpr (term_convertible<V>) {
      detail::send_erlang_reply(to, otp::to_term(v));
    } else {  // a C++ value with no term form: say what it was
      detail::send_erlang_reply(to, otp::tuple(atom("cpp_value"), term::binary(detail::ops_holder<V>::name())));
    }
    return;
  }
  bool dropped = detail::drop_watcher(to.tag);
  send(to.caller, reply_msg<V>{to.tag, V(std::forward<R>(value)), dropped});
}

/// Sends `req` to the server and waits for the reply (default timeout 5 s). Exits (throws
/// exit_exception) with {Reason, {gen_server, call, [Ref, Req]}} when the server is not
/// alive (noproc), dies (its reason) or does not answer in time (timeout).
template <class Req>
reply_t<Req> call(const server_ref& ref, Req&& req);
/// As call/2, with a timeout (exit reasons then name it: [Ref, Req, Timeout]).
template <class Req>
reply_t<Req> call(const server_ref& ref, Req&& req, std::chrono::milliseconds timeout);

/// Sends `msg` without waiting. Never fails (a dead or unknown server ignores it).
template <class M>
void cast(const server_ref& ref, M&& msg) {
  using V = detail::message_type_t<M>;
  if (ref.is_remote()) {  // another node: {'$gen_cast', Msg}
    if constexpr (detail::request_has_term_form<V>) {
      detail::remote_cast(ref, detail::remote_request_term(V(std::forward<M>(msg))));
    }
    return;  // a C++-only value cannot leave the node: dropped, as casts never fail
  }
  pid to = ref.resolve();
  if (!to.is_null()) send(to, cast_msg<V>{V(std::forward<M>(msg))});
}

/// Stops the server with `reason` (its terminate runs) and waits until it is gone.
void stop(const server_ref& ref, const term& reason = term(atoms::normal),
          std::chrono::milliseconds timeout = otp::infinity);

/// Starts a server linked to the caller; returns once it is initialised. The arguments go
/// to S's constructor; a `start_options` may come first.
template <class S, class... Args>
start_result start_link(Args&&... args);
/// Starts a server not linked to the caller.
template <class S, class... Args>
start_result start(Args&&... args);

}  // namespace gen_server
}  // namespace otp

#include "otp/detail/gen_server_impl.hpp"
