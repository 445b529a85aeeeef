// proc_lib: synchronous start, ancestors.

#include <otp/proc_lib.hpp>

#include "../runtime/fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

TEST_F(RuntimeTest, StartReturnsOnlyAfterInitAck) {
  node.run([] {
    auto r = proc_lib::start([](const detail::start_ticket& t) {
      register_name(atom("acked"), self());  // done before the ack, so visible after start
      proc_lib::init_ack(t, start_result::ok(self()));
      receive<int>();
    });
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(whereis(atom("acked")), r.child());
    send(r.child(), 1);
  });
}

TEST_F(RuntimeTest, AProcessDyingBeforeItsAckMakesStartReturnTheError) {
  node.run([] {
    trap_exit(true);  // the linked child's death must not take us down here
    auto r = proc_lib::start([](const detail::start_ticket&) { otp::exit(A("init_crashed")); });
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.reason(), A("init_crashed"));
    EXPECT_FALSE(receive_for<exit_msg>(0ms).has_value());  // its EXIT was consumed
  });
}

TEST_F(DeterministicTest, AStartThatTimesOutKillsTheChildAndReturnsTimeout) {
  start_result r = start_result::ok(pid());
  node.spawn([&] {
    r = proc_lib::start([](const detail::start_ticket&) { receive<int>(); },
                        {.link = true, .timeout = 100ms});
  });
  node.wait_idle();
  node.advance_time(100ms);
  node.wait_idle();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.reason(), term(atoms::timeout));
}

TEST_F(RuntimeTest, ProcessesStartedWithProcLibKnowTheirParentAndAncestors) {
  node.run([] {
    pid me = self();
    auto r = proc_lib::start([me](const detail::start_ticket& t) {
      proc_lib::init_ack(t, start_result::ok(self()));
      auto inner = proc_lib::start([me](const detail::start_ticket& t2) {
        proc_lib::init_ack(t2, start_result::ok(self()));
        send(me, std::pair<pid, term>(proc_lib::parent(), proc_lib::ancestors()));
      });
      send(me, inner.child());
      receive<int>();
    });
    pid inner = receive<pid>();
    auto [parent, ancestors] = receive<std::pair<pid, term>>();
    EXPECT_EQ(parent, r.child());
    EXPECT_EQ(ancestors, list(r.child(), me));
    (void)inner;
    send(r.child(), 1);
  });
}
