// otp::global: the cluster-wide name registry. This test process is one otpp node; its peers
// are otpp_echo_node children, which run otpp_global too (start_distribution starts it) and
// are driven through that server's protocol ({otpp_global, Node} calls) and echo's
// {send, Pid, Msg} cast. Waiting is on messages with deadlines ({await, Name, Pid} calls
// answer once a node's table agrees), never on sleeps.

#include <gtest/gtest.h>

#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/global.hpp>
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

const atom undefined("undefined");

class Global : public ::testing::Test {
 protected:
  void SetUp() override {
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    name_ = "t" + random_suffix() + "@127.0.0.1";
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = name_, .cookie = cookie_, .epmd_port = epmd_->port()});
  }
  void TearDown() override {
    if (node_) node_->shutdown();
    node_.reset();
    children_.clear();
  }

  // Starts an otpp_echo_node; returns its node name once it is registered and serving.
  atom start_echo() {
    std::string name = "e" + random_suffix() + "@127.0.0.1";
    auto c = std::make_unique<child_process>(
        std::vector<std::string>{OTPP_ECHO_NODE, "--name", name, "--cookie", cookie_},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}});
    std::string seen;
    if (!c->wait_for_line(" up ", 20s, &seen))
      throw std::runtime_error("echo node did not start: " + seen + c->drain_stderr(1s));
    children_.push_back(std::move(c));
    return atom(name);
  }
  child_process& child(size_t i) { return *children_.at(i); }

  // erl -name b...@127.0.0.1 running `eval`.
  atom start_erl(const std::string& eval) {
    std::string name = "b" + random_suffix() + "@127.0.0.1";
    children_.push_back(std::make_unique<child_process>(
        std::vector<std::string>{"erl", "-noshell", "-name", name, "-setcookie", cookie_, "-eval",
                                 eval},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}}));
    return atom(name);
  }

  template <class F>
  void run(F f) {
    node_->run(std::move(f));  // rethrows what ended the process abnormally
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_;
  std::string name_;
  std::unique_ptr<otp::node> node_;
  std::vector<std::unique_ptr<child_process>> children_;
};

// A call to otpp_global on `node` (this one included).
term global_call(atom node, term req, std::chrono::milliseconds timeout = 10s) {
  if (node == node_name())
    return gs::call(server_ref(global::server_name()), std::move(req), timeout);
  return gs::call(server_ref(global::server_name(), node), std::move(req), timeout);
}

// What otpp_global on `node` says `name` is.
term where_on(atom node, atom name) {
  return global_call(node, otp::tuple(atom("whereis"), name));
}

// Returns once `node`'s table maps `name` to `expected` (a pid, or undefined).
void await_on(atom node, atom name, term expected) {
  EXPECT_EQ(global_call(node, otp::tuple(atom("await"), name, expected)), term(atoms::ok))
      << to_string(term(name)) << " on " << to_string(term(node));
}

// Registers from `node` through its otpp_global: yes or no.
term register_on(atom node, atom name, const pid& p) {
  return global_call(node, otp::tuple(atom("register_name"), name, p));
}

pid echo_pid(atom node) {
  return gs::call(server_ref(atom("echo"), node), term(atom("whoami")))[1].as_pid();
}

bool contains(const std::vector<atom>& v, atom a) {
  return std::find(v.begin(), v.end(), a) != v.end();
}

// A process that forwards every term it gets to `to`, tagged {got, Self, Msg}.
pid forwarder(const pid& to) {
  return spawn([to] {
    for (;;) {
      term m = receive<term>();
      send(to, otp::tuple(atom("got"), self(), m));
    }
  });
}

// The next {Tag, ...} message, skipping anything else; throws when none comes in time.
term receive_tagged(const char* tag, std::chrono::milliseconds timeout = 10s) {
  atom a(tag);
  auto is = [a](const term& t) { return t.is_tuple() && t.tuple_size() >= 1 && t[0].is_atom(a); };
  auto got = receive(when(is, [](term t) { return std::optional<term>(std::move(t)); }),
                     after(timeout, [] { return std::optional<term>(); }));
  if (!got) throw std::runtime_error(std::string("no ") + tag + " message");
  return *got;
}

down_msg receive_down(const reference& ref, std::chrono::milliseconds timeout = 10s) {
  auto d = receive(when([&](const down_msg& m) { return m.ref == ref; },
                        [](down_msg m) { return std::optional<down_msg>(m); }),
                   after(timeout, [] { return std::optional<down_msg>(); }));
  if (!d) throw std::runtime_error("no DOWN");
  return *d;
}

TEST_F(Global, ANameRegisteredHereIsSeenOnAnotherNodeAndReachedBySendAndVia) {
  atom e = start_echo();
  run([e] {
    ASSERT_TRUE(ping(e));
    pid q = forwarder(self());
    atom svc("svc");
    EXPECT_TRUE(global::register_name(svc, q));
    EXPECT_EQ(global::whereis_name(svc), q);
    EXPECT_TRUE(contains(global::registered_names(), svc));
    // The other node's table has it as soon as register_name returns.
    EXPECT_EQ(where_on(e, svc), term(q));
    EXPECT_EQ(global_call(e, term(atom("registered_names"))), otp::list(svc));

    EXPECT_EQ(global::send(svc, otp::tuple(atom("hello"), 1)), q);
    EXPECT_EQ(receive_tagged("got"), otp::tuple(atom("got"), q, otp::tuple(atom("hello"), 1)));

    // A name for a process on the other node: registered from there, reached from here.
    pid echo = echo_pid(e);
    EXPECT_EQ(register_on(e, atom("remote_echo"), echo), term(atom("yes")));
    EXPECT_EQ(global::whereis_name(atom("remote_echo")), echo);
    EXPECT_EQ(gs::call(global::via(atom("remote_echo")), term(atom("ping"))), term(atom("ping")));
    global::send(atom("remote_echo"),
                 otp::tuple(atom("$gen_cast"),
                            otp::tuple(atom("send"), self(), otp::tuple(atom("via_global")))));
    EXPECT_EQ(receive_tagged("via_global"), otp::tuple(atom("via_global")));
  });
}

TEST_F(Global, SendingToAnUnregisteredNameExitsWithBadargAndTheMessage) {
  run([] {
    try {
      global::send(atom("nobody"), otp::tuple(atom("hi"), 1));
      ADD_FAILURE() << "send returned";
    } catch (const exit_exception& x) {
      EXPECT_EQ(x.reason(),
                otp::tuple(atom("badarg"), otp::tuple(atom("nobody"), otp::tuple(atom("hi"), 1))));
    }
    EXPECT_TRUE(global::whereis_name(atom("nobody")).is_null());
    EXPECT_TRUE(global::via(atom("nobody")).pid().is_null());
  });
}

TEST_F(Global, ATakenNameOrAnAlreadyNamedPidIsRefusedFromEveryNode) {
  atom e = start_echo();
  run([e] {
    ASSERT_TRUE(ping(e));
    pid q = forwarder(self());
    pid r = forwarder(self());
    pid echo = echo_pid(e);
    atom svc("svc");
    ASSERT_TRUE(global::register_name(svc, q));
    EXPECT_EQ(register_on(e, svc, echo), term(atom("no")));  // taken: the other node says no
    EXPECT_FALSE(global::register_name(svc, r));             // and so do we
    EXPECT_FALSE(global::register_name(svc, q));             // even for the same pid
    EXPECT_FALSE(global::register_name(atom("svc2"), q));    // q already has a name
    EXPECT_EQ(register_on(e, atom("svc2"), q), term(atom("no")));
    EXPECT_EQ(where_on(e, svc), term(q));

    // Unregistered everywhere at once; then the other node may take it.
    global::unregister_name(svc);
    EXPECT_TRUE(global::whereis_name(svc).is_null());
    EXPECT_EQ(where_on(e, svc), term(undefined));
    EXPECT_EQ(register_on(e, svc, echo), term(atom("yes")));
    EXPECT_EQ(global::whereis_name(svc), echo);
    EXPECT_EQ(global_call(e, otp::tuple(atom("unregister_name"), svc)), term(atoms::ok));
    EXPECT_TRUE(global::whereis_name(svc).is_null());
    global::unregister_name(atom("never_registered"));  // nothing to do, no error
  });
}

TEST_F(Global, WhenTheRegisteredProcessDiesItsNameGoesAwayOnEveryNode) {
  atom e = start_echo();
  run([e] {
    ASSERT_TRUE(ping(e));
    pid q = forwarder(self());
    atom svc("svc");
    ASSERT_TRUE(global::register_name(svc, q));
    EXPECT_EQ(where_on(e, svc), term(q));
    exit(q, atoms::kill);
    await_on(node_name(), svc, term(undefined));
    await_on(e, svc, term(undefined));
    EXPECT_TRUE(global::whereis_name(svc).is_null());

    // The same for a process on the other node, registered from there.
    pid echo = echo_pid(e);
    ASSERT_EQ(register_on(e, atom("remote_echo"), echo), term(atom("yes")));
    EXPECT_EQ(global::whereis_name(atom("remote_echo")), echo);
    EXPECT_EQ(gs::call(echo, otp::tuple(atoms::stop, atom("bye"))), term(atoms::ok));
    await_on(e, atom("remote_echo"), term(undefined));
    await_on(node_name(), atom("remote_echo"), term(undefined));
    // The name is free again: a new holder may take it.
    EXPECT_TRUE(global::register_name(atom("remote_echo"), forwarder(self())));
  });
}

TEST_F(Global, AKilledNodeTakesItsNamesWithItOnTheOtherNodes) {
  atom e1 = start_echo();
  atom e2 = start_echo();
  run([this, e1, e2] {
    monitor_nodes(true);
    ASSERT_TRUE(ping(e1));
    ASSERT_TRUE(ping(e2));
    pid p1 = echo_pid(e1);
    atom n1("on_e1");
    ASSERT_EQ(register_on(e1, n1, p1), term(atom("yes")));
    EXPECT_EQ(global::whereis_name(n1), p1);
    await_on(e2, n1, term(p1));  // e2 hears of it even when it was not a participant yet
    // And a name this node owns stays.
    pid q = forwarder(self());
    ASSERT_TRUE(global::register_name(atom("here"), q));

    ::kill(child(0).pid(), SIGKILL);
    EXPECT_EQ(receive_tagged("nodedown"), otp::tuple(atom("nodedown"), e1));
    await_on(node_name(), n1, term(undefined));
    await_on(e2, n1, term(undefined));
    EXPECT_EQ(global::registered_names(), std::vector<atom>{atom("here")});
    EXPECT_EQ(where_on(e2, atom("here")), term(q));
  });
}

TEST_F(Global, TwoNodesRegisteringTheSameNameAtOnceEndWithExactlyOneHolderEverywhere) {
  atom e1 = start_echo();
  atom e2 = start_echo();
  run([e1, e2] {
    ASSERT_TRUE(ping(e1));
    ASSERT_TRUE(ping(e2));
    pid p1 = echo_pid(e1);
    pid p2 = echo_pid(e2);
    for (int round = 0; round < 10; ++round) {
      atom name("race_" + std::to_string(round));
      pid me = self();
      auto contender = [me, name](atom node, pid p) {
        term r = register_on(node, name, p);
        send(me, otp::tuple(atom("result"), p, r));
      };
      spawn(contender, e1, p1);
      spawn(contender, e2, p2);
      std::vector<pid> winners;
      for (int i = 0; i < 2; ++i) {
        term r = receive_tagged("result");
        ASSERT_TRUE(r[2].is_atom(atom("yes")) || r[2].is_atom(atom("no"))) << to_string(r);
        if (r[2].is_atom(atom("yes"))) winners.push_back(r[1].as_pid());
      }
      ASSERT_EQ(winners.size(), 1u) << "round " << round;
      pid w = winners[0];
      EXPECT_EQ(global::whereis_name(name), w);  // we took part in both transactions
      await_on(e1, name, term(w));
      await_on(e2, name, term(w));
      EXPECT_EQ(global_call(e1, otp::tuple(atom("unregister_name"), name)), term(atoms::ok));
      EXPECT_TRUE(global::whereis_name(name).is_null());
    }
  });
}

TEST_F(Global, ANameRegisteredOnTwoNodesBeforeTheyMeetIsKeptForTheNodeWhoseNameSortsFirst) {
  atom e1 = start_echo();
  atom e2 = start_echo();
  bool e1_first = e1 < e2;
  run([e1, e2, e1_first] {
    monitor_nodes(true);
    atom dup("dup");
    // e1 registers dup, with us taking part; then we part from e1, which forgets its names here.
    pid p1 = echo_pid(e1);
    ASSERT_EQ(register_on(e1, dup, p1), term(atom("yes")));
    EXPECT_EQ(global::whereis_name(dup), p1);
    ASSERT_TRUE(disconnect_node(e1));
    EXPECT_EQ(receive_tagged("nodedown"), otp::tuple(atom("nodedown"), e1));
    global::sync();
    EXPECT_TRUE(global::whereis_name(dup).is_null());
    // e2, which has never met e1, registers dup too.
    pid p2 = echo_pid(e2);
    ASSERT_EQ(register_on(e2, dup, p2), term(atom("yes")))
        << "tables here " << to_string(global_call(node_name(), term(atom("table")))) << ", on e2 "
        << to_string(global_call(e2, term(atom("table"))));
    EXPECT_EQ(global::whereis_name(dup), p2);

    // Meeting again (our monitor connects to e1): the tables are exchanged, e1 and e2 meet
    // too, and the entry of the node whose name sorts first stays; the other pid is killed.
    reference m2 = monitor(p2);
    reference m1 = monitor(p1);
    pid winner = e1_first ? p1 : p2;
    down_msg d = receive_down(e1_first ? m2 : m1);
    EXPECT_EQ(d.reason, term(atom("killed")));
    global::sync();
    EXPECT_EQ(global::whereis_name(dup), winner);
    EXPECT_EQ(global_call(e1, term(atom("sync"))), term(atoms::ok));
    EXPECT_EQ(global_call(e2, term(atom("sync"))), term(atoms::ok));
    EXPECT_EQ(where_on(e1, dup), term(winner));
    EXPECT_EQ(where_on(e2, dup), term(winner));
    // The winner lives on.
    EXPECT_TRUE(demonitor(e1_first ? m1 : m2, true));
    EXPECT_EQ(gs::call(winner, term(atom("still_here"))), term(atom("still_here")));
  });
  // The loser's node logged what it killed.
  child_process& loser = child(e1_first ? 1 : 0);
  std::string seen;
  bool logged = false;
  while (auto line = loser.read_err_line(10s)) {
    seen += *line + "\n";
    if (line->find("global: Name conflict terminating {dup,") != std::string::npos) {
      logged = true;
      break;
    }
  }
  EXPECT_TRUE(logged) << seen;
}

TEST_F(Global, BeamNodesAreNotParticipantsAndTheirGlobalNamesAreNotSeen) {
  if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
  atom b = start_erl(
      "yes = global:register_name(beam_name, self()), io:format(\"ready~n\"), "
      "receive stop -> ok end, halt().");
  ASSERT_TRUE(child(0).wait_for_line("ready", 30s)) << child(0).drain_stderr(1s);
  run([b] {
    ASSERT_TRUE(ping(b));
    auto start = std::chrono::steady_clock::now();
    pid q = forwarder(self());
    EXPECT_TRUE(global::register_name(atom("with_beam"), q));  // no lock waits for the BEAM node
    global::unregister_name(atom("with_beam"));
    global::sync();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // a call timeout would be 5 s
    EXPECT_TRUE(global::whereis_name(atom("beam_name")).is_null());
    EXPECT_TRUE(global::registered_names().empty());
  });
}

}  // namespace
