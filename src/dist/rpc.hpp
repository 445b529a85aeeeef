#pragma once
// The serving side of otp/rpc.hpp: the function registry, how a call's ending becomes the
// terms rpc and erpc expect, and the `rex` service (the old rpc server protocol).
// spawn.cpp uses the same pieces for erpc's SPAWN_REQUESTs.

#include <cstdint>

#include "otp/atom.hpp"
#include "otp/term.hpp"

namespace otp::dist {

class controller;

// How M:F(Args) ended, in Erlang's terms (erpc:execute_call's four outcomes).
struct rpc_outcome {
  enum class kind : uint8_t { returned, thrown, exited, error };
  kind how = kind::returned;
  term value;  // the result, the thrown term, the exit reason or the error reason
  term stack;  // for errors: [{M, F, Arity, []}], or [{M, F, Args, []}] for undef
};

// Calls the function registered for M:F/length(Args) in the calling process. An unknown
// function is error:undef, arguments that are not a proper list error:badarg. Rethrows
// the exit_exception when an exit signal is ending the calling process.
rpc_outcome apply_registered(atom module, atom function, const term& args);

// What rex answers (rpc's execute_call/3): the value, the thrown term, or
// {badrpc, {'EXIT', Reason | {Reason, Stack}}}.
term rex_reply(const rpc_outcome& o);

// The exit reason of erpc:execute_call(Ref, M, F, A): {Ref, return, V}, {Ref, throw, T},
// {Ref, exit, R} or {Ref, error, R, Stack}.
term erpc_exit_reason(const term& ref, const rpc_outcome& o);

// The exit reason of a plain spawned M:F(A) that did not return: what BEAM gives an
// uncaught exception ({R, Stack} for errors, {{nocatch, T}, Stack} for throws, R for exits).
term spawn_exit_reason(const rpc_outcome& o);

// Registers the `rex` service on `c` (called once, before the controller starts).
void install_rpc(controller& c);

}  // namespace otp::dist
