// Node start-up and orderly shutdown.

#include <atomic>

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

TEST(Node, ShutdownSendsShutdownToEveryProcessAndJoinsEverything) {
  std::atomic<int> got_shutdown{0};
  {
    otp::node n({.schedulers = 2});
    for (int i = 0; i < 50; ++i) {
      n.spawn([&] {
        trap_exit(true);
        auto e = receive<exit_msg>();
        if (e.reason == term(atoms::shutdown)) got_shutdown.fetch_add(1);
      });
    }
    for (int i = 0; i < 50; ++i) n.spawn([] { receive<int>(); });  // die of `shutdown`
    n.shutdown();
    EXPECT_EQ(n.process_count(), 0u);
  }
  EXPECT_EQ(got_shutdown.load(), 50);
}

TEST(Node, ProcessesThatIgnoreShutdownAreKilledAfterTheGracePeriod) {
  otp::node n({.schedulers = 1, .shutdown_timeout = 20ms});
  n.spawn([] {
    trap_exit(true);
    for (;;) receive<term>();  // ignores the shutdown EXIT message
  });
  n.shutdown();
  EXPECT_EQ(n.process_count(), 0u);
}

TEST(Node, ShutdownIsIdempotentAndTheDestructorShutsDown) {
  otp::node n({.schedulers = 2});
  n.spawn([] { receive<int>(); });
  n.shutdown();
  n.shutdown();
}

TEST(Node, SpawnAndRunFromOutsideFailOnceShutdownBeganInsteadOfStartingAProcessThatNeverRuns) {
  otp::node n({.schedulers = 1});
  n.shutdown();
  EXPECT_THROW(n.spawn([] {}), std::runtime_error);
  EXPECT_THROW(n.run([] { return 1; }), std::runtime_error);
  EXPECT_EQ(n.process_count(), 0u);
}

TEST(Node, AProcessBeingStoppedMayStillSpawn) {
  std::atomic<bool> spawned{false};
  {
    otp::node n({.schedulers = 2});
    n.run([&] {
      pid me = self();
      spawn([&, me] {
        trap_exit(true);
        send(me, 1);          // trapping from here on
        receive<exit_msg>();  // the node's `shutdown`
        spawn([] {});
        spawned = true;
      });
      receive<int>();
    });
    n.shutdown();
  }
  EXPECT_TRUE(spawned.load());
}
