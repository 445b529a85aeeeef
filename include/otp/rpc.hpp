#pragma once
/// \file
/// rpc: C++ functions that other nodes call by module and function name, and calls from
/// otpp to functions on other nodes (Erlang's `rpc` and `erpc`).
///
/// Serving. A function registered under an Erlang module and function name is called by an
/// erl node like any Erlang function:
///
///     otp::rpc::register_function(otp::atom("calc"), otp::atom("add"),
///                                 [](const std::vector<otp::term>& a) {
///                                   return otp::term(a.at(0).as_int() + a.at(1).as_int());
///                                 });
///     %% on erl:
///     rpc:call('cpp@127.0.0.1', calc, add, [1, 2])   %% 3
///     erpc:call('cpp@127.0.0.1', calc, add, [1, 2])  %% 3
///
/// Each call runs in a fresh otpp process on the node, so a function may block, receive,
/// call servers, and so on. Both of OTP's protocols are answered (once distribution runs):
///  - erpc's (OTP 23+, and OTP 25's rpc:call/4,5, which is erpc:call underneath): a
///    SPAWN_REQUEST for `erpc:execute_call(Ref, M, F, A)`; the new process links or is
///    monitored as the request asks, the SPAWN_REPLY goes out before it runs anything, and
///    it exits with `{Ref, return, Value}`, `{Ref, throw, T}`, `{Ref, exit, R}` or
///    `{Ref, error, R, Stack}` as erpc expects. `erpc:cast` (`erpc:execute_cast/3`) and
///    plain `spawn(Node, M, F, A)` of a registered function work too.
///  - the `rex` server's: `gen_server:call({rex, Node}, {call | block_call, M, F, A, GL})`,
///    `gen_server:cast({rex, Node}, {cast, M, F, A, GL})`, `{rex, Node} ! {From, {call, ...}}`
///    (hidden C nodes), `features_request`, `sbcast` and `send`.
/// Erlang funs cannot run here: `erpc:call(Node, Fun)` (erlang:apply/2) is undef.
///
/// How a function's ending looks from Erlang. Stack is `[{M, F, Arity, []}]` (C++ frames
/// have no Erlang form). Each line: the C++ ending => the Erlang one; what rpc:call returns;
/// what erpc:call does.
///  - returns V => returns V; V; returns V.
///  - `throw otp::term(T)` => throw(T); T; throws T.
///  - `otp::exit(R)` (an exit_exception) => exit(R); `{badrpc, {'EXIT', R}}`;
///    exit `{exception, R}`.
///  - throws `otp::rpc::error(R)` => error(R); `{badrpc, {'EXIT', {R, Stack}}}`;
///    error `{exception, R, Stack}`.
///  - throws `otp::bad_term_access` => error(badarg), then as error(R).
///  - throws another C++ exception => error(`{cpp_exception, Type, <<What>>}`), then as
///    error(R).
///  - not registered => error(undef) with Stack `[{M, F, Args, []}]`, as a BEAM node answers
///    for an undefined function: `{badrpc, {'EXIT', {undef, Stack}}}`;
///    error `{exception, undef, Stack}`.
///  - its process is killed by an exit signal R => `{badrpc, {'EXIT', R}}`;
///    exit `{signal, R}`.
///
/// Calling. `rpc::call(node, m, f, args)` from an otpp process calls M:F(Args) on another node
/// (BEAM or otpp) and returns what `rpc:call/5` returns: the value, or `{badrpc, Reason}`.
/// It speaks the rex protocol (`gen_server:call({rex, Node}, {call, M, F, A, user})`),
/// which every OTP release serves; the reply is the value or `{badrpc, {'EXIT', ...}}` as
/// the remote rex builds it; a node that cannot be reached gives `{badrpc, nodedown}` and a
/// timeout `{badrpc, timeout}` (a late answer is dropped). The group leader sent is `user`,
/// so output of the remote function goes to the remote node's standard output.
///
/// Thread safety: registration from any thread at any time (a call in progress keeps the
/// function it found); `call`/`cast` from processes.

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "otp/atom.hpp"
#include "otp/receive.hpp"
#include "otp/term.hpp"

namespace otp::rpc {

/// A function other nodes can call: the argument list in, the result out.
using handler = std::function<term(const std::vector<term>& args)>;

/// Makes `module:function` callable with any number of arguments (the handler checks them;
/// throw `otp::rpc::error(atom("badarg"))` or `error(atom("function_clause"))` to refuse).
/// Replaces an earlier registration of the same name.
void register_function(atom module, atom function, handler fn);
/// Makes `module:function/arity` callable. An exact arity wins over an any-arity entry.
void register_function(atom module, atom function, unsigned arity, handler fn);
/// Removes every registration of `module:function` (any arity); false when there was none.
bool unregister_function(atom module, atom function);
/// Would a call of `module:function` with `arity` arguments find a function?
bool is_registered(atom module, atom function, unsigned arity);

/// Thrown by a registered function to raise an Erlang error: `throw rpc::error(atom("badarith"))`
/// is Erlang's `error(badarith)`.
class error {
 public:
  explicit error(term reason) : reason_(std::move(reason)) {}
  const term& reason() const noexcept { return reason_; }

 private:
  term reason_;
};

/// rpc:call(Node, Module, Function, Args, Timeout) from the calling process (see above).
/// On this node itself the registered function runs in the calling process.
term call(atom node, atom module, atom function, std::vector<term> args,
          std::chrono::milliseconds timeout = otp::infinity);

/// rpc:cast(Node, Module, Function, Args): runs it there, without an answer. Never fails.
void cast(atom node, atom module, atom function, std::vector<term> args);

}  // namespace otp::rpc
