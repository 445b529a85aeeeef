// otp/pg.hpp: process groups speaking OTP 25 pg.erl's protocol.
//
// The scope is a gen_server taking terms, with pg.erl's state:
//  - local_: each local member -> (the scope's monitor on it, its groups, newest first);
//  - remote_: each peer scope process -> (our monitor on it, its groups -> members);
//  - scope/group monitors and who watches which group.
// Members are also kept in a table shared with readers (Erlang's protected ETS table):
// group -> (all members, local members), both newest first, written only by the scope
// process under the table's lock. The table lives as long as the scope process.

#include "otp/pg.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

#include "otp/dist.hpp"
#include "otp/gen_server.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"

namespace otp::pg {

namespace {

// ---- the shared table ---------------------------------------------------------------

struct group_entry {
  std::vector<pid> all;    // newest first
  std::vector<pid> local;  // newest first
};

struct scope_table {
  std::shared_mutex mu;
  std::unordered_map<term, group_entry> groups;  // guarded by mu
};

struct table_registry {
  std::mutex mu;
  std::unordered_map<atom, std::shared_ptr<scope_table>> tables;  // guarded by mu
};

table_registry& tables() {
  static table_registry* r = new table_registry();  // never destroyed: processes outlive statics
  return *r;
}

std::shared_ptr<scope_table> find_table(atom scope) {
  table_registry& r = tables();
  std::lock_guard lk(r.mu);
  auto it = r.tables.find(scope);
  return it == r.tables.end() ? nullptr : it->second;
}

// Erlang's `A -- B`: removes the first occurrence of each element of `b` from `a`.
void subtract(std::vector<pid>& a, const std::vector<pid>& b) {
  for (const pid& p : b) {
    auto it = std::find(a.begin(), a.end(), p);
    if (it != a.end()) a.erase(it);
  }
}

void prepend(std::vector<pid>& a, const std::vector<pid>& b) {
  a.insert(a.begin(), b.begin(), b.end());
}

term pid_list(const std::vector<pid>& pids) {
  std::vector<term> v(pids.begin(), pids.end());
  return term::list(std::move(v));
}

// A pid or a list of pids (the shapes pg's messages carry) as a vector; other terms are
// skipped.
std::vector<pid> pids_of(const term& t) {
  std::vector<pid> out;
  if (t.is_pid()) {
    out.push_back(t.as_pid());
    return out;
  }
  for (const term* l = &t; l->is_cons(); l = &l->tail())
    if (l->head().is_pid()) out.push_back(l->head().as_pid());
  return out;
}

std::vector<term> terms_of(const term& list) {
  std::vector<term> out;
  for (const term* l = &list; l->is_cons(); l = &l->tail()) out.push_back(l->head());
  return out;
}

const atom a_join("join");
const atom a_leave("leave");

// ---- the scope server ----------------------------------------------------------------

class scope_server {
 public:
  using calls = types<term>;
  using casts = types<term>;
  using infos = types<term>;

  explicit scope_server(atom scope) : scope_(scope), table_(std::make_shared<scope_table>()) {
    {
      table_registry& r = tables();
      std::lock_guard lk(r.mu);
      r.tables[scope_] = table_;
    }
    monitor_nodes(true);
    for (atom n : nodes()) send(scope_, n, otp::tuple(atom("discover"), self()));
  }
  scope_server(scope_server&&) = default;  // gen_server constructs then moves it in place
  scope_server& operator=(scope_server&&) = delete;
  ~scope_server() {       // the scope is gone: so is its table (an ETS table dies with its owner)
    if (!table_) return;  // moved from
    table_registry& r = tables();
    std::lock_guard lk(r.mu);
    auto it = r.tables.find(scope_);
    if (it != r.tables.end() && it->second == table_) r.tables.erase(it);
  }

  term handle_call(term req, const from& f) {
    if (req.is_tuple(3) && req[0].is_atom(atom("join_local"))) {
      std::vector<pid> pids = pids_of(req[2]);
      for (const pid& p : pids) join_local(p, req[1]);
      broadcast(otp::tuple(a_join, self(), req[1], req[2]));  // peers first: see on_down
      join_local_update(req[1], pids);
      return term(atoms::ok);
    }
    if (req.is_tuple(3) && req[0].is_atom(atom("leave_local"))) {
      std::vector<pid> pids = pids_of(req[2]);
      bool changed = false;
      for (const pid& p : pids) changed |= leave_local(p, req[1]);
      if (!changed) return term(atom("not_joined"));
      broadcast(otp::tuple(a_leave, self(), req[2], otp::list(req[1])));
      leave_local_update(req[1], pids);
      return term(atoms::ok);
    }
    if (req.is_atom(atom("monitor"))) {
      std::vector<std::pair<term, term>> all;
      {
        std::shared_lock lk(table_->mu);
        for (auto& [g, e] : table_->groups) all.emplace_back(g, pid_list(e.all));
      }
      reference ref = otp::monitor(f.caller);
      scope_monitors_[ref] = f.caller;
      return otp::tuple(ref, term::map(std::move(all)));
    }
    if (req.is_tuple(2) && req[0].is_atom(atom("monitor"))) {
      const term& group = req[1];
      term members = pid_list(members_of(group));
      reference ref = otp::monitor(f.caller);
      group_monitors_[ref] = {f.caller, group};
      auto& watchers = monitored_groups_[group];
      watchers.insert(watchers.begin(), {f.caller, ref});
      return otp::tuple(ref, members);
    }
    if (req.is_tuple(2) && req[0].is_atom(atom("demonitor")) && req[1].is_reference()) {
      reference ref = req[1].as_reference();
      if (scope_monitors_.erase(ref)) {
        otp::demonitor(ref);
        return term(atoms::ok);
      }
      if (auto it = group_monitors_.find(ref); it != group_monitors_.end()) {
        otp::demonitor(ref);
        drop_group_watcher(it->second.second, ref);
        group_monitors_.erase(it);
        return term(atoms::ok);
      }
      return term(atoms::false_);
    }
    return otp::tuple(atoms::error, atoms::badarg);  // pg.erl crashes with badarg
  }

  void handle_cast(term msg) {
    if (msg.is_tuple(3) && msg[0].is_atom(atom("sync")) && msg[1].is_pid() && msg[2].is_list())
      handle_sync(msg[1].as_pid(), msg[2]);
  }

  void handle_info(term msg) {
    if (msg.is_tuple(4) && msg[0].is_atom(a_join) && msg[1].is_pid()) {
      auto it = remote_.find(msg[1].as_pid());
      if (it == remote_.end()) return;  // not (yet) a known peer: its sync will tell
      std::vector<pid> pids = pids_of(msg[3]);
      join_remote_update(msg[2], pids);
      prepend(it->second.groups[msg[2]], pids);
    } else if (msg.is_tuple(4) && msg[0].is_atom(a_leave) && msg[1].is_pid()) {
      auto it = remote_.find(msg[1].as_pid());
      if (it == remote_.end()) return;
      std::vector<pid> pids = pids_of(msg[2]);
      std::vector<term> groups = terms_of(msg[3]);
      leave_remote_update(pids, groups);
      for (const term& g : groups) {
        auto git = it->second.groups.find(g);
        if (git == it->second.groups.end()) continue;
        subtract(git->second, pids);
        if (git->second.empty()) it->second.groups.erase(git);
      }
    } else if (msg.is_tuple(2) && msg[0].is_atom(atom("discover")) && msg[1].is_pid()) {
      pid peer = msg[1].as_pid();
      gen_server::cast(peer, otp::tuple(atom("sync"), self(), all_local_groups()));
      if (!remote_.count(peer)) {
        remote_[peer].mref = otp::monitor(peer);
        send(peer, otp::tuple(atom("discover"), self()));
      }
    } else if (auto d = down_msg::from_term(msg)) {
      on_down(*d);
    } else if (msg.is_tuple(2) && msg[0].is_atom(atom("nodeup")) && msg[1].is_atom()) {
      atom n = msg[1].as_atom();
      if (n != node_name()) send(scope_, n, otp::tuple(atom("discover"), self()));
    }
    // {nodedown, _}: the DOWN of the peer scope's monitor does the work. Anything else is
    // ignored (pg.erl would crash with badarg).
  }

  term to_term() const {
    return otp::tuple(atom("pg_scope"), scope_, term(uint64_t(local_.size())),
                      term(uint64_t(remote_.size())));
  }

 private:
  struct local_entry {
    reference mref;
    std::vector<term> groups;  // newest first, with repeats
  };
  struct remote_entry {
    reference mref;
    std::map<term, std::vector<pid>> groups;
  };

  // ---- local members ----

  void join_local(const pid& p, const term& group) {
    auto it = local_.find(p);
    if (it == local_.end()) {
      local_[p] = {otp::monitor(p), {group}};
    } else {
      it->second.groups.insert(it->second.groups.begin(), group);
    }
  }

  // True when p was in the group.
  bool leave_local(const pid& p, const term& group) {
    auto it = local_.find(p);
    if (it == local_.end()) return false;
    auto& gs = it->second.groups;
    auto g = std::find(gs.begin(), gs.end(), group);
    if (g == gs.end()) return false;
    gs.erase(g);
    if (gs.empty()) {
      otp::demonitor(it->second.mref);
      local_.erase(it);
    }
    return true;
  }

  void join_local_update(const term& group, const std::vector<pid>& pids) {
    {
      std::unique_lock lk(table_->mu);
      group_entry& e = table_->groups[group];
      prepend(e.all, pids);
      prepend(e.local, pids);
    }
    notify(a_join, group, pids);
  }

  void leave_local_update(const term& group, const std::vector<pid>& pids) {
    {
      std::unique_lock lk(table_->mu);
      auto it = table_->groups.find(group);
      if (it == table_->groups.end()) return;
      subtract(it->second.all, pids);
      subtract(it->second.local, pids);
      if (it->second.all.empty()) table_->groups.erase(it);
    }
    notify(a_leave, group, pids);
  }

  // [{Group, [Pid]}] of the local members (what a sync carries).
  term all_local_groups() const {
    std::map<term, std::vector<pid>> by_group;
    for (auto& [p, e] : local_)
      for (const term& g : e.groups) by_group[g].insert(by_group[g].begin(), p);
    std::vector<term> out;
    for (auto& [g, pids] : by_group) out.push_back(otp::tuple(g, pid_list(pids)));
    return term::list(std::move(out));
  }

  // ---- remote members ----

  void join_remote_update(const term& group, const std::vector<pid>& pids) {
    {
      std::unique_lock lk(table_->mu);
      prepend(table_->groups[group].all, pids);
    }
    notify(a_join, group, pids);
  }

  void leave_remote_update(const std::vector<pid>& pids, const std::vector<term>& groups) {
    for (const term& g : groups) {
      {
        std::unique_lock lk(table_->mu);
        auto it = table_->groups.find(g);
        if (it == table_->groups.end()) continue;
        subtract(it->second.all, pids);
        if (it->second.all.empty() && it->second.local.empty()) table_->groups.erase(it);
      }
      notify(a_leave, g, pids);
    }
  }

  // A peer's full list of members: what changed since the last one is applied.
  void handle_sync(const pid& peer, const term& groups_list) {
    auto it = remote_.find(peer);
    if (it == remote_.end()) {
      it = remote_.emplace(peer, remote_entry{}).first;
      it->second.mref = otp::monitor(peer);
    }
    std::map<term, std::vector<pid>> old = std::move(it->second.groups);
    std::map<term, std::vector<pid>> now;
    for (const term& gp : terms_of(groups_list)) {
      if (!gp.is_tuple(2)) continue;
      const term& group = gp[0];
      std::vector<pid> pids = pids_of(gp[1]);
      auto o = old.find(group);
      if (o == old.end()) {
        join_remote_update(group, pids);
      } else if (o->second != pids) {
        // Replace the peer's old members of the group by the new ones.
        std::vector<pid> gone = o->second, added = pids;
        subtract(gone, pids);
        subtract(added, o->second);
        {
          std::unique_lock lk(table_->mu);
          group_entry& e = table_->groups[group];
          subtract(e.all, o->second);
          prepend(e.all, pids);
        }
        if (!gone.empty()) notify(a_leave, group, gone);
        if (!added.empty()) notify(a_join, group, added);
        old.erase(o);
      } else {
        old.erase(o);
      }
      now[group] = std::move(pids);
    }
    for (auto& [group, pids] : old) leave_remote_update(pids, {group});  // groups it left
    it->second.groups = std::move(now);
  }

  // ---- DOWN ----

  void on_down(const down_msg& d) {
    pid who = d.process();
    if (who.is_local()) {
      auto it = local_.find(who);
      if (it != local_.end() && it->second.mref == d.ref) {
        std::vector<term> groups = std::move(it->second.groups);
        local_.erase(it);
        // Peers first (pg.erl tells them last): whoever sees the local notification can
        // rely on the leave being on its way to every peer scope.
        broadcast(otp::tuple(a_leave, self(), who, term::list(groups)));
        for (const term& g : groups) leave_local_update(g, {who});
        return;
      }
    } else {
      auto it = remote_.find(who);
      if (it != remote_.end() && it->second.mref == d.ref) {
        auto groups = std::move(it->second.groups);
        remote_.erase(it);
        for (auto& [g, pids] : groups) leave_remote_update(pids, {g});
        return;
      }
    }
    drop_monitor(d.ref);  // a scope or group monitor's owner died
  }

  void drop_monitor(const reference& ref) {
    if (scope_monitors_.erase(ref)) return;
    if (auto it = group_monitors_.find(ref); it != group_monitors_.end()) {
      drop_group_watcher(it->second.second, ref);
      group_monitors_.erase(it);
    }
  }

  void drop_group_watcher(const term& group, const reference& ref) {
    auto it = monitored_groups_.find(group);
    if (it == monitored_groups_.end()) return;
    auto& v = it->second;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const auto& w) { return w.second == ref; }),
            v.end());
    if (v.empty()) monitored_groups_.erase(it);
  }

  // ---- helpers ----

  std::vector<pid> members_of(const term& group) {
    std::shared_lock lk(table_->mu);
    auto it = table_->groups.find(group);
    return it == table_->groups.end() ? std::vector<pid>{} : it->second.all;
  }

  void broadcast(const term& msg) {
    for (auto& [peer, e] : remote_) send(peer, msg);
  }

  void notify(atom action, const term& group, const std::vector<pid>& pids) {
    if (scope_monitors_.empty() && monitored_groups_.empty()) return;
    term list = pid_list(pids);
    for (auto& [ref, p] : scope_monitors_) send(p, otp::tuple(ref, action, group, list));
    if (auto it = monitored_groups_.find(group); it != monitored_groups_.end())
      for (auto& [p, ref] : it->second) send(p, otp::tuple(ref, action, group, list));
  }

  atom scope_;
  std::shared_ptr<scope_table> table_;
  std::unordered_map<pid, local_entry> local_;
  std::unordered_map<pid, remote_entry> remote_;
  std::unordered_map<reference, pid> scope_monitors_;
  std::unordered_map<reference, std::pair<pid, term>> group_monitors_;
  std::unordered_map<term, std::vector<std::pair<pid, reference>>> monitored_groups_;
};

void ensure_local(const std::vector<pid>& pids) {
  for (const pid& p : pids)
    if (!p.is_local() || p.is_null())
      throw std::invalid_argument("pg: not a local process: " + to_string(term(p)));
}

term scope_call(atom scope, term request) {
  return gen_server::call(server_ref(scope), std::move(request), otp::infinity);
}

template <class Pick>
std::vector<pid> read_group(atom scope, const term& group, Pick pick) {
  auto t = find_table(scope);
  if (!t) return {};
  std::shared_lock lk(t->mu);
  auto it = t->groups.find(group);
  return it == t->groups.end() ? std::vector<pid>{} : pick(it->second);
}

}  // namespace

atom default_scope() {
  return atom("pg");
}

start_result start_link() {
  return start_link(default_scope());
}

start_result start_link(atom scope) {
  return gen_server::start_link<scope_server>(gen_server::start_options{.name = scope}, scope);
}

start_result start(atom scope) {
  return gen_server::start<scope_server>(gen_server::start_options{.name = scope}, scope);
}

void join(const term& group, const pid& member) {
  join(default_scope(), group, member);
}
void join(const term& group, const std::vector<pid>& members) {
  join(default_scope(), group, members);
}
void join(atom scope, const term& group, const pid& member) {
  ensure_local({member});
  scope_call(scope, otp::tuple(atom("join_local"), group, member));
}
void join(atom scope, const term& group, const std::vector<pid>& members) {
  ensure_local(members);
  scope_call(scope, otp::tuple(atom("join_local"), group, pid_list(members)));
}

bool leave(const term& group, const pid& member) {
  return leave(default_scope(), group, member);
}
bool leave(const term& group, const std::vector<pid>& members) {
  return leave(default_scope(), group, members);
}
bool leave(atom scope, const term& group, const pid& member) {
  ensure_local({member});
  return scope_call(scope, otp::tuple(atom("leave_local"), group, member)).is_atom(atoms::ok);
}
bool leave(atom scope, const term& group, const std::vector<pid>& members) {
  ensure_local(members);
  return scope_call(scope, otp::tuple(atom("leave_local"), group, pid_list(members)))
      .is_atom(atoms::ok);
}

std::vector<pid> get_members(const term& group) {
  return get_members(default_scope(), group);
}
std::vector<pid> get_members(atom scope, const term& group) {
  return read_group(scope, group, [](const group_entry& e) { return e.all; });
}
std::vector<pid> get_local_members(const term& group) {
  return get_local_members(default_scope(), group);
}
std::vector<pid> get_local_members(atom scope, const term& group) {
  return read_group(scope, group, [](const group_entry& e) { return e.local; });
}

std::vector<term> which_groups(atom scope) {
  std::vector<term> out;
  if (auto t = find_table(scope)) {
    std::shared_lock lk(t->mu);
    for (auto& [g, e] : t->groups) out.push_back(g);
  }
  return out;
}

std::vector<term> which_local_groups(atom scope) {
  std::vector<term> out;
  if (auto t = find_table(scope)) {
    std::shared_lock lk(t->mu);
    for (auto& [g, e] : t->groups)
      if (!e.local.empty()) out.push_back(g);
  }
  return out;
}

scope_monitor monitor_scope(atom scope) {
  term r = scope_call(scope, term(atom("monitor")));
  scope_monitor m{r[0].as_reference(), {}};
  for (auto& [g, pids] : r[1].map_entries()) m.groups[g] = pids_of(pids);
  return m;
}

group_monitor monitor(const term& group) {
  return monitor(default_scope(), group);
}
group_monitor monitor(atom scope, const term& group) {
  term r = scope_call(scope, otp::tuple(atom("monitor"), group));
  return {r[0].as_reference(), pids_of(r[1])};
}

bool demonitor(const reference& ref) {
  return demonitor(default_scope(), ref);
}
bool demonitor(atom scope, const reference& ref) {
  if (!scope_call(scope, otp::tuple(atom("demonitor"), ref)).is_atom(atoms::ok)) return false;
  // Flush notifications already sent (pg.erl's flush/1).
  auto mine = [&ref](const notification& n) { return n.ref == ref; };
  while (receive(when(mine, [](const notification&) { return true; }),
                 after(std::chrono::milliseconds(0), [] { return false; }))) {
  }
  return true;
}

std::optional<notification> notification::from_term(const term& t) {
  if (!t.is_tuple(4) || !t[0].is_reference() || !(t[1].is_atom(a_join) || t[1].is_atom(a_leave)) ||
      !t[3].is_list())
    return std::nullopt;
  return notification{t[0].as_reference(), t[1].is_atom(a_join), t[2], pids_of(t[3])};
}

term notification::to_term() const {
  return otp::tuple(ref, joined ? a_join : a_leave, group, pid_list(pids));
}

}  // namespace otp::pg
