// pg process groups across an otpp node (this test process) and a real erl node (OTP 25)
// running pg:start_link(): members of either side appear on both, a member that dies leaves
// its groups everywhere, a node that goes down takes its members with it. Plus the local
// API on a node without distribution.
//
// erl is driven by messages to a registered process `ctl` that answers with pg's views
// after a sys:get_state(pg) (so its scope has handled everything that arrived before).

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/otp.hpp>
#include <otp/pg.hpp>
#include <set>

#include "dist/cookie.hpp"
#include "dist/epmd_server.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;

namespace {

const char* erl_control_loop =
    "{ok, _} = pg:start_link(), "
    "register(ctl, self()), "
    "Spawn = fun() -> spawn(fun() -> receive stop -> ok end end) end, "
    "ok = pg:join(erl_group, Spawn()), "
    "ok = pg:join(both, [Spawn(), Spawn()]), "
    "io:format(\"ready~n\"), "
    "Sync = fun() -> _ = sys:get_state(pg), ok end, "
    "Loop = fun Loop() -> "
    "  receive "
    "    {members, G, From} -> Sync(), From ! {members, G, lists:sort(pg:get_members(G))}, Loop(); "
    "    {local_members, G, From} -> Sync(), From ! {local_members, G, "
    "lists:sort(pg:get_local_members(G))}, Loop(); "
    "    {which_groups, From} -> Sync(), From ! {which_groups, lists:sort(pg:which_groups())}, "
    "Loop(); "
    "    {join, G, From} -> P = Spawn(), ok = pg:join(G, P), From ! {joined, G, P}, Loop(); "
    "    {kill_member, G, From} -> [P | _] = pg:get_local_members(G), exit(P, kill), From ! "
    "{killed, P}, Loop(); "
    "    stop -> halt() "
    "  end "
    "end, "
    "Loop().";

class Pg : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = "t" + random_suffix() + "@127.0.0.1",
                                .cookie = cookie_,
                                .epmd_port = epmd_->port()});
  }
  void TearDown() override {
    if (node_) node_->shutdown();
    node_.reset();
    erl_.reset();
  }

  // Starts erl running the control loop; returns its node name once pg runs there.
  atom start_erl() {
    std::string name = "e" + random_suffix() + "@127.0.0.1";
    erl_ = std::make_unique<child_process>(
        std::vector<std::string>{"erl", "-noshell", "-name", name, "-setcookie", cookie_, "-eval",
                                 erl_control_loop},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}});
    std::string seen;
    if (!erl_->wait_for_line("ready", 60s, &seen))
      throw std::runtime_error("erl did not start: " + seen + erl_->drain_stderr(1s));
    return atom(name);
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_;
  std::unique_ptr<otp::node> node_;
  std::unique_ptr<child_process> erl_;
};

// The next {Tag, ...} term message (others stay queued).
term await(const char* tag, std::chrono::milliseconds timeout = 20s) {
  atom a(tag);
  auto is = [a](const term& t) { return t.is_tuple() && t.tuple_size() >= 1 && t[0].is_atom(a); };
  auto got = receive(when(is, [](term t) { return std::optional<term>(std::move(t)); }),
                     after(timeout, [] { return std::optional<term>(); }));
  if (!got) throw std::runtime_error(std::string("no ") + tag + " message");
  return *got;
}

// Collects scope notifications for `ref` until `group` has exactly `want` members by them
// (joins add, leaves remove), or throws at the deadline.
void await_members(const reference& ref, const term& group, size_t want,
                   std::map<term, std::multiset<pid>>& seen,
                   std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (seen[group].size() != want) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    auto n = receive(
        when([&](const pg::notification& x) { return x.ref == ref; },
             [](pg::notification x) { return std::optional<pg::notification>(std::move(x)); }),
        after(std::max(left, 0ms), [] { return std::optional<pg::notification>(); }));
    if (!n)
      throw std::runtime_error("group " + to_string(group) + " never had " + std::to_string(want) +
                               " members");
    auto& s = seen[n->group];
    for (const pid& p : n->pids) {
      if (n->joined) {
        s.insert(p);
      } else if (auto it = s.find(p); it != s.end()) {
        s.erase(it);
      }
    }
  }
}

std::vector<pid> sorted(std::vector<pid> v) {
  std::sort(v.begin(), v.end());
  return v;
}

term sorted_list(std::vector<pid> v) {
  v = sorted(std::move(v));
  return term::list(std::vector<term>(v.begin(), v.end()));
}

pid spawn_member() {
  return spawn([] { (void)receive<term>(); });
}

TEST_F(Pg, MembersJoinedOnErlAppearOnOtppAndMembersJoinedOnOtppAppearOnErl) {
  atom e = start_erl();
  node_->run([e] {
    ASSERT_TRUE(pg::start_link());
    auto mon = pg::monitor_scope();
    EXPECT_TRUE(mon.groups.empty());
    std::map<term, std::multiset<pid>> seen;
    ASSERT_TRUE(ping(e));  // nodeup: the scopes discover each other and sync
    await_members(mon.ref, atom("erl_group"), 1, seen);
    await_members(mon.ref, atom("both"), 2, seen);
    std::vector<pid> erl_both = pg::get_members(atom("both"));
    ASSERT_EQ(erl_both.size(), 2u);
    for (const pid& p : erl_both) EXPECT_EQ(p.node(), e);
    EXPECT_TRUE(pg::get_local_members(atom("both")).empty());

    // Ours, one at a time and as a list; erl sees them (and keeps its own).
    pid a = spawn_member(), b = spawn_member(), c = spawn_member();
    pg::join(atom("both"), a);
    pg::join(atom("otpp_group"), std::vector<pid>{b, c});
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("both"), self()));
    std::vector<pid> expect_both = erl_both;
    expect_both.push_back(a);
    EXPECT_EQ(await("members")[2], sorted_list(expect_both));
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("otpp_group"), self()));
    EXPECT_EQ(await("members")[2], sorted_list({b, c}));
    send(atom("ctl"), e, otp::tuple(atom("local_members"), atom("both"), self()));
    EXPECT_EQ(await("local_members")[2], sorted_list(erl_both));
    send(atom("ctl"), e, otp::tuple(atom("which_groups"), self()));
    EXPECT_EQ(await("which_groups")[1],
              otp::list(atom("both"), atom("erl_group"), atom("otpp_group")));

    // Here: all members, local ones, groups.
    EXPECT_EQ(sorted(pg::get_members(atom("both"))), sorted(expect_both));
    EXPECT_EQ(pg::get_local_members(atom("both")), std::vector<pid>{a});
    auto groups = pg::which_groups();
    std::sort(groups.begin(), groups.end());
    EXPECT_EQ(groups, (std::vector<term>{atom("both"), atom("erl_group"), atom("otpp_group")}));
    auto local_groups = pg::which_local_groups();
    std::sort(local_groups.begin(), local_groups.end());
    EXPECT_EQ(local_groups, (std::vector<term>{atom("both"), atom("otpp_group")}));

    // A join on erl after the sync arrives as a join message.
    send(atom("ctl"), e, otp::tuple(atom("join"), atom("late"), self()));
    pid late = await("joined")[2].as_pid();
    await_members(mon.ref, atom("late"), 1, seen);
    EXPECT_EQ(pg::get_members(atom("late")), std::vector<pid>{late});

    // Leaving: erl sees it; leaving again is not_joined.
    EXPECT_TRUE(pg::leave(atom("otpp_group"), b));
    EXPECT_FALSE(pg::leave(atom("otpp_group"), b));
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("otpp_group"), self()));
    EXPECT_EQ(await("members")[2], otp::list(c));
    send(atom("ctl"), e, atom("stop"));
  });
}

TEST_F(Pg, AMemberThatDiesLeavesItsGroupsOnEveryNode) {
  atom e = start_erl();
  node_->run([e] {
    ASSERT_TRUE(pg::start_link());
    auto mon = pg::monitor_scope();
    std::map<term, std::multiset<pid>> seen;
    ASSERT_TRUE(ping(e));
    await_members(mon.ref, atom("erl_group"), 1, seen);

    // Ours dies: erl's view loses it in both groups it had joined.
    pid doomed = spawn_member(), stays = spawn_member();
    pg::join(atom("g1"), std::vector<pid>{doomed, stays});
    pg::join(atom("g2"), doomed);
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("g1"), self()));
    EXPECT_EQ(await("members")[2], sorted_list({doomed, stays}));
    otp::exit(doomed, atoms::kill);
    await_members(mon.ref, atom("g1"), 1, seen);
    await_members(mon.ref, atom("g2"), 0, seen);
    EXPECT_EQ(pg::get_members(atom("g1")), std::vector<pid>{stays});
    EXPECT_TRUE(pg::get_members(atom("g2")).empty());
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("g1"), self()));
    EXPECT_EQ(await("members")[2], otp::list(stays));
    send(atom("ctl"), e, otp::tuple(atom("members"), atom("g2"), self()));
    EXPECT_EQ(await("members")[2], term());

    // Erl's dies: it leaves here.
    send(atom("ctl"), e, otp::tuple(atom("kill_member"), atom("erl_group"), self()));
    pid killed = await("killed")[1].as_pid();
    EXPECT_EQ(killed.node(), e);
    await_members(mon.ref, atom("erl_group"), 0, seen);
    EXPECT_TRUE(pg::get_members(atom("erl_group")).empty());
    auto groups = pg::which_groups();
    EXPECT_EQ(std::count(groups.begin(), groups.end(), term(atom("erl_group"))), 0);
    send(atom("ctl"), e, atom("stop"));
  });
}

TEST_F(Pg, ANodeThatGoesDownTakesItsMembersWithIt) {
  atom e = start_erl();
  node_->run([this, e] {
    ASSERT_TRUE(pg::start_link());
    pid ours = spawn_member();
    pg::join(atom("both"), ours);
    auto watch = pg::monitor(atom("both"));
    EXPECT_EQ(watch.members, std::vector<pid>{ours});
    std::map<term, std::multiset<pid>> seen;
    seen[term(atom("both"))].insert(ours);
    monitor_nodes(true);
    ASSERT_TRUE(ping(e));
    await_members(watch.ref, atom("both"), 3, seen);
    ::kill(erl_->pid(), SIGKILL);
    EXPECT_EQ(await("nodedown"), otp::tuple(atom("nodedown"), e));
    await_members(watch.ref, atom("both"), 1, seen);
    EXPECT_EQ(pg::get_members(atom("both")), std::vector<pid>{ours});
    EXPECT_TRUE(pg::get_members(atom("erl_group")).empty());
    EXPECT_EQ(pg::which_groups(), std::vector<term>{term(atom("both"))});
    EXPECT_TRUE(pg::demonitor(watch.ref));
    EXPECT_FALSE(pg::demonitor(watch.ref));
  });
}

// ---- without distribution ------------------------------------------------------------

TEST(PgLocal, JoinLeaveAndReadsFollowErlangsPgOnOneNode) {
  otp::node n;
  n.run([] {
    EXPECT_TRUE(pg::get_members(atom("g")).empty());  // no scope yet: []
    ASSERT_TRUE(pg::start_link());
    EXPECT_TRUE(pg::start_link().is_error());  // {already_started, Pid}
    pid a = spawn_member(), b = spawn_member();
    pg::join(atom("g"), a);
    pg::join(atom("g"), std::vector<pid>{b, a});  // a twice: a multiset, newest first
    EXPECT_EQ(pg::get_members(atom("g")), (std::vector<pid>{b, a, a}));
    EXPECT_EQ(pg::get_local_members(atom("g")), (std::vector<pid>{b, a, a}));
    EXPECT_TRUE(pg::leave(atom("g"), a));
    EXPECT_EQ(pg::get_members(atom("g")), (std::vector<pid>{b, a}));
    EXPECT_TRUE(pg::leave(atom("g"), std::vector<pid>{a, b}));
    EXPECT_TRUE(pg::get_members(atom("g")).empty());
    EXPECT_TRUE(pg::which_groups().empty());
    EXPECT_FALSE(pg::leave(atom("g"), a));  // not_joined

    // Any term names a group; another scope is separate.
    term g2 = otp::tuple(atom("shard"), 7);
    pg::join(g2, self());
    ASSERT_TRUE(pg::start_link(atom("other")));
    EXPECT_TRUE(pg::get_members(atom("other"), g2).empty());
    pg::join(atom("other"), g2, a);
    EXPECT_EQ(pg::get_members(atom("other"), g2), std::vector<pid>{a});
    EXPECT_EQ(pg::get_members(g2), std::vector<pid>{self()});
    EXPECT_EQ(pg::which_local_groups(), std::vector<term>{g2});

    // Only local processes may join.
    EXPECT_THROW(pg::join(atom("g"), pid::remote(atom("x@y"), 1, 1)), std::invalid_argument);
  });
}

TEST(PgLocal, MonitorsSeeJoinsAndLeavesAndADeadMemberLeavesEveryGroup) {
  otp::node n;
  n.run([] {
    ASSERT_TRUE(pg::start_link());
    pid a = spawn_member();
    pg::join(atom("g"), a);
    auto scope = pg::monitor_scope();
    EXPECT_EQ(scope.groups.at(term(atom("g"))), std::vector<pid>{a});
    auto group = pg::monitor(atom("h"));
    EXPECT_TRUE(group.members.empty());

    pg::join(atom("h"), a);
    auto n1 = receive<pg::notification>();
    auto n2 = receive<pg::notification>();
    std::set<reference> refs{n1.ref, n2.ref};
    EXPECT_EQ(refs, (std::set<reference>{scope.ref, group.ref}));
    EXPECT_TRUE(n1.joined && n2.joined);
    EXPECT_EQ(n1.group, term(atom("h")));
    EXPECT_EQ(n1.pids, std::vector<pid>{a});

    // The member dies: it leaves g and h; the scope monitor hears both, the group one h.
    reference m = monitor(a);
    otp::exit(a, atoms::kill);
    receive(when([&](const down_msg& d) { return d.ref == m; }, [](const down_msg&) {}));
    std::multiset<term> left;
    for (int i = 0; i < 3; ++i) {
      auto x = receive_for<pg::notification>(10s);
      ASSERT_TRUE(x.has_value());
      EXPECT_FALSE(x->joined);
      EXPECT_EQ(x->pids, std::vector<pid>{a});
      left.insert(otp::tuple(x->ref == scope.ref ? atom("scope") : atom("group"), x->group));
    }
    EXPECT_EQ(left, (std::multiset<term>{otp::tuple(atom("scope"), atom("g")),
                                         otp::tuple(atom("scope"), atom("h")),
                                         otp::tuple(atom("group"), atom("h"))}));
    EXPECT_TRUE(pg::which_groups().empty());

    // After demonitor nothing more arrives, and the scope forgets the monitor.
    EXPECT_TRUE(pg::demonitor(scope.ref));
    EXPECT_TRUE(pg::demonitor(group.ref));
    EXPECT_FALSE(pg::demonitor(group.ref));
    pg::join(atom("h"), self());
    EXPECT_FALSE(receive_for<pg::notification>(100ms).has_value());
  });
}

TEST(PgLocal, AScopeThatStopsTakesItsTableWithIt) {
  otp::node n;
  n.run([] {
    auto r = pg::start(atom("temp_scope"));
    ASSERT_TRUE(r);
    pg::join(atom("temp_scope"), atom("g"), self());
    EXPECT_EQ(pg::get_members(atom("temp_scope"), atom("g")), std::vector<pid>{self()});
    reference m = monitor(r.child());
    otp::exit(r.child(), atoms::kill);
    receive(when([&](const down_msg& d) { return d.ref == m; }, [](const down_msg&) {}));
    EXPECT_TRUE(pg::get_members(atom("temp_scope"), atom("g")).empty());
    // It can start again, empty.
    ASSERT_TRUE(pg::start(atom("temp_scope")));
    EXPECT_TRUE(pg::which_groups(atom("temp_scope")).empty());
  });
}

}  // namespace
