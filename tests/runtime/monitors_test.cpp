// Monitors and DOWN messages.

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

TEST_F(RuntimeTest, DownCarriesTheExitReason) {
  node.run([] {
    pid p = spawn([] {
      receive<int>();
      exit(A("done"));
    });
    reference r = monitor(p);
    send(p, 1);
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.process(), p);
    EXPECT_EQ(d.reason, A("done"));
  });
}

TEST_F(RuntimeTest, DownForADeadPidSaysNoproc) {
  node.run([] {
    pid p = spawn([] {});
    exit_reason_of(p);
    reference r = monitor(p);
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, term(atoms::noproc));
  });
}

TEST_F(RuntimeTest, SpawnMonitorMonitorsBeforeTheChildCanRun) {
  node.run([] {
    auto [p, r] = spawn_monitor([] { exit(A("quick")); });
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.process(), p);
    EXPECT_EQ(d.reason, A("quick"));
  });
}

TEST_F(RuntimeTest, MonitoringByNameReportsNameAndNodeInDown) {
  node.run([] {
    pid p = spawn([] { receive<int>(); });
    register_name(atom("watched"), p);
    reference r = monitor(atom("watched"));
    send(p, 1);
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.item, tuple(A("watched"), atoms::nonode_nohost));
    EXPECT_EQ(d.reason, term(atoms::normal));
  });
}

TEST_F(RuntimeTest, MonitoringAnUnregisteredNameGivesNoprocAtOnce) {
  node.run([] {
    reference r = monitor(atom("nobody"));
    auto d = receive_for<down_msg>(0ms);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->ref, r);
    EXPECT_EQ(d->item, tuple(A("nobody"), atoms::nonode_nohost));
    EXPECT_EQ(d->reason, term(atoms::noproc));
  });
}

TEST_F(RuntimeTest, AfterDemonitorNoDownArrives) {
  node.run([] {
    pid me = self();
    pid p = spawn([me] {
      receive<int>();
      send(me, std::string("bye"));
    });
    reference r = monitor(p);
    EXPECT_TRUE(demonitor(r));
    reference r2 = monitor(p);  // a second monitor tells us when it is gone
    send(p, 1);
    EXPECT_EQ(receive<std::string>(), "bye");
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r2);
    EXPECT_FALSE(receive_for<down_msg>(0ms).has_value());
    EXPECT_FALSE(demonitor(r));  // no longer active
  });
}

TEST_F(RuntimeTest, DemonitorWithFlushRemovesADownAlreadyQueued) {
  node.run([] {
    pid p = spawn([] {});
    reference r = monitor(p);
    reference r2 = monitor(p);
    // Wait for the second DOWN: then the first is queued too (signals arrive in order).
    receive(when([&](const down_msg& d) { return d.ref == r2; }, [](down_msg) {}));
    demonitor(r, true);
    EXPECT_FALSE(receive_for<down_msg>(0ms).has_value());
  });
}

TEST_F(RuntimeTest, EveryMonitorGetsItsOwnDown) {
  node.run([] {
    pid p = spawn([] { receive<int>(); });
    reference a = monitor(p), b = monitor(p);
    send(p, 1);
    auto d1 = receive<down_msg>();
    auto d2 = receive<down_msg>();
    EXPECT_EQ(d1.ref, a);
    EXPECT_EQ(d2.ref, b);
  });
}

TEST_F(RuntimeTest, MonitoringAPidOfAnUnreachableNodeGivesDownNoconnection) {
  node.run([] {
    pid far = pid::remote(atom("elsewhere@nohost"), 5, 1);
    reference r = monitor(far);
    auto d = receive<down_msg>();
    EXPECT_EQ(d.ref, r);
    EXPECT_EQ(d.reason, term(atoms::noconnection));
  });
}
