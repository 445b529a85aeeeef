// otp/global.hpp: the cluster-wide name registry, and its server `otpp_global`.
//
// The server is a gen_server taking terms. Its state:
//  - names_: Name -> {Pid, Owner node, our monitor on Pid when we own the entry};
//  - locks_: resource (a Name, or a Pid being registered) -> the requester holding it, and
//    requesters_: requester -> our monitor on it (a dead requester frees its locks; a remote
//    requester's monitor stays until it dies, see release_if_idle);
//  - known_: the nodes we sent our owned names to since they came up (they hear of every
//    change to our names from then on, in order), each with our monitor on its otpp_global
//    (noproc at once for a BEAM node, which then leaves known_); peers_: the nodes whose
//    otpp_global sent us theirs;
//  - waiters_: {await, Name, Expected} calls not answered yet.
// Readers on any thread see names_ through a shared copy (Name -> Pid) under a mutex,
// written only by the server (Erlang's global keeps an ETS table the same way).
//
// Transactions (register/unregister) run in the calling process — or, when another node
// asks for one through the protocol, in this node's registrar process — never in the server:
// the server only answers non-blocking requests, so two servers never wait for each other.

#include "otp/global.hpp"

#include "global.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "otp/dist.hpp"
#include "otp/gen_server.hpp"
#include "otp/logger.hpp"
#include "otp/node.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"

namespace otp::global {

namespace {

const atom a_server("otpp_global");
const atom a_undefined("undefined");
const atom a_yes("yes");
const atom a_no("no");
const atom a_lock("lock");
const atom a_unlock("unlock");
const atom a_set("set");
const atom a_del("del");
const atom a_whereis("whereis");
const atom a_registered_names("registered_names");
const atom a_table("table");
const atom a_register_name("register_name");
const atom a_unregister_name("unregister_name");
const atom a_sync("sync");
const atom a_prune("prune");
const atom a_sync_to("sync_to");
const atom a_await("await");
const atom a_nodeup("nodeup");
const atom a_nodedown("nodedown");
const atom a_msg_sync("otpp_global_sync");
const atom a_msg_add("otpp_global_add");
const atom a_msg_del("otpp_global_del");

// How many times a transaction tries to take its locks, and the longest random pause
// between two tries.
constexpr int max_attempts = 60;
constexpr std::chrono::milliseconds max_backoff{500};

// ---- the table readers see -------------------------------------------------------------

struct shared_names {
  std::mutex mu;
  uint64_t writer = 0;                  // guarded by mu: the server generation filling it
  std::unordered_map<atom, pid> names;  // guarded by mu
};

shared_names& shared() {
  static auto* s = new shared_names();  // never destroyed: processes outlive statics
  return *s;
}

std::atomic<uint64_t> generations{0};

// The server's hold on the shared table: it empties the table when the server goes, as an
// ETS table goes with its owner (unless a newer server took the table over).
struct table_lease {
  uint64_t generation = ++generations;
  table_lease() {
    shared_names& s = shared();
    std::lock_guard lk(s.mu);
    s.writer = generation;
    s.names.clear();
  }
  ~table_lease() {
    shared_names& s = shared();
    std::lock_guard lk(s.mu);
    if (s.writer == generation) {
      s.names.clear();
      s.writer = 0;
    }
  }
  table_lease(const table_lease&) = delete;
  table_lease& operator=(const table_lease&) = delete;
};

// The node a pid lives on (local pids carry no node name).
atom node_of(const pid& p) {
  return p.is_local() ? node_name() : p.node();
}

std::vector<term> terms_of(const term& list) {
  std::vector<term> out;
  for (const term* l = &list; l->is_cons(); l = &l->tail()) out.push_back(l->head());
  return out;
}

// ---- the registrar ---------------------------------------------------------------------
//
// Runs the transactions asked of otpp_global ({register_name, ...}, {unregister_name, ...},
// sync) one after the other and answers the callers. One long-lived process per node, as
// global's registrar: the other servers keep a single monitor on it.

struct registrar_job {
  from f;
  term req;
};

void registrar_loop() {
  for (;;) {
    std::optional<registrar_job> job =
        receive([](registrar_job j) { return std::optional<registrar_job>(std::move(j)); },
                [](any_message) { return std::optional<registrar_job>(); });
    if (!job) continue;  // a stray message (a late reply): dropped
    const term& req = job->req;
    term r;
    try {
      if (req.is_tuple(3)) {
        r = term(global::register_name(req[1].as_atom(), req[2].as_pid()) ? a_yes : a_no);
      } else if (req.is_tuple(2)) {
        global::unregister_name(req[1].as_atom());
        r = term(atoms::ok);
      } else {
        global::sync();
        r = term(atoms::ok);
      }
    } catch (const std::exception& e) {
      r = otp::tuple(atoms::error, term::binary(e.what()));
    }
    gen_server::reply(job->f, std::move(r));
  }
}

// ---- the server --------------------------------------------------------------------------

class name_server {
 public:
  using calls = types<term>;
  using casts = types<term>;
  using infos = types<term>;

  name_server()
      : me_(node_name()),
        lease_(std::make_unique<table_lease>()),
        registrar_(spawn_link(registrar_loop)) {
    monitor_nodes(true);
    for (atom n : nodes()) send_sync(n);  // nodes that connected before we started
  }

  gen_server::call_result<term> handle_call(term req, const from& f) {
    using result = gen_server::call_result<term>;
    auto reply = [](term t) { return result::reply(std::move(t)); };
    const term ok(atoms::ok);
    if (req.is_tuple(4) && req[0].is_atom(a_lock) && req[1].is_atom() && req[3].is_pid() &&
        (req[2].is_pid() || req[2].is_atom(a_undefined)))
      return reply(lock(req[1].as_atom(), req[2], req[3].as_pid()));
    if (req.is_tuple(4) && req[0].is_atom(a_set) && req[1].is_atom() && req[2].is_pid() &&
        req[3].is_atom()) {
      put(req[1].as_atom(), req[2].as_pid(), req[3].as_atom());
      return reply(ok);
    }
    if (req.is_tuple(2) && req[0].is_atom(a_del) && req[1].is_atom()) {
      remove(req[1].as_atom());
      return reply(ok);
    }
    if (req.is_tuple(2) && req[0].is_atom(a_whereis) && req[1].is_atom()) {
      auto it = names_.find(req[1].as_atom());
      return reply(it == names_.end() ? term(a_undefined) : term(it->second.p));
    }
    if (req.is_atom(a_registered_names)) {
      std::vector<term> out;
      for (auto& [name, e] : names_) out.emplace_back(name);
      return reply(term::list(std::move(out)));
    }
    if (req.is_atom(a_table)) {  // diagnostics: [{Name, Pid, Owner}]
      std::vector<term> out;
      for (auto& [name, e] : names_) out.push_back(otp::tuple(name, e.p, e.owner));
      return reply(term::list(std::move(out)));
    }
    // Transactions run in our registrar, one at a time (as global's registrar process).
    if ((req.is_tuple(3) && req[0].is_atom(a_register_name) && req[1].is_atom() &&
         req[2].is_pid()) ||
        (req.is_tuple(2) && req[0].is_atom(a_unregister_name) && req[1].is_atom()) ||
        req.is_atom(a_sync)) {
      otp::send(registrar_, registrar_job{f, std::move(req)});
      return gen_server::noreply();
    }
    if (req.is_atom(a_prune)) {
      prune();
      return reply(ok);
    }
    if (req.is_tuple(2) && req[0].is_atom(a_sync_to) && req[1].is_pid()) {
      pid to = req[1].as_pid();
      otp::send(to, sync_message(node_of(to)));
      return reply(ok);
    }
    if (req.is_tuple(3) && req[0].is_atom(a_await) && req[1].is_atom() &&
        (req[2].is_pid() || req[2].is_atom(a_undefined))) {
      atom name = req[1].as_atom();
      if (holds(name, req[2])) return reply(ok);
      waiters_.push_back({f, name, req[2], otp::monitor(f.caller)});
      return gen_server::noreply();
    }
    return reply(otp::tuple(atoms::error, otp::tuple(atom("bad_request"), req)));
  }

  void handle_cast(term msg) {
    if (msg.is_tuple(4) && msg[0].is_atom(a_unlock) && msg[1].is_atom() && msg[3].is_pid())
      unlock(msg[1].as_atom(), msg[2], msg[3].as_pid());
  }

  void handle_info(term msg) {
    if (auto d = down_msg::from_term(msg)) {
      on_down(*d);
    } else if (msg.is_tuple(2) && msg[0].is_atom(a_nodeup) && msg[1].is_atom()) {
      atom n = msg[1].as_atom();
      if (n != me_) send_sync(n);
    } else if (msg.is_tuple(2) && msg[0].is_atom(a_nodedown) && msg[1].is_atom()) {
      node_gone(msg[1].as_atom());
    } else if (msg.is_tuple(5) && msg[0].is_atom(a_msg_sync) && msg[1].is_pid() &&
               msg[2].is_atom() && msg[3].is_list() && msg[4].is_list()) {
      on_sync(msg[1].as_pid(), msg[2].as_atom(), msg[3], msg[4]);
    } else if (msg.is_tuple(4) && msg[0].is_atom(a_msg_add) && msg[1].is_atom() &&
               msg[2].is_pid() && msg[3].is_atom()) {
      // An owner's news. Never a conflict: a name we hold for another pid stays (the
      // transaction that set it held the locks; conflicts are settled on connect only).
      atom owner = msg[3].as_atom();
      if (owner != me_ && !names_.count(msg[1].as_atom()))
        put(msg[1].as_atom(), msg[2].as_pid(), owner);
    } else if (msg.is_tuple(3) && msg[0].is_atom(a_msg_del) && msg[1].is_atom() &&
               msg[2].is_pid()) {
      auto it = names_.find(msg[1].as_atom());
      if (it != names_.end() && it->second.p == msg[2].as_pid() && it->second.owner != me_)
        remove(msg[1].as_atom());
    }
    // Anything else is ignored: the protocol comes from other nodes, never trusted to crash us.
  }

  term to_term() const {
    std::vector<term> peers;
    for (auto& [n, p] : peers_) peers.emplace_back(n);
    return otp::tuple(a_server, term(uint64_t(names_.size())), term(uint64_t(locks_.size())),
                      term::list(std::move(peers)));
  }

 private:
  struct entry {
    pid p;
    atom owner;
    reference mref;  // our monitor on p, when we own the entry
    bool monitored = false;
  };
  struct waiter {
    from f;
    atom name;
    term expected;
    reference mref;
  };

  // ---- locks ----

  term lock(atom name, const term& p, const pid& requester) {
    std::vector<term> resources{term(name)};
    if (p.is_pid()) resources.push_back(p);
    for (const term& r : resources) {
      auto it = locks_.find(r);
      if (it != locks_.end() && it->second != requester) return term(atoms::false_);
    }
    for (const term& r : resources) locks_[r] = requester;
    if (!requesters_.count(requester)) requesters_[requester] = otp::monitor(requester);
    auto it = names_.find(name);
    term holder = it == names_.end() ? term(a_undefined) : term(it->second.p);
    term pid_name(a_undefined);
    if (p.is_pid()) {
      pid q = p.as_pid();
      for (auto& [n, e] : names_) {
        if (e.p == q) {
          pid_name = term(n);
          break;
        }
      }
    }
    return otp::tuple(atoms::true_, holder, pid_name);
  }

  void unlock(atom name, const term& p, const pid& requester) {
    for (const term& r : {term(name), p}) {
      auto it = locks_.find(r);
      if (it != locks_.end() && it->second == requester) locks_.erase(it);
    }
    release_if_idle(requester);
  }

  // Drops our monitor on a requester holding no lock any more. Only for local requesters: a
  // remote one keeps its monitor (one per process, until it dies or its node goes), because
  // a DEMONITOR sent just after its node went down would make the controller reconnect.
  void release_if_idle(const pid& requester) {
    if (!requester.is_local()) return;
    for (auto& [r, who] : locks_)
      if (who == requester) return;
    auto it = requesters_.find(requester);
    if (it == requesters_.end()) return;
    otp::demonitor(it->second, true);
    requesters_.erase(it);
  }

  // ---- the table ----

  bool holds(atom name, const term& expected) const {
    auto it = names_.find(name);
    if (it == names_.end()) return expected.is_atom(a_undefined);
    return expected.is_pid() && expected.as_pid() == it->second.p;
  }

  void put(atom name, const pid& p, atom owner) {
    auto it = names_.find(name);
    if (it != names_.end()) {
      if (it->second.p == p && it->second.owner == owner) return;
      forget(it->second);
    }
    entry e{p, owner, reference(), false};
    if (owner == me_) {
      e.mref = otp::monitor(p);
      e.monitored = true;
      owned_refs_[e.mref] = name;
    } else if (!peers_.count(owner) && !watched_.count(owner)) {
      // An owner we have not heard from: connect to it (or hear {nodedown, Owner} at once
      // if we cannot), so its names do not outlive it here.
      watched_.insert(owner);
      monitor_node(owner, true);
    }
    names_[name] = e;
    {
      shared_names& s = shared();
      std::lock_guard lk(s.mu);
      if (s.writer == lease_->generation) s.names[name] = p;
    }
    if (owner == me_) broadcast(otp::tuple(a_msg_add, name, p, me_));
    wake(name);
  }

  // Removes `name`; when we own it, every node we told hears of it.
  void remove(atom name) {
    auto it = names_.find(name);
    if (it == names_.end()) return;
    entry e = it->second;
    forget(e);
    names_.erase(it);
    {
      shared_names& s = shared();
      std::lock_guard lk(s.mu);
      if (s.writer == lease_->generation) s.names.erase(name);
    }
    if (e.owner == me_) broadcast(otp::tuple(a_msg_del, name, e.p));
    wake(name);
  }

  // Drops our monitor on an entry's pid.
  void forget(entry& e) {
    if (!e.monitored) return;
    otp::demonitor(e.mref, true);
    owned_refs_.erase(e.mref);
    e.monitored = false;
  }

  void wake(atom name) {
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->name == name && holds(name, it->expected)) {
        otp::demonitor(it->mref, true);
        gen_server::reply(it->f, term(atoms::ok));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // ---- other nodes ----

  // {otpp_global_sync, Self, Node, [{Name, Pid}] we own, [Node] we know run otpp_global}.
  term sync_message(atom to) const {
    std::vector<term> owned;
    for (auto& [name, e] : names_)
      if (e.owner == me_) owned.push_back(otp::tuple(name, e.p));
    std::vector<term> peers;
    for (auto& [n, p] : peers_)
      if (n != to) peers.emplace_back(n);
    return otp::tuple(a_msg_sync, self(), me_, term::list(std::move(owned)),
                      term::list(std::move(peers)));
  }

  // Tells `n` what we own; from now on `n` hears of every change to it.
  // Also monitors {otpp_global, n}: a BEAM node (or an otpp node without the server) answers
  // noproc at once and is no participant; a peer server that dies takes its names along.
  void send_sync(atom n) {
    known_.insert(n);
    if (!server_mons_.count(n)) server_mons_[n] = otp::monitor(a_server, n);
    otp::send(a_server, n, sync_message(n));
  }

  void broadcast(const term& msg) {
    for (atom n : known_) otp::send(a_server, n, msg);
  }

  void on_sync(const pid& server, atom n, const term& owned, const term& peers) {
    if (n == me_) return;
    bool is_new = !peers_.count(n);
    peers_[n] = server;
    watched_.erase(n);
    if (!known_.count(n)) send_sync(n);
    if (is_new) {  // our other peers hear of it (our message lists it), and connect to it
      for (auto& [other, their_server] : peers_)
        if (other != n) otp::send(their_server, sync_message(other));
    }
    for (const term& t : terms_of(owned))
      if (t.is_tuple(2) && t[0].is_atom() && t[1].is_pid()) merge(t[0].as_atom(), t[1].as_pid(), n);
    // A fully connected cluster: meet the otpp nodes our peer knows and we do not (our
    // message connects; both sides then exchange names on nodeup).
    std::vector<atom> up = nodes();
    for (const term& t : terms_of(peers)) {
      if (!t.is_atom()) continue;
      atom other = t.as_atom();
      if (other == me_ || std::find(up.begin(), up.end(), other) != up.end()) continue;
      otp::send(a_server, other, sync_message(other));
    }
  }

  // An entry `n` owns, heard on connect.
  void merge(atom name, const pid& p, atom n) {
    auto it = names_.find(name);
    if (it == names_.end()) {
      put(name, p, n);
      return;
    }
    entry local = it->second;
    if (local.p == p) return;
    if (local.owner == n) {  // its owner says otherwise: ours is stale
      put(name, p, n);
      return;
    }
    // A conflict (global's random_exit_name, made deterministic): the entry whose owner
    // node sorts first stays; the owner of the other kills its pid.
    bool incoming_wins = n < local.owner;
    if (!incoming_wins) return;  // `n` learns of ours (from us or its owner) and kills its own
    bool kill_loser = local.owner == me_ || !peers_.count(local.owner);
    remove(name);
    put(name, p, n);
    if (kill_loser) {
      logger::warning("global: Name conflict terminating {}", to_string(otp::tuple(name, local.p)));
      otp::exit(local.p, atoms::kill);
    }
  }

  // `n` is down, or its otpp_global is not running: it is no participant, its names go.
  void node_gone(atom n) {
    peers_.erase(n);
    known_.erase(n);
    watched_.erase(n);
    // No demonitor: the monitor ends with the connection or has fired (a DEMONITOR towards
    // a node that is down would make the controller connect to it again).
    server_mons_.erase(n);
    std::vector<atom> gone;
    for (auto& [name, e] : names_)
      if (e.owner == n) gone.push_back(name);
    for (atom name : gone) remove(name);
  }

  // Forgets nodes that are no longer connected (global:sync's first half).
  void prune() {
    std::vector<atom> up = nodes();
    auto is_up = [&](atom n) { return n == me_ || std::find(up.begin(), up.end(), n) != up.end(); };
    std::set<atom> gone;
    for (auto& [n, p] : peers_)
      if (!is_up(n)) gone.insert(n);
    for (atom n : known_)
      if (!is_up(n)) gone.insert(n);
    for (auto& [name, e] : names_)
      if (!is_up(e.owner)) gone.insert(e.owner);
    for (atom n : gone) node_gone(n);
  }

  void on_down(const down_msg& d) {
    if (auto it = owned_refs_.find(d.ref); it != owned_refs_.end()) {
      atom name = it->second;
      owned_refs_.erase(it);
      auto e = names_.find(name);
      if (e != names_.end() && e->second.monitored && e->second.mref == d.ref) {
        e->second.monitored = false;
        remove(name);
      }
      return;
    }
    for (auto& [n, ref] : server_mons_) {
      if (ref == d.ref) {
        atom gone = n;
        server_mons_.erase(gone);
        node_gone(gone);
        return;
      }
    }
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
      if (it->mref == d.ref) {
        waiters_.erase(it);
        return;
      }
    }
    pid who = d.process();
    auto r = requesters_.find(who);
    if (r != requesters_.end() && r->second == d.ref) {
      requesters_.erase(r);
      for (auto it = locks_.begin(); it != locks_.end();) {
        if (it->second == who) {
          it = locks_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  atom me_;
  std::unique_ptr<table_lease> lease_;
  pid registrar_;  // linked: runs the transactions other nodes ask of us
  std::map<atom, entry> names_;
  std::map<reference, atom> owned_refs_;
  std::map<term, pid> locks_;
  std::map<pid, reference> requesters_;
  std::set<atom> known_;
  std::map<atom, reference> server_mons_;  // node -> our monitor on its otpp_global
  std::map<atom, pid> peers_;
  std::set<atom> watched_;
  std::vector<waiter> waiters_;
};

// ---- transactions (in the calling process) ------------------------------------------------

enum class outcome : uint8_t { replied, absent, failed };

struct call_answer {
  outcome how;
  term value;
};

// A call to otpp_global on `n`. `absent` when it does not run there (noproc: a BEAM node,
// or an otpp node without it) or the node is gone; `failed` when it did not answer in time.
call_answer call_server(atom n, term req) {
  try {
    term r = n == node_name() ? gen_server::call(server_ref(a_server), std::move(req))
                              : gen_server::call(server_ref(a_server, n), std::move(req));
    return {outcome::replied, std::move(r)};
  } catch (const exit_exception& e) {
    if (otp::detail::exiting_by_signal()) throw;
    const term& why = e.reason();
    if (why.is_tuple(2) && why[0].is_atom(atoms::timeout)) return {outcome::failed, term()};
    return {outcome::absent, term()};
  }
}

void cast_server(atom n, term msg) {
  if (n == node_name()) {
    gen_server::cast(server_ref(a_server), std::move(msg));
  } else {
    gen_server::cast(server_ref(a_server, n), std::move(msg));
  }
}

// This node and the connected ones, in the order locks are taken.
std::vector<atom> candidates() {
  std::vector<atom> all = nodes();
  all.push_back(node_name());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

void backoff(int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  auto cap = std::min<long long>(max_backoff.count(), 4LL << std::min(attempt, 7));
  std::uniform_int_distribution<long long> pick(1, cap);
  otp::sleep(std::chrono::milliseconds(pick(rng)));
}

struct locked_set {
  std::vector<atom> nodes;  // where we hold the locks
  bool clash = false;       // a lock answer said the name is taken or the pid has a name
};

// Locks {name, p} on every participant in node order. nullopt when a lock was refused
// (what we held is released).
std::optional<locked_set> lock_all(atom name, const term& p, bool check) {
  locked_set got;
  const term req = otp::tuple(a_lock, name, p, self());
  for (atom n : candidates()) {
    call_answer a = call_server(n, req);
    if (a.how == outcome::absent) {
      if (n == node_name())
        throw std::logic_error(
            "otp::global: otpp_global is not running on this node (start_distribution starts it)");
      continue;  // not a participant
    }
    if (a.how == outcome::failed || !a.value.is_tuple(3) || !a.value[0].is_atom(atoms::true_)) {
      for (atom l : got.nodes) cast_server(l, otp::tuple(a_unlock, name, p, self()));
      return std::nullopt;
    }
    got.nodes.push_back(n);
    if (check && (!a.value[1].is_atom(a_undefined) || !a.value[2].is_atom(a_undefined))) {
      got.clash = true;
      return got;
    }
  }
  return got;
}

void unlock_all(const locked_set& l, atom name, const term& p) {
  for (atom n : l.nodes) cast_server(n, otp::tuple(a_unlock, name, p, self()));
}

}  // namespace

atom server_name() {
  return a_server;
}

bool register_name(atom name, const pid& p) {
  if (!otp::in_process()) throw std::logic_error("otp::global::register_name: not in a process");
  if (p.is_null()) return false;
  const term pt(p);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    std::optional<locked_set> l = lock_all(name, pt, true);
    if (!l) {
      backoff(attempt);
      continue;
    }
    if (l->clash) {
      unlock_all(*l, name, pt);
      return false;
    }
    atom owner = node_of(p);
    if (std::find(l->nodes.begin(), l->nodes.end(), owner) == l->nodes.end()) owner = node_name();
    for (atom n : l->nodes) (void)call_server(n, otp::tuple(a_set, name, p, owner));
    unlock_all(*l, name, pt);
    return true;
  }
  logger::warning("global: could not lock {} to register it", to_string(term(name)));
  return false;
}

void unregister_name(atom name) {
  if (!otp::in_process()) throw std::logic_error("otp::global::unregister_name: not in a process");
  const term none(a_undefined);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    std::optional<locked_set> l = lock_all(name, none, false);
    if (!l) {
      backoff(attempt);
      continue;
    }
    for (atom n : l->nodes) (void)call_server(n, otp::tuple(a_del, name));
    unlock_all(*l, name, none);
    return;
  }
  logger::warning("global: could not lock {} to unregister it", to_string(term(name)));
}

pid whereis_name(atom name) {
  shared_names& s = shared();
  std::lock_guard lk(s.mu);
  auto it = s.names.find(name);
  return it == s.names.end() ? pid() : it->second;
}

std::vector<atom> registered_names() {
  std::vector<atom> out;
  {
    shared_names& s = shared();
    std::lock_guard lk(s.mu);
    for (auto& [name, p] : s.names) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void sync() {
  if (!otp::in_process()) throw std::logic_error("otp::global::sync: not in a process");
  pid server = whereis(a_server);
  if (server.is_null()) return;
  (void)call_server(node_name(), term(a_prune));
  // Each server sends its names to ours before it answers us: once every answer is in,
  // our server has them queued ahead of the next call.
  for (atom n : nodes()) (void)call_server(n, otp::tuple(a_sync_to, server));
  (void)call_server(node_name(), otp::tuple(a_whereis, a_server));
}

server_ref via(atom name) {
  return server_ref(whereis_name(name));
}

namespace detail {
void send_badarg(atom name, term msg) {
  throw exit_exception(otp::tuple(atom("badarg"), otp::tuple(name, std::move(msg))));
}
}  // namespace detail

}  // namespace otp::global

namespace otp::dist {

void start_global(node& n) {
  auto started = std::make_shared<std::promise<void>>();
  std::future<void> done = started->get_future();
  n.spawn([started] {
    auto r =
        gen_server::start<global::name_server>(gen_server::start_options{.name = global::a_server});
    if (!r) logger::error("global: otpp_global did not start: {}", to_string(r.reason()));
    started->set_value();
  });
  // From a scheduler thread waiting could hold up the very scheduler that runs the server.
  if (!in_process()) done.wait_for(std::chrono::seconds(10));
}

}  // namespace otp::dist
