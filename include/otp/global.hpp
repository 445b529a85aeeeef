#pragma once
/// \file
/// global: a cluster-wide name registry among otpp nodes, with the semantics of Erlang's
/// `global` module (register_name/2, unregister_name/1, whereis_name/1, send/2,
/// registered_names/0, sync/0). See docs/global.md.
///
///     otp::start_distribution(n, {.name = "a@127.0.0.1"});   // starts `otpp_global`
///     ...
///     if (otp::global::register_name(otp::atom("db"), self())) { ... }   // yes / no
///     otp::pid p = otp::global::whereis_name(otp::atom("db"));            // on any node
///     otp::global::send(otp::atom("db"), otp::tuple(otp::atom("get"), 42));
///     otp::term v = otp::gen_server::call(otp::global::via(otp::atom("db")), req);
///
/// Design. Every distributed otpp node runs a gen_server registered as `otpp_global`
/// (start_distribution starts it). Each holds the full replicated table Name -> Pid, with
/// the *owner* node of every entry: the node of the pid when it takes part, else the node
/// that registered it. Reads (whereis_name, registered_names, send) use this node's copy,
/// without messages.
///
///  - register_name / unregister_name run a transaction in the calling process. The
///    participants are this node and the connected nodes that run otpp_global. It locks the
///    name (and, to register, the pid) on every participant, one node at a time in the
///    order of the node names (deadlock-free); a refused lock releases what it holds, backs
///    off for a random while and retries (bounded, as global:set_lock with retries). With
///    every lock held it checks that the name is free and the pid has no name anywhere
///    (else: false, as global answers no), sets the entry on every participant, and
///    unlocks. A lock held by a process that dies (or whose node goes down) is released.
///  - The owner node monitors the pid: when it dies the name goes away on every node. A
///    node that goes down takes the names it owns with it.
///  - When two otpp nodes connect, their otpp_global servers exchange the names each owns
///    (and the otpp nodes each knows, which then connect: otpp_global keeps its nodes fully
///    connected, as global does). A name registered on both sides to different pids is a
///    conflict, resolved like global's default resolver (random_exit_name), deterministically:
///    the entry whose owner node's name sorts first stays; the other pid is killed with
///    exit(Pid, kill) by its owner node, which logs a warning
///    "global: Name conflict terminating {Name,Pid}".
///  - BEAM nodes do not run otpp_global: a call to {otpp_global, BeamNode} fails at once with
///    noproc, so they are never participants and never waited for. BEAM's own `global`
///    protocol is not spoken (it is internal and changes between OTP releases): names
///    registered with global on BEAM nodes are not seen here, and these are not seen there.
///
/// The otpp_global protocol (gen_server calls with term requests, usable from any node,
/// e.g. to drive a node that runs no code of yours): {register_name, Name, Pid} -> yes | no,
/// {unregister_name, Name} -> ok, {whereis, Name} -> Pid | undefined, registered_names ->
/// [Name], sync -> ok, {await, Name, Pid | undefined} -> ok once this node's table agrees;
/// and between servers {lock, Name, Pid | undefined, Requester}, {set, Name, Pid, Owner},
/// {del, Name}, the cast {unlock, Name, Pid | undefined, Requester}, {sync_to, Server}, and
/// the messages {otpp_global_sync, Server, Node, [{Name, Pid}], [Node]},
/// {otpp_global_add, Name, Pid, Owner}, {otpp_global_del, Name, Pid}. See docs/global.md.
///
/// Thread safety: register_name, unregister_name, sync and send are called from processes;
/// whereis_name, registered_names and via work from any thread.

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "otp/atom.hpp"
#include "otp/exit.hpp"
#include "otp/pid.hpp"
#include "otp/process.hpp"
#include "otp/server_ref.hpp"
#include "otp/term.hpp"
#include "otp/term_traits.hpp"

namespace otp::global {

/// The name every otpp node's registry server is registered under: `otpp_global`.
atom server_name();

/// Registers `name` for `p` on every node of the cluster (global:register_name/2). False
/// (global's `no`) when the name is taken on any node, `p` already has a global name, `p`
/// is the null pid, or the locks could not be taken after the bounded retries. In a
/// process; throws std::logic_error when this node does not run otpp_global (it is not
/// distributed).
bool register_name(atom name, const pid& p);
/// Removes `name` everywhere (global:unregister_name/1); nothing when it is not registered.
void unregister_name(atom name);
/// The pid registered as `name`, or the null pid (global:whereis_name/1). Reads this
/// node's table: no messages, from any thread.
pid whereis_name(atom name);
/// Every globally registered name, in atom order (global:registered_names/0).
std::vector<atom> registered_names();
/// Brings this node's table up to date with every connected node (global:sync/0): drops
/// what belongs to nodes no longer connected, and fetches what every connected otpp node
/// owns. In a process.
void sync();
/// For gen_server calls and casts: the pid registered as `name` now, as a server_ref (the
/// null pid when none, so a call exits with noproc).
server_ref via(atom name);

namespace detail {
[[noreturn]] void send_badarg(atom name, term msg);

// What a message looks like in an exit reason: its term form, or {cpp_value, <<"Type">>}.
template <class V>
term describe(const V& v) {
  if constexpr (std::is_same_v<V, term>) {
    return v;
  } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    return term::binary(std::string_view(v));  // text travels as a binary
  } else if constexpr (requires {
                         { v.to_term() } -> std::convertible_to<term>;
                       }) {
    return v.to_term();
  } else if constexpr (term_convertible<V>) {
    return otp::to_term(v);
  } else {
    return otp::tuple(atom("cpp_value"), term::binary(otp::detail::ops_holder<V>::name()));
  }
}
}  // namespace detail

/// Sends `msg` to the process registered as `name` (global:send/2) and returns its pid.
/// Exits (throws otp::exit_exception) with {badarg, {Name, Msg}} when no process has the
/// name. A message for a process on another node needs a term form, as any remote send.
template <class T>
pid send(atom name, T&& msg) {
  pid to = whereis_name(name);
  if (to.is_null()) detail::send_badarg(name, detail::describe(msg));
  otp::send(to, std::forward<T>(msg));
  return to;
}

}  // namespace otp::global
