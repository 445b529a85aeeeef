#pragma once
/// \file
/// pg: process groups, compatible with Erlang's `pg` module (OTP 23+), so one group can
/// hold processes of BEAM and otpp nodes alike.
///
///     otp::pg::start_link();                       // the default scope, `pg`
///     otp::pg::join(otp::atom("workers"), otp::self());
///     std::vector<otp::pid> all = otp::pg::get_members(otp::atom("workers"));
///     %% on an erl node running pg:start_link():  pg:get_members(workers)  sees it too
///
/// A scope is a process registered under the scope's name (a gen_server) that speaks pg's
/// protocol with the scope processes of the same name on every connected node, as OTP 25's
/// pg.erl does: on start and on each {nodeup, Node} it sends {discover, Self} to
/// {Scope, Node}; a discover is answered with a cast {sync, Self, [{Group, [Pid]}]} of this
/// node's members (and a discover back, the first time); joins and leaves of local processes
/// go to every known peer scope as {join, Self, Group, PidOrPids} and
/// {leave, Self, PidOrPids, [Group]}. The scope monitors the local members (a member that
/// dies leaves all its groups, everywhere) and each peer scope (when a peer scope or its
/// node goes down, its members are removed here).
///
/// Start distribution before starting a scope: the scope subscribes to node up/down events
/// when it starts (otp::monitor_nodes), and there is nothing to subscribe to before.
/// Messages to peer scopes are plain sends (pg.erl uses `noconnect`; here a send to a node
/// that just went down may start a connection attempt, which then fails).
///
/// Groups are any terms. Membership is a multiset, as in Erlang: a process that joined a
/// group twice must leave it twice. Lists of members are newest first, as pg returns them.
/// `get_members` and friends read a table the scope keeps (Erlang's ETS table), without
/// a call: they work from any thread, and answer `[]` for a scope that is not running.
///
/// Monitoring (OTP 25.1's pg:monitor_scope/monitor): the monitoring process gets
/// `{Ref, join | leave, Group, [Pid]}` messages (`pg::notification` is their typed view)
/// until it calls `pg::demonitor(ref)` or dies.
///
/// Thread safety: start/join/leave/monitor/demonitor from processes; reads from anywhere.

#include <map>
#include <optional>
#include <vector>

#include "otp/atom.hpp"
#include "otp/pid.hpp"
#include "otp/proc_lib.hpp"
#include "otp/term.hpp"

namespace otp::pg {

/// The default scope's name, `pg`.
atom default_scope();

/// Starts scope `pg` linked to the calling process ({ok, Pid}, or {error, {already_started, Pid}}).
start_result start_link();
/// Starts a scope with another name (pg:start_link(Scope)).
start_result start_link(atom scope);
/// Starts a scope not linked to the caller (pg:start(Scope)).
start_result start(atom scope);

/// Adds local processes to `group` (pg:join). Throws std::invalid_argument (Erlang's
/// {nolocal, Pid} error) for a pid of another node; exits with noproc when the scope is not
/// running.
void join(const term& group, const pid& member);
void join(const term& group, const std::vector<pid>& members);
void join(atom scope, const term& group, const pid& member);
void join(atom scope, const term& group, const std::vector<pid>& members);

/// Removes local processes from `group` once each (pg:leave). False when none of them was
/// in it (Erlang's not_joined).
bool leave(const term& group, const pid& member);
bool leave(const term& group, const std::vector<pid>& members);
bool leave(atom scope, const term& group, const pid& member);
bool leave(atom scope, const term& group, const std::vector<pid>& members);

/// All members of `group`, on every node (newest first).
std::vector<pid> get_members(const term& group);
std::vector<pid> get_members(atom scope, const term& group);
/// The members on this node.
std::vector<pid> get_local_members(const term& group);
std::vector<pid> get_local_members(atom scope, const term& group);
/// Groups with at least one member anywhere / on this node.
std::vector<term> which_groups(atom scope = default_scope());
std::vector<term> which_local_groups(atom scope = default_scope());

/// What pg:monitor_scope/1 returns: the reference the notifications carry, and every group
/// with its members.
struct scope_monitor {
  reference ref;
  std::map<term, std::vector<pid>> groups;
};
/// What pg:monitor/2 returns: the reference, and the group's members.
struct group_monitor {
  reference ref;
  std::vector<pid> members;
};

/// Notifications for every join and leave in the scope, to the calling process.
scope_monitor monitor_scope(atom scope = default_scope());
/// Notifications for one group.
group_monitor monitor(const term& group);
group_monitor monitor(atom scope, const term& group);
/// Ends a monitor and removes its notifications from the mailbox; false when `ref` was
/// not a monitor of that scope.
bool demonitor(const reference& ref);
bool demonitor(atom scope, const reference& ref);

/// `{Ref, join | leave, Group, [Pid]}` as a typed view (`receive<pg::notification>`).
struct notification {
  reference ref;
  bool joined = false;  // join (true) or leave (false)
  term group;
  std::vector<pid> pids;
  static std::optional<notification> from_term(const term& t);
  term to_term() const;
};

}  // namespace otp::pg
