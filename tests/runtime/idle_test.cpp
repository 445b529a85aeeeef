// Stackless waiting (detail::request_idle), which behaviours build on.

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

namespace {
// Counts int messages; replies with the count to a pid message; waits without a stack.
auto counting_body() {
  return [count = 0]() mutable {
    for (;;) {
      bool handled = receive(
          [&](int) {
            ++count;
            return true;
          },
          [&](pid to) {
            send(to, count);
            return true;
          },
          after(0ms, [] { return false; }));
      if (!handled) {
        detail::request_idle();
        return;
      }
    }
  };
}
}  // namespace

TEST_F(RuntimeTest, AnIdleProcessKeepsItsStateAcrossWakeUps) {
  int n = node.run([] {
    pid counter = spawn(counting_body());
    for (int i = 0; i < 1000; ++i) send(counter, i);
    send(counter, self());
    return receive<int>();
  });
  EXPECT_EQ(n, 1000);
}

TEST_F(RuntimeTest, AnIdleProcessHoldsNoStack) {
  node.run([] {
    pid counter = spawn(counting_body());
    send(counter, 1);
    send(counter, self());
    EXPECT_EQ(receive<int>(), 1);
    auto info = get_process_info(counter);  // answered on a fresh stack, idle before and after
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->stack_bytes, 0u);
  });
}

TEST_F(RuntimeTest, AnIdleProcessCanBeKilledAndLinksSeeIt) {
  node.run([] {
    trap_exit(true);
    pid counter = spawn_link(counting_body());
    send(counter, self());
    receive<int>();
    otp::exit(counter, atom("stop_now"));
    auto e = receive<exit_msg>();
    EXPECT_EQ(e.from, counter);
    EXPECT_EQ(e.reason, term(atom("stop_now")));
  });
}
