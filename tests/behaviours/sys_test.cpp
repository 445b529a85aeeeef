// sys: system messages every behaviour answers.

#include <otp/gen_server.hpp>

#include "../runtime/fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;
namespace gs = otp::gen_server;

namespace {
struct store {
  struct get {
    using reply = int;
  };
  using calls = types<get>;
  using casts = types<int>;
  int handle_call(get, const from&) { return value; }
  void handle_cast(int v) { value = v; }
  void code_change(const term& old_vsn, const term&) { upgraded_from = to_string(old_vsn); }
  int value = 0;
  std::string upgraded_from;
};
}  // namespace

TEST_F(RuntimeTest, GetStateReturnsACopyOfTheServerState) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    gs::cast(s, 5);
    EXPECT_EQ(sys::get_state<store>(s).value, 5);
    EXPECT_THROW(sys::get_state<int>(s), std::logic_error);
  });
}

TEST_F(RuntimeTest, ReplaceStateRunsInsideTheServer) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    sys::replace_state<store>(s, [](store& st) { st.value = 99; });
    EXPECT_EQ(gs::call(s, store::get{}), 99);
  });
}

TEST_F(RuntimeTest, ASuspendedServerQueuesMessagesUntilResumed) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    sys::suspend(s);
    gs::cast(s, 7);
    EXPECT_EQ(sys::get_status(s).status, atoms::suspended);
    EXPECT_EQ(sys::get_state<store>(s).value, 0);  // the cast waits in the queue
    EXPECT_EQ(get_process_info(s)->message_queue_len, 1u);
    sys::resume(s);
    EXPECT_EQ(gs::call(s, store::get{}), 7);
    EXPECT_EQ(sys::get_status(s).status, atoms::running);
  });
}

TEST_F(RuntimeTest, GetStatusDescribesTheProcess) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    auto st = sys::get_status(s);
    EXPECT_EQ(st.self, s);
    EXPECT_EQ(st.behaviour, "gen_server");
    EXPECT_NE(st.callback.find("store"), std::string::npos);
    EXPECT_EQ(st.parent, self());
  });
}

TEST_F(RuntimeTest, LogKeepsTheLastEventsAndStatisticsCountMessages) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    sys::log(s, 2);
    sys::statistics(s, true);
    gs::cast(s, 1);
    gs::cast(s, 2);
    gs::call(s, store::get{});
    auto events = sys::log_get(s);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_NE(events[0].find("got call"), std::string::npos);
    EXPECT_NE(events[1].find("sent reply"), std::string::npos);
    auto stats = sys::get_statistics(s);
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->messages_in, 3u);
    EXPECT_EQ(stats->messages_out, 1u);
    sys::log(s, 0);
    sys::statistics(s, false);
    EXPECT_FALSE(sys::get_statistics(s).has_value());
  });
}

TEST_F(RuntimeTest, ChangeCodeNeedsASuspendedProcessAndCallsCodeChange) {
  node.run([] {
    pid s = gs::start_link<store>().child();
    EXPECT_EQ(sys::change_code(s, term::string("1.0"), term()),
              tuple(atoms::error, A("not_suspended")));
    sys::suspend(s);
    EXPECT_EQ(sys::change_code(s, term::string("1.0"), term()), term(atoms::ok));
    sys::resume(s);
    EXPECT_EQ(sys::get_state<store>(s).upgraded_from, "\"1.0\"");
  });
}

TEST_F(RuntimeTest, SysCallsToADeadProcessExitWithNoproc) {
  node.run([] {
    pid s = gs::start<store>().child();
    gs::stop(s);
    try {
      sys::get_status(s);
      ADD_FAILURE() << "expected an exit";
    } catch (const exit_exception& e) {
      EXPECT_EQ(e.reason()[0], term(atoms::noproc));
    }
  });
}
