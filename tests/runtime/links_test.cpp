// Links and exit signals, with Erlang's rules (checked against erl).

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

namespace {
// A process that waits until told to stop (or killed).
void idle_until_stopped() {
  receive<std::string>([](const std::string& s) { return s == "stop"; });
}
}  // namespace

TEST_F(RuntimeTest, AnAbnormalExitKillsLinkedProcessesWithTheSameReason) {
  term why = node.run([] {
    pid me = self();
    pid a = spawn([me] {
      pid b = spawn_link([] {
        receive<int>();
        exit(A("crash"));
      });
      send(me, b);
      idle_until_stopped();
    });
    pid b = receive<pid>();
    reference ra = monitor(a);
    send(b, 1);
    return receive(
        when([&](const down_msg& d) { return d.ref == ra; }, [](down_msg d) { return d.reason; }));
  });
  EXPECT_EQ(why, A("crash"));
}

TEST_F(RuntimeTest, ANormalExitDoesNotKillALinkedProcessThatDoesNotTrapExits) {
  node.run([] {
    pid me = self();
    pid a = spawn([me] {
      spawn_link([] {});  // ends normally at once
      send(me, std::string("still here"));
      idle_until_stopped();
    });
    EXPECT_EQ(receive<std::string>(), "still here");
    EXPECT_TRUE(is_process_alive(a));
    reference r = monitor(a);
    send(a, std::string("stop"));
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, term(atoms::normal));
  });
}

TEST_F(RuntimeTest, ATrappedExitSignalBecomesAnExitMessage) {
  node.run([] {
    trap_exit(true);
    pid child = spawn_link([] { exit(A("boom")); });
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, child);
    EXPECT_EQ(e.reason, A("boom"));
  });
}

TEST_F(RuntimeTest, ATrappedKillStillKillsAndArrivesAsKilled) {
  node.run([] {
    pid me = self();
    pid victim = spawn([me] {
      trap_exit(true);
      send(me, 1);
      idle_until_stopped();
    });
    receive<int>();
    reference r = monitor(victim);
    exit(victim, atoms::kill);
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, term(atoms::killed));
  });
}

TEST_F(RuntimeTest, ProcessesLinkedToAKilledProcessSeeKilled) {
  node.run([] {
    trap_exit(true);
    pid victim = spawn_link([] { idle_until_stopped(); });
    exit(victim, atoms::kill);
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, victim);
    EXPECT_EQ(e.reason, term(atoms::killed));
  });
}

TEST_F(RuntimeTest, AnExitWithReasonKillFromALinkIsTrappable) {
  // Only exit/2 with kill is untrappable; a linked process dying with reason kill is not.
  node.run([] {
    trap_exit(true);
    pid child = spawn_link([] { exit(atoms::kill); });
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, child);
    EXPECT_EQ(e.reason, term(atoms::kill));
  });
}

TEST_F(RuntimeTest, ANormalExitSignalToOneselfEndsAProcessThatDoesNotTrapExits) {
  term why = node.run([] {
    return exit_reason_of_spawned([] {
      otp::exit(self(), atoms::normal);
      send(self(), std::string("not reached"));
      idle_until_stopped();
    });
  });
  EXPECT_EQ(why, term(atoms::normal));
}

TEST_F(RuntimeTest, ANormalExitSignalFromAnotherProcessIsIgnoredWhenNotTrapping) {
  node.run([] {
    pid me = self();
    pid p = spawn([me] {
      receive<int>();
      send(me, std::string("alive"));
      idle_until_stopped();
    });
    otp::exit(p, atoms::normal);
    send(p, 1);
    EXPECT_EQ(receive<std::string>(), "alive");
    otp::exit(p, atoms::kill);
  });
}

TEST_F(RuntimeTest, LinkingToADeadProcessRaisesNoprocWhenNotTrapping) {
  term why = node.run([] {
    pid dead = spawn([] {});
    exit_reason_of(dead);
    return exit_reason_of_spawned([dead] { link(dead); });
  });
  EXPECT_EQ(why, term(atoms::noproc));
}

TEST_F(RuntimeTest, LinkingToADeadProcessGivesAnExitMessageWhenTrapping) {
  node.run([] {
    pid dead = spawn([] {});
    exit_reason_of(dead);
    trap_exit(true);
    link(dead);
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, dead);
    EXPECT_EQ(e.reason, term(atoms::noproc));
  });
}

TEST_F(RuntimeTest, AfterUnlinkADyingProcessNoLongerAffectsTheCaller) {
  node.run([] {
    pid me = self();
    pid child = spawn_link([me] {
      receive<int>();
      send(me, std::string("dying"));
      exit(A("bad"));
    });
    unlink(child);
    reference r = monitor(child);
    send(child, 1);
    EXPECT_EQ(receive<std::string>(), "dying");
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, A("bad"));
    EXPECT_FALSE(receive_for<term>(0ms).has_value());  // no EXIT, and we are alive
  });
}

TEST_F(RuntimeTest, LinksAreBidirectional) {
  term why = node.run([] {
    pid me = self();
    pid a = spawn([me] {
      trap_exit(true);
      send(me, self());
      auto e = receive<exit_msg>();
      exit(tuple(A("saw"), e.reason));
    });
    pid got = receive<pid>();
    reference ra = monitor(a);
    spawn([got] {
      link(got);  // b links to a; b's death must reach a
      exit(A("b_died"));
    });
    return receive(
        when([&](const down_msg& d) { return d.ref == ra; }, [](down_msg d) { return d.reason; }));
  });
  EXPECT_EQ(why, tuple(A("saw"), A("b_died")));
}

TEST_F(RuntimeTest, SignalsAndMessagesFromOneSenderArriveInOrder) {
  node.run([] {
    pid me = self();
    pid receiver = spawn([me] {
      trap_exit(true);
      send(me, 0);
      for (int i = 0; i < 3; ++i) send(me, receive<term>());
    });
    receive<int>();
    send(receiver, term(1));
    otp::exit(receiver, A("middle"));
    send(receiver, term(2));
    EXPECT_EQ(receive<term>(), term(1));
    EXPECT_EQ(receive<term>(), tuple(atoms::EXIT, me, A("middle")));
    EXPECT_EQ(receive<term>(), term(2));
  });
}

TEST_F(RuntimeTest, ACppExceptionEndsTheProcessWithItsTypeAndMessage) {
  term why =
      node.run([] { return exit_reason_of_spawned([] { throw std::runtime_error("boom"); }); });
  EXPECT_EQ(why, tuple(atoms::cpp_exception, A("std::runtime_error"), term::binary("boom")));
}

TEST_F(RuntimeTest, LinkedProcessesSeeTheExceptionReasonAndTheNodeKeepsRunning) {
  node.run([] {
    trap_exit(true);
    pid p = spawn_link([] { throw std::out_of_range("index 9"); });
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, p);
    EXPECT_EQ(e.reason,
              tuple(atoms::cpp_exception, A("std::out_of_range"), term::binary("index 9")));
  });
  EXPECT_EQ(node.run([] { return 1; }), 1);
}

TEST_F(RuntimeTest, AnUncaughtThrownTermEndsTheProcessWithNocatch) {
  term why = node.run([] { return exit_reason_of_spawned([] { throw tuple(A("oops"), 1); }); });
  EXPECT_EQ(why, tuple(atoms::nocatch, tuple(A("oops"), 1)));
}

TEST_F(RuntimeTest, AKillUnwindsTheStackSoDestructorsRun) {
  node.run([] {
    pid me = self();
    struct sentinel {
      pid to;
      ~sentinel() { send(to, std::string("destructor ran")); }
    };
    pid victim = spawn([me] {
      sentinel s{me};
      send(me, std::string("ready"));
      idle_until_stopped();
    });
    EXPECT_EQ(receive<std::string>(), "ready");
    reference r = monitor(victim);
    otp::exit(victim, atoms::kill);
    EXPECT_EQ(receive<std::string>(), "destructor ran");
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, term(atoms::killed));
  });
}

TEST_F(RuntimeTest, ASwallowedExitIsRaisedAgainAtTheNextYieldPoint) {
  term why = node.run([] {
    pid me = self();
    pid victim = spawn([me] {
      try {
        send(me, std::string("ready"));
        idle_until_stopped();
      } catch (...) {
        // swallowed: the runtime must not let the process carry on
      }
      receive<int>();
      send(me, std::string("should not get here"));
    });
    receive<std::string>();
    reference r = monitor(victim);
    otp::exit(victim, A("stop_it"));
    return receive(
        when([&](const down_msg& d) { return d.ref == r; }, [](down_msg d) { return d.reason; }));
  });
  EXPECT_EQ(why, A("stop_it"));
}

TEST_F(RuntimeTest, LinkingToAPidOfAnUnreachableNodeGivesNoconnection) {
  node.run([] {
    trap_exit(true);
    pid far = pid::remote(atom("elsewhere@nohost"), 5, 1);
    link(far);
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, far);
    EXPECT_EQ(e.reason, term(atoms::noconnection));
    send(far, 1);  // dropped, no error
  });
}
