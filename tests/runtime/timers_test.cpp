// Timers and receive timeouts, on the manual clock (no sleeps) and, for "never early", the
// real one.

#include <thread>

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

TEST_F(DeterministicTest, AReceiveTimeoutFiresOnlyWhenTheClockReachesIt) {
  pid p = node.spawn([] {
    auto r = receive_for<int>(100ms);
    send(atom("observer"), r.has_value() ? std::string("message") : std::string("timeout"));
  });
  pid obs = node.spawn([] {
    register_name(atom("observer"), self());
    auto what = receive<std::string>();
    send(atom("result"), what);
  });
  (void)obs;
  node.wait_idle();
  node.advance_time(99ms);
  node.wait_idle();
  EXPECT_TRUE(is_process_alive(p));  // still waiting at 99 ms
  std::string got;
  node.spawn([&got] {
    register_name(atom("result"), self());
    got = receive<std::string>();
  });
  node.wait_idle();
  node.advance_time(1ms);
  node.wait_idle();
  EXPECT_EQ(got, "timeout");
}

TEST_F(DeterministicTest, SendAfterDeliversAtTheDeadlineAndNotBefore) {
  int got = 0;
  pid p = node.spawn([&got] {
    send_after(50ms, self(), 7);
    got = receive<int>();
  });
  node.wait_idle();
  node.advance_time(49ms);
  node.wait_idle();
  EXPECT_EQ(got, 0);
  node.advance_time(1ms);
  node.wait_idle();
  EXPECT_EQ(got, 7);
  EXPECT_FALSE(is_process_alive(p));
}

TEST_F(DeterministicTest, CancelTimerReturnsTheTimeLeftAndStopsDelivery) {
  std::optional<std::chrono::milliseconds> left, again;
  bool got_message = true;
  node.spawn([&] {
    reference t = send_after(100ms, self(), 1);
    send(self(), std::string("armed"));
    receive<std::string>();
    receive_for<int>(30ms);  // lets 30 ms pass
    left = cancel_timer(t);
    again = cancel_timer(t);
    got_message = receive_for<int>(200ms).has_value();
  });
  node.wait_idle();
  node.advance_time(30ms);
  node.wait_idle();
  node.advance_time(300ms);
  node.wait_idle();
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(*left, 70ms);
  EXPECT_FALSE(again.has_value());
  EXPECT_FALSE(got_message);
}

TEST_F(DeterministicTest, CancellingAFiredTimerReturnsNothing) {
  std::optional<std::chrono::milliseconds> left = 1ms;
  node.spawn([&] {
    reference t = send_after(10ms, self(), 1);
    receive<int>();
    left = cancel_timer(t);
  });
  node.wait_idle();
  node.advance_time(10ms);
  node.wait_idle();
  EXPECT_FALSE(left.has_value());
}

TEST_F(DeterministicTest, TimersFireInDeadlineOrder) {
  std::vector<int> order;
  node.spawn([&] {
    send_after(30ms, self(), 3);
    send_after(10ms, self(), 1);
    send_after(20ms, self(), 2);
    for (int i = 0; i < 3; ++i) order.push_back(receive<int>());
  });
  node.wait_idle();
  node.advance_time(100ms);
  node.wait_idle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST_F(DeterministicTest, SendAfterToANameResolvesTheNameWhenItFires) {
  int got = 0;
  node.spawn([] { send_after(10ms, atom("late_comer"), 5); });
  node.wait_idle();
  node.spawn([&got] {
    register_name(atom("late_comer"), self());
    got = receive<int>();
  });
  node.wait_idle();
  node.advance_time(10ms);
  node.wait_idle();
  EXPECT_EQ(got, 5);
}

TEST_F(DeterministicTest, SleepSuspendsForTheGivenTime) {
  bool woke = false;
  node.spawn([&] {
    otp::sleep(20ms);
    woke = true;
  });
  node.wait_idle();
  node.advance_time(19ms);
  node.wait_idle();
  EXPECT_FALSE(woke);
  node.advance_time(1ms);
  node.wait_idle();
  EXPECT_TRUE(woke);
}

TEST_F(RuntimeTest, ARealTimerNeverFiresEarly) {
  auto elapsed = node.run([] {
    auto t0 = std::chrono::steady_clock::now();
    send_after(20ms, self(), 1);
    receive<int>();
    return std::chrono::steady_clock::now() - t0;
  });
  EXPECT_GE(elapsed, 20ms);
}
