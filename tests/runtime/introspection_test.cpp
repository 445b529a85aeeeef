// process_info: what sys and observers will read.

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

TEST_F(RuntimeTest, ProcessInfoReportsQueueLinksMonitorsNameAndStatus) {
  node.run([] {
    pid me = self();
    pid p = spawn([me] {
      trap_exit(true);
      set_process_label("my_server");
      register_name(atom("inspected"), self());
      link(me);
      send(me, 1);
      receive<std::string>([](const std::string& s) { return s == "stop"; });
    });
    receive<int>();
    reference watching = monitor(p);
    send(p, 10);
    send(p, 11);
    auto info = get_process_info(p);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->self, p);
    EXPECT_EQ(info->message_queue_len, 2u);
    EXPECT_EQ(info->links, std::vector<pid>{me});
    ASSERT_EQ(info->monitored_by.size(), 1u);
    EXPECT_EQ(info->monitored_by[0].first, watching);
    EXPECT_EQ(info->monitored_by[0].second, me);
    EXPECT_EQ(info->registered_name, atom("inspected"));
    EXPECT_EQ(info->status, atoms::waiting);
    EXPECT_TRUE(info->trap_exit);
    EXPECT_EQ(info->current_function, "my_server");
    EXPECT_GT(info->memory, 0u);
    auto mine = get_process_info(self());
    ASSERT_TRUE(mine.has_value());
    EXPECT_EQ(mine->monitors.size(), 1u);
    EXPECT_EQ(mine->status, atoms::running);
    unlink(p);
    send(p, std::string("stop"));
  });
}

TEST_F(RuntimeTest, ProcessInfoOfADeadProcessIsEmpty) {
  node.run([] {
    pid p = spawn([] {});
    exit_reason_of(p);
    EXPECT_FALSE(get_process_info(p).has_value());
  });
}

TEST_F(RuntimeTest, TheNodeCountsAndListsLiveProcesses) {
  size_t before = node.process_count();
  node.run([this, before] {
    pid p = spawn([] { receive<int>(); });
    EXPECT_EQ(node.process_count(), before + 2);  // this one and p
    auto all = node.processes();
    EXPECT_NE(std::find(all.begin(), all.end(), p), all.end());
    send(p, 1);
    exit_reason_of(p);
  });
}
