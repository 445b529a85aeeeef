#pragma once
// The synchronous request/reply protocol shared by gen_server::call, sys and supervisor
// calls (Erlang's gen:call): monitor the callee (the monitor reference is the call's tag),
// send, wait for the reply with that tag or the callee's DOWN or the timeout. Replies
// arriving after the call ended are dropped by the runtime (detail::await_reply).

#include <chrono>

#include "otp/detail/message.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp {

class server_ref;

/// Identifies a call in progress: who asked, and the tag its reply must carry.
struct from {
  pid caller;
  reference tag;
  /// For calls that came as Erlang terms ({'$gen_call', {Pid, Tag}, Req}, from BEAM or any
  /// term-speaking client): the Tag to reply with, as {Tag, Reply}. `[]` for otpp calls.
  term erlang_tag;
};

namespace detail {
// Replies {Tag, Reply} to a call that came as an Erlang term: to the alias when Tag is
// [alias | Alias] (OTP 24+), else to the caller's pid.
void send_erlang_reply(const from& to, term reply);
}  // namespace detail

namespace detail {

// Describes a call for exit reasons ({Reason, Where}); built only when the call fails, so a
// successful call allocates no description.
struct call_site {
  term (*make)(const void* ctx);
  const void* ctx;
  term where() const { return make(ctx); }
};

// Starts a call to `to`: checks it is not ourselves, monitors it, awaits its reply tag.
// `where` describes the call for exit reasons ({Reason, Where}). Throws exit_exception.
reference begin_call(const pid& to, const call_site& site);

// Waits for the reply with `tag` (a message whose type is `expected`) and returns it,
// owned by the caller. On the callee's death: exit({Reason, Where}); on timeout (-1:
// infinity): exit({timeout, Where}). Always demonitors and stops awaiting the tag.
message_base* finish_call(const reference& tag, const type_ops* expected, int64_t timeout_ms,
                          const call_site& site);

// A call to a process on another node, in Erlang's own form: sends {'$gen_call', {self(),
// [alias | Mref]}, Request} and waits for {[alias | Mref], Reply} (Mref monitors the server
// and is the alias while the call lasts). Returns Reply; exits as finish_call does.
term remote_call(const server_ref& ref, term request, int64_t timeout_ms, const call_site& site);
// Sends {'$gen_cast', Msg} to a process on another node.
void remote_cast(const server_ref& ref, term msg);

// exit({noproc, Where}) for a name nobody holds.
[[noreturn]] void call_noproc(const call_site& site);

inline int64_t to_timeout_ms(std::chrono::milliseconds t) {
  return t == std::chrono::milliseconds::max() ? -1 : int64_t(t.count());
}

}  // namespace detail
}  // namespace otp
