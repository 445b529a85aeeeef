// Scheduling guarantees: blocking without blocking threads, fairness, stealing, blocking
// work, and stack preservation across suspension and migration.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

namespace {

struct OneScheduler : ::testing::Test {
  otp::node node{{.schedulers = 1}};
};

// Recurses `depth` levels, each frame holding data derived from `seed`, then blocks in
// receive at the bottom; checks every frame is intact on the way back up.
int deep_wait(int depth, int seed) {
  volatile int frame[16];
  for (int i = 0; i < 16; ++i) frame[i] = seed * 31 + depth * 7 + i;
  int below = depth == 0 ? receive<int>() : deep_wait(depth - 1, seed);
  for (int i = 0; i < 16; ++i)
    if (frame[i] != seed * 31 + depth * 7 + i) return -1000000;
  return below + 1;
}

}  // namespace

TEST_F(OneScheduler, AProcessBlockedDeepInItsCallStackDoesNotBlockItsThread) {
  int r = node.run([] {
    pid me = self();
    pid deep = spawn([me] { send(me, deep_wait(2000, 5)); });
    // With one scheduler thread, this only runs if `deep` gave the thread back.
    pid helper = spawn([deep] { send(deep, 1); });
    (void)helper;
    return receive<int>();
  });
  EXPECT_EQ(r, 1 + 2001);  // the message, plus one per level (0..2000)
}

TEST_F(RuntimeTest, ThousandsOfSuspendedProcessesKeepTheirStacksIntact) {
  // More processes than stack lanes: most are copied out and back in, on either thread.
  node.run([] {
    pid me = self();
    constexpr int n = 3000;
    std::vector<pid> ps;
    for (int i = 0; i < n; ++i) ps.push_back(spawn([me, i] { send(me, deep_wait(i % 50, i)); }));
    for (int i = n - 1; i >= 0; --i) send(ps[i], 0);
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += receive<int>();
    long expected = 0;
    for (int i = 0; i < n; ++i) expected += i % 50 + 1;
    EXPECT_EQ(sum, expected);
  });
}

TEST_F(OneScheduler, AProcessThatAlwaysHasMessagesCannotStarveOthers) {
  node.run([] {
    pid me = self();
    pid flooder = spawn([] {
      send(self(), 0);
      for (;;) send(self(), receive<int>() + 1);  // never waits: its mailbox is never empty
    });
    spawn([me] { send(me, std::string("got a turn")); });
    EXPECT_EQ(receive<std::string>(), "got a turn");
    otp::exit(flooder, atoms::kill);
  });
}

TEST_F(OneScheduler, ALongLoopThatCallsYieldLetsOthersRun) {
  node.run([] {
    std::atomic<bool> flag{false};
    pid me = self();
    pid looper = spawn([&flag, me] {
      long spins = 0;
      while (!flag.load()) {
        ++spins;
        otp::yield();
      }
      send(me, spins);
    });
    spawn([&flag] { flag.store(true); });
    EXPECT_GT(receive<long>(), 0);
    exit_reason_of(looper);
  });
}

TEST_F(RuntimeTest, AnIdleSchedulerStealsWorkFromABusyOne) {
  // Two processes spin until both are running. Without stealing they would share one thread
  // and the first would spin forever (no yield point in the loop).
  node.run([] {
    std::atomic<int> started{0};
    pid me = self();
    for (int i = 0; i < 2; ++i) {
      spawn([&started, me] {
        started.fetch_add(1);
        while (started.load() < 2) {
        }
        send(me, 1);
      });
    }
    EXPECT_EQ(receive<int>() + receive<int>(), 2);
  });
}

TEST_F(OneScheduler, BlockingWorkRunsOffTheSchedulerWhileTheCallerWaits) {
  node.run([] {
    std::mutex mu;
    std::condition_variable cv;
    bool released = false;
    pid me = self();
    pid waiter = spawn([&, me] {
      blocking([&] {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return released; });  // a real blocking OS call
      });
      send(me, std::string("blocking call returned"));
    });
    // The only scheduler thread is free: this process runs and releases the waiter.
    spawn([&] {
      std::lock_guard lk(mu);
      released = true;
      cv.notify_all();
    });
    EXPECT_EQ(receive<std::string>(), "blocking call returned");
    exit_reason_of(waiter);
  });
}

TEST_F(RuntimeTest, BlockingWorkUsesTheCallersLocalsAndReturnsItsResult) {
  int r = node.run([] {
    int local = 20;
    int out = blocking([&] {
      local += 1;
      return local * 2;
    });
    return out + local;
  });
  EXPECT_EQ(r, 42 + 21);
}

TEST_F(RuntimeTest, BlockingWorkRethrowsItsException) {
  node.run([] {
    EXPECT_THROW(blocking([]() -> int { throw std::invalid_argument("bad"); }),
                 std::invalid_argument);
  });
}

TEST_F(OneScheduler, ExceptionStateSurvivesSuspendingInsideACatchBlock) {
  std::string caught = node.run([] {
    pid me = self();
    pid p = spawn([me] {
      try {
        throw std::runtime_error("first");
      } catch (...) {
        send(me, self());
        receive<int>();  // suspended inside the handler while others throw and catch
        try {
          throw;  // rethrows "first": the handler's state came back with the process
        } catch (const std::runtime_error& e) {
          send(me, std::string(e.what()));
        }
      }
    });
    pid waiting = receive<pid>();
    for (int i = 0; i < 3; ++i) {
      try {
        throw std::logic_error("noise");
      } catch (const std::logic_error&) {
      }
    }
    send(waiting, 1);
    (void)p;
    return receive<std::string>();
  });
  EXPECT_EQ(caught, "first");
}

TEST_F(RuntimeTest, ProcessesSpawnedFromInsideAProcessAllRun) {
  long sum = node.run([] {
    pid me = self();
    constexpr int n = 100000;
    for (int i = 0; i < n; ++i) spawn([me, i] { send(me, long(i)); });
    long s = 0;
    for (int i = 0; i < n; ++i) s += receive<long>();
    return s;
  });
  EXPECT_EQ(sum, 100000L * 99999 / 2);
}

TEST(Scheduling, TheDefaultIsOneSchedulerPerCore) {
  otp::node n;
  EXPECT_EQ(n.scheduler_count(), std::thread::hardware_concurrency());
}
