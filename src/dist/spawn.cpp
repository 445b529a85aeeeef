// SPAWN_REQUEST from peers (erlang:spawn_request/5 on another node, which erpc, OTP 25's
// rpc:call and spawn/4 use).
//
// What erpc:call(Node, M, F, A) does (OTP 25, erpc.erl): spawn_request(Node, erpc,
// execute_call, [Ref, M, F, A], [{reply, error_only}, monitor]), then waits for
// {spawn_reply, ReqId, error, Reason} or {'DOWN', ReqId, process, _, Reason}: the monitor's
// reference is the request id, and the result travels as the new process's exit reason,
// {Ref, return | throw | exit, X} or {Ref, error, R, Stack}. The requester's node always
// gets a SPAWN_REPLY ({reply, ...} only decides whether its process sees a message), and
// links and monitors asked for are set up by the spawning side: no LINK or MONITOR_P
// travels, the reply's flags say what was set up.
//
// Here: the new process records the link / monitor in its own lists (dist_hooks), the
// connection's bookkeeping (so a lost connection delivers noconnection), then enqueues the
// SPAWN_REPLY itself, before running anything — so the reply precedes every signal it can
// send (its EXIT or DOWN go out on the same connection, later). Then it runs:
//  - erpc:execute_call(Ref, M, F, A): the registered M:F, exiting with erpc's reason;
//  - erpc:execute_cast(M, F, A): the registered M:F, result ignored;
//  - any other M:F(A): the registered function as the process body (exit normal when it
//    returns; as BEAM does for an uncaught exception otherwise, {undef, ...} when unknown).

#include <optional>

#include "controller.hpp"
#include "otp/exit.hpp"
#include "otp/logger.hpp"
#include "otp/process.hpp"
#include "rpc.hpp"
#include "runtime/dist_hooks.hpp"
#include "runtime/node_impl.hpp"

namespace otp::dist {

namespace {

const atom erpc_module("erpc");

struct spawn_job {
  std::shared_ptr<connection> conn;
  reference req_id;
  pid requester;
  uint32_t flags = 0;
  atom module;
  atom function;
  term args;
};

// The spawned process's first steps. False when the requester's node is gone already.
// Lets go of the connection (the process may run for long; the controller owns it).
bool announce(spawn_job& j) {
  std::shared_ptr<connection> conn = std::move(j.conn);
  pid me = self();
  bool linked = (j.flags & spawn_flag_link) != 0;
  bool monitored = (j.flags & spawn_flag_monitor) != 0;
  if (linked) {
    detail::adopt_link(j.requester);
    conn->track_incoming(ctrl::link{j.requester, me});
  }
  if (monitored) {
    detail::adopt_watcher(j.req_id, j.requester);
    conn->add_watcher(j.req_id, {me, j.requester, std::nullopt});
  }
  if (conn->enqueue(ctrl::spawn_reply{j.req_id, j.requester, j.flags, me})) return true;
  // The connection went down first: nobody is left to hear of us. (If its bookkeeping took
  // our entries, a noconnection exit and a demonitor are on their way: harmless now.)
  if (linked) detail::forget_link(j.requester);
  if (monitored) detail::drop_watcher(j.req_id);
  return false;
}

void run_spawned(spawn_job& j) {
  if (!announce(j)) otp::exit(term(atoms::noconnection));
  std::vector<term> v = j.args.list_elements();  // a proper list: the parser checked
  if (j.module == erpc_module && j.function == atom("execute_call") && v.size() == 4) {
    // erpc:execute_call(Ref, M, F, A)
    rpc_outcome o;
    if (v[1].is_atom() && v[2].is_atom()) {
      o = apply_registered(v[1].as_atom(), v[2].as_atom(), v[3]);
    } else {  // apply/3 fails with badarg
      o = {rpc_outcome::kind::error, term(atoms::badarg),
           otp::list(
               otp::tuple(atom("erlang"), atom("apply"), otp::list(v[1], v[2], v[3]), term()))};
    }
    otp::exit(erpc_exit_reason(v[0], o));
  }
  if (j.module == erpc_module && j.function == atom("execute_cast") && v.size() == 3) {
    // erpc:execute_cast(M, F, A): nobody waits for the result; a failure is logged.
    if (!v[0].is_atom() || !v[1].is_atom()) otp::exit(otp::tuple(atoms::badarg, term()));
    rpc_outcome o = apply_registered(v[0].as_atom(), v[1].as_atom(), v[2]);
    if (o.how == rpc_outcome::kind::returned) return;
    term why = spawn_exit_reason(o);
    logger::warning("erpc: cast of {}:{} failed: {}", v[0].as_atom().name(), v[1].as_atom().name(),
                    to_string(why));
    otp::exit(why);
  }
  rpc_outcome o = apply_registered(j.module, j.function, j.args);
  if (o.how != rpc_outcome::kind::returned) otp::exit(spawn_exit_reason(o));
}

// Options we act on: link, monitor ({monitor, Opts} too). The rest (priority, heap sizes,
// message_queue_data...) mean nothing here and are accepted, as a BEAM would.
uint32_t requested_flags(const term& opts) {
  uint32_t flags = 0;
  for (const term* t = &opts; t->is_cons(); t = &t->tail()) {
    const term& o = t->head();
    if (o.is_atom(atom("link"))) flags |= spawn_flag_link;
    if (o.is_atom(atom("monitor")) || (o.is_tuple(2) && o[0].is_atom(atom("monitor"))))
      flags |= spawn_flag_monitor;
  }
  return flags;
}

}  // namespace

void controller::handle_spawn_request(connection& c, const ctrl::spawn_request& m) {
  if (stopping_.load(std::memory_order_acquire)) {  // shutdown no longer waits for new processes
    c.enqueue(ctrl::spawn_reply{m.req_id, m.from, 0, atom("notsup")});
    return;
  }
  spawn_job job{c.shared_from_this(), m.req_id, m.from, requested_flags(m.options), m.module,
                m.function,           m.args};
  try {
    node_.spawn({detail::make_body([job = std::move(job)]() mutable { run_spawned(job); })},
                nullptr);
  } catch (const std::runtime_error&) {  // the process table is full
    c.enqueue(ctrl::spawn_reply{m.req_id, m.from, 0, atoms::system_limit});
  }
}

}  // namespace otp::dist
