// otp::init: the first stop request wins, waiters wake, reset forgets.

#include <gtest/gtest.h>

#include <otp/init.hpp>
#include <thread>

using namespace std::chrono_literals;

struct InitTest : ::testing::Test {
  void SetUp() override { otp::init::reset(); }
  void TearDown() override { otp::init::reset(); }
};

TEST_F(InitTest, NoStopIsRequestedAtFirst) {
  EXPECT_EQ(otp::init::stop_requested(), std::nullopt);
  EXPECT_EQ(otp::init::wait_for_stop(1ms), std::nullopt);
}

TEST_F(InitTest, TheFirstRequestWinsAndLaterOnesChangeNothing) {
  otp::init::stop(3, "first");
  otp::init::stop(0, "second");
  EXPECT_EQ(otp::init::stop_requested(), 3);
  EXPECT_EQ(otp::init::stop_reason(), "first");
  EXPECT_EQ(otp::init::wait_for_stop(), 3);
}

TEST_F(InitTest, AWaitingThreadWakesWhenAnotherThreadAsksForAStop) {
  std::optional<int> seen;
  std::thread waiter([&] { seen = otp::init::wait_for_stop(30s); });
  otp::init::stop(7);
  waiter.join();
  EXPECT_EQ(seen, 7);
}

TEST_F(InitTest, ResetForgetsTheRequest) {
  otp::init::stop(1, "why");
  otp::init::reset();
  EXPECT_EQ(otp::init::stop_requested(), std::nullopt);
  EXPECT_EQ(otp::init::stop_reason(), "");
}
