// otpp nodes talking to otpp nodes: this test process is one node, otpp_echo_node children
// are the others (one distributed node per OS process). Remote calls, casts, sends, links,
// monitors, node monitoring, a three-node cluster losing a node, and cookies.

#include <gtest/gtest.h>

#include <iostream>

#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/otp.hpp>

#include "dist/cookie.hpp"
#include "dist/epmd_server.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;
namespace gs = otp::gen_server;

namespace {

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = "t" + random_suffix() + "@127.0.0.1",
                                .cookie = cookie_,
                                .epmd_port = epmd_->port()});
  }
  void TearDown() override {
    if (HasFailure())  // what the peers logged, for the record
      for (auto& c : children_) std::cerr << "--- peer stderr:\n" << c->drain_stderr(500ms);
    if (node_) node_->shutdown();
    node_.reset();
    children_.clear();
  }

  // Starts an otpp_echo_node; returns its node name once it is registered and serving.
  atom start_echo(const std::string& cookie = "", const std::string& extra = "") {
    std::string name = "e" + random_suffix() + "@127.0.0.1";
    std::vector<std::string> argv{OTPP_ECHO_NODE, "--name", name, "--cookie",
                                  cookie.empty() ? cookie_ : cookie};
    if (!extra.empty()) {
      argv.push_back("--ticktime");
      argv.push_back(extra);
    }
    auto c = std::make_unique<child_process>(
        argv, std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                                 {"HOME", home_.path}});
    std::string seen;
    if (!c->wait_for_line(" up ", 20s, &seen))
      throw std::runtime_error("echo node did not start: " + seen + c->drain_stderr(1s));
    children_.push_back(std::move(c));
    return atom(name);
  }
  child_process& child(size_t i) { return *children_.at(i); }

  template <class F>
  void run(F f) {
    node_->run(std::move(f));  // rethrows what ended the process abnormally
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_;
  std::unique_ptr<otp::node> node_;
  std::vector<std::unique_ptr<child_process>> children_;
};

// {Tag, _} messages only, skipping anything else.
term receive_tagged(const char* tag, std::chrono::milliseconds timeout = 10s) {
  atom a(tag);
  auto is = [a](const term& t) { return t.is_tuple() && t.tuple_size() >= 1 && t[0].is_atom(a); };
  auto got = receive(when(is, [](term t) { return std::optional<term>(std::move(t)); }),
                     after(timeout, [] { return std::optional<term>(); }));
  if (!got) throw std::runtime_error(std::string("no ") + tag + " message");
  return *got;
}

// Any term message.
term receive_tagged_any(std::chrono::milliseconds timeout = 10s) {
  auto got = receive(when([](const term&) { return true; },
                          [](term t) { return std::optional<term>(std::move(t)); }),
                     after(timeout, [] { return std::optional<term>(); }));
  if (!got) throw std::runtime_error("no message");
  return *got;
}

TEST_F(Cluster, ACallToAGenServerOnAnotherOtppNodeRepliesWithTheTerm) {
  atom e = start_echo();
  run([e] {
    term t = otp::tuple(atom("hello"), term::list({term(1), term(2)}, term(3)), term::binary("bin"),
                        term::integer_from_decimal("123456789012345678901234567890"), -0.0);
    term back = gs::call(server_ref(atom("echo"), e), t);
    EXPECT_EQ(back, t);
    term who = gs::call(server_ref(atom("echo"), e), term(atom("whoami")));
    ASSERT_TRUE(who.is_tuple(2) && who[1].is_pid());
    EXPECT_EQ(who[1].as_pid().node(), e);
    // By pid too.
    EXPECT_EQ(gs::call(who[1].as_pid(), term(42)), term(42));
  });
}

TEST_F(Cluster, CastsAndSendsArriveInTheOrderSent) {
  atom e = start_echo();
  run([e] {
    for (int i = 0; i < 5000; ++i)
      gs::cast(server_ref(atom("echo"), e),
               otp::tuple(atom("send"), self(), otp::tuple(atom("n"), i)));
    for (int i = 0; i < 5000; ++i) {
      term t = receive_tagged("n");
      ASSERT_EQ(t[1], term(i));
    }
    // {echo, Node} ! {'$gen_cast', ...} is the same thing by hand.
    send(atom("echo"), e,
         otp::tuple(atom("$gen_cast"),
                    otp::tuple(atom("send"), self(), otp::tuple(atom("by_hand")))));
    EXPECT_EQ(receive_tagged("by_hand"), otp::tuple(atom("by_hand")));
  });
}

TEST_F(Cluster, ALinkedRemoteServerThatStopsSendsItsExactReason) {
  atom e = start_echo();
  run([e] {
    trap_exit(true);
    pid echo = gs::call(server_ref(atom("echo"), e), term(atom("whoami")))[1].as_pid();
    link(echo);
    term reason = otp::tuple(atom("shutdown"), term::integer_from_decimal("99999999999999999999"));
    EXPECT_EQ(gs::call(echo, otp::tuple(atoms::stop, reason)), term(atoms::ok));
    auto ex = receive(
        when([&](const exit_msg& m) { return m.from == echo; }, [](exit_msg m) { return m; }));
    EXPECT_EQ(ex.reason, reason);
  });
}

TEST_F(Cluster, MonitorsByNameAndByPidSeeDownWithTheReason) {
  atom e = start_echo();
  run([e] {
    reference none = monitor(atom("nosuch"), e);
    auto d = receive(
        when([&](const down_msg& m) { return m.ref == none; }, [](down_msg m) { return m; }));
    EXPECT_EQ(d.item, otp::tuple(atom("nosuch"), e));
    EXPECT_EQ(d.reason, term(atoms::noproc));

    reference by_name = monitor(atom("echo"), e);
    pid echo = gs::call(server_ref(atom("echo"), e), term(atom("whoami")))[1].as_pid();
    reference by_pid = monitor(echo);
    reference dropped = monitor(echo);
    EXPECT_TRUE(demonitor(dropped));
    gs::call(echo, otp::tuple(atoms::stop, atom("bye")));
    auto d1 = receive(
        when([&](const down_msg& m) { return m.ref == by_name; }, [](down_msg m) { return m; }));
    EXPECT_EQ(d1.item, otp::tuple(atom("echo"), e));
    EXPECT_EQ(d1.reason, term(atom("bye")));
    auto d2 = receive(
        when([&](const down_msg& m) { return m.ref == by_pid; }, [](down_msg m) { return m; }));
    EXPECT_EQ(d2.item, term(echo));
    EXPECT_EQ(d2.reason, term(atom("bye")));
    EXPECT_FALSE(receive_for<down_msg>(200ms).has_value());  // nothing for the demonitored one
  });
}

TEST_F(Cluster, ExitTwoAcrossNodesKillsAndTheSupervisorRestartsUnderTheSameName) {
  atom e = start_echo();
  run([e] {
    pid echo = gs::call(server_ref(atom("echo"), e), term(atom("whoami")))[1].as_pid();
    reference m = monitor(echo);
    otp::exit(echo, atoms::kill);
    auto d =
        receive(when([&](const down_msg& x) { return x.ref == m; }, [](down_msg x) { return x; }));
    EXPECT_EQ(d.reason, term(atom("killed")));
    // The restarted server answers under the same name.
    pid again;
    for (;;) {
      try {
        again = gs::call(server_ref(atom("echo"), e), term(atom("whoami")))[1].as_pid();
        break;
      } catch (const exit_exception&) {  // noproc while restarting
      }
    }
    EXPECT_NE(again, echo);
  });
}

TEST_F(Cluster, PingAnswersPongForAPeerAndPangForANodeNobodyRuns) {
  atom e = start_echo();
  run([e] {
    EXPECT_TRUE(ping(e));
    auto up = nodes();
    EXPECT_NE(std::find(up.begin(), up.end(), e), up.end());
    EXPECT_FALSE(ping(atom("nobody_" + random_suffix() + "@127.0.0.1")));
  });
}

TEST_F(Cluster, AWrongCookieIsRefusedAndTheNodeGoesOnServingOthers) {
  atom wrong = start_echo("not-the-cookie");
  atom right = start_echo();
  run([wrong, right] {
    EXPECT_FALSE(ping(wrong));
    EXPECT_TRUE(ping(right));
    EXPECT_EQ(gs::call(server_ref(atom("echo"), right), term(7)), term(7));
  });
}

TEST_F(Cluster, AKilledNodeGivesNoconnectionToLinksMonitorsAndNodeMonitors) {
  atom e = start_echo();
  run([this, e] {
    trap_exit(true);
    pid echo = gs::call(server_ref(atom("echo"), e), term(atom("whoami")))[1].as_pid();
    link(echo);
    reference m = monitor(echo);
    monitor_node(e, true);
    monitor_nodes(true);
    ::kill(child(0).pid(), SIGKILL);
    auto ex = receive(
        when([&](const exit_msg& x) { return x.from == echo; }, [](exit_msg x) { return x; }));
    EXPECT_EQ(ex.reason, term(atoms::noconnection));
    auto d =
        receive(when([&](const down_msg& x) { return x.ref == m; }, [](down_msg x) { return x; }));
    EXPECT_EQ(d.reason, term(atoms::noconnection));
    EXPECT_EQ(receive_tagged("nodedown"), otp::tuple(atom("nodedown"), e));
    EXPECT_EQ(receive_tagged("nodedown"), otp::tuple(atom("nodedown"), e));  // monitor_nodes too
    // A call to the dead node exits with {nodedown, Node} as gen_server's does.
    try {
      gs::call(server_ref(atom("echo"), e), term(1));
      ADD_FAILURE() << "the call returned";
    } catch (const exit_exception& x) {
      EXPECT_EQ(x.reason()[0], otp::tuple(atom("nodedown"), e)) << to_string(x.reason());
    }
  });
}

TEST_F(Cluster, AThreeNodeClusterKeepsWorkingWhenANodeIsKilledInTheMiddle) {
  atom b = start_echo();
  atom c = start_echo();
  run([this, b, c] {
    monitor_nodes(true);
    pid echo_c = gs::call(server_ref(atom("echo"), c), term(atom("whoami")))[1].as_pid();
    // Traffic that goes us -> B -> C -> us: B's echo casts to C's echo, which sends to us.
    auto relay = [&](int i) {
      term inner = otp::tuple(atom("$gen_cast"),
                              otp::tuple(atom("send"), self(), otp::tuple(atom("via_c"), i)));
      gs::cast(server_ref(atom("echo"), b), otp::tuple(atom("send"), echo_c, inner));
    };
    for (int i = 0; i < 200; ++i) relay(i);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(receive_tagged("via_c")[1], term(i));
    // Kill C while traffic flows.
    for (int i = 200; i < 400; ++i) relay(i);
    ::kill(child(1).pid(), SIGKILL);
    for (;;) {  // some relayed messages may still arrive; then nodedown for C
      term t = receive_tagged_any();
      if (t.is_tuple(2) && t[0].is_atom(atom("nodedown"))) {
        EXPECT_EQ(t[1], term(c));
        break;
      }
    }
    // B and we are fine: calls work, and C is gone from nodes().
    EXPECT_EQ(gs::call(server_ref(atom("echo"), b), term(atom("still_here"))),
              term(atom("still_here")));
    auto up = nodes();
    EXPECT_EQ(std::find(up.begin(), up.end(), c), up.end());
    EXPECT_NE(std::find(up.begin(), up.end(), b), up.end());
  });
}

}  // namespace
