// Spawning, sending and receiving.

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;

struct ping {
  pid from;
  int n;
};

TEST_F(RuntimeTest, ASpawnedProcessRunsItsFunctionAndEndsNormally) {
  term reason = node.run([] {
    pid me = self();
    term why = exit_reason_of_spawned([me] { send(me, std::string("ran")); });
    EXPECT_EQ(receive<std::string>(), "ran");
    return why;
  });
  EXPECT_EQ(reason, term(atoms::normal));
}

TEST_F(RuntimeTest, PidsPrintAsErlangPidsAndCompareAndHash) {
  node.run([] {
    pid a = spawn([] {});
    pid b = spawn([] {});
    EXPECT_NE(a, b);
    EXPECT_TRUE(a < b || b < a);
    std::string s = to_string(a);
    EXPECT_EQ(s.rfind("<0.", 0), 0u) << s;
    EXPECT_EQ(s.back(), '>');
    std::unordered_set<pid> set{a, b, a};
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(self(), self());
  });
}

TEST_F(RuntimeTest, SpawnPassesArgumentsToTheProcessFunction) {
  int r = node.run([] {
    pid me = self();
    spawn([](pid to, int a, int b) { send(to, a + b); }, me, 40, 2);
    return receive<int>();
  });
  EXPECT_EQ(r, 42);
}

TEST_F(RuntimeTest, SendingToADeadPidIsSilentlyDropped) {
  node.run([] {
    pid dead = spawn([] {});
    exit_reason_of(dead);
    send(dead, 1);  // no error, nothing happens
    EXPECT_FALSE(is_process_alive(dead));
  });
}

TEST_F(RuntimeTest, SendingToANameNobodyHoldsIsABadargError) {
  node.run([] { EXPECT_THROW(send(atom("nobody_here"), 1), bad_term_access); });
}

TEST_F(RuntimeTest, MessagesAreMovedNotCopied) {
  node.run([] {
    pid me = self();
    auto box = std::make_unique<int>(7);
    int* where = box.get();
    spawn([me](std::unique_ptr<int> b) { send(me, std::move(b)); }, std::move(box));
    auto back = receive<std::unique_ptr<int>>();
    EXPECT_EQ(back.get(), where);
    EXPECT_EQ(*back, 7);
  });
}

TEST_F(RuntimeTest, SelectiveReceiveLeavesUnmatchedMessagesInOrder) {
  node.run([] {
    pid me = self();
    send(me, 1);
    send(me, std::string("a"));
    send(me, 2);
    send(me, std::string("b"));
    send(me, 3);
    EXPECT_EQ(receive<std::string>(), "a");
    EXPECT_EQ(receive<std::string>(), "b");
    EXPECT_EQ(receive<int>(), 1);
    EXPECT_EQ(receive<int>(), 2);
    EXPECT_EQ(receive<int>(), 3);
  });
}

TEST_F(RuntimeTest, ReceiveWithAPredicateTakesTheFirstMessageThatSatisfiesIt) {
  node.run([] {
    pid me = self();
    for (int i = 1; i <= 5; ++i) send(me, i);
    EXPECT_EQ(receive<int>([](int x) { return x % 2 == 0; }), 2);
    EXPECT_EQ(receive<int>([](int x) { return x > 3; }), 4);
    EXPECT_EQ(receive<int>(), 1);
    EXPECT_EQ(receive<int>(), 3);
    EXPECT_EQ(receive<int>(), 5);
  });
}

TEST_F(RuntimeTest, ReceiveTriesClausesInOrderForEachMessageInArrivalOrder) {
  node.run([] {
    pid me = self();
    send(me, 3.5);
    send(me, 10);
    // The oldest message that any clause accepts wins, even if a later clause accepts it.
    std::string got = receive([](int) { return std::string("int"); },
                              [](double) { return std::string("double"); });
    EXPECT_EQ(got, "double");
    EXPECT_EQ(receive<int>(), 10);
  });
}

TEST_F(RuntimeTest, TermMessagesMatchTermClausesAndTermViews) {
  node.run([] {
    pid me = self();
    send(me, tuple(atoms::ok, 1));
    send(me, tuple(atoms::EXIT, me, atoms::normal));
    auto e = receive<exit_msg>();  // skips {ok,1}
    EXPECT_EQ(e.from, me);
    EXPECT_EQ(receive<term>(), tuple(atoms::ok, 1));
  });
}

TEST_F(RuntimeTest, AReceiveWithZeroTimeoutOnlyPolls) {
  node.run([] {
    EXPECT_FALSE(receive_for<int>(0ms).has_value());
    send(self(), 5);
    EXPECT_EQ(receive_for<int>(0ms), 5);
  });
}

TEST_F(RuntimeTest, MessagesFromOneProcessToAnotherArriveInTheOrderSent) {
  node.run([] {
    pid me = self();
    constexpr int n = 20000;
    for (int s = 0; s < 4; ++s)
      spawn([me, s] {
        for (int i = 0; i < n; ++i) send(me, std::pair<int, int>(s, i));
      });
    int next[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4 * n; ++k) {
      auto [s, i] = receive<std::pair<int, int>>();
      ASSERT_EQ(i, next[s]) << "sender " << s;
      ++next[s];
    }
  });
}

TEST_F(RuntimeTest, StringLiteralsAreSentAsStrings) {
  node.run([] {
    send(self(), "hello");
    EXPECT_EQ(receive<std::string>(), "hello");
  });
}

TEST_F(RuntimeTest, NodeRunReturnsTheResultAndRethrowsTheProcessException) {
  EXPECT_EQ(node.run([] { return 5; }), 5);
  EXPECT_THROW(node.run([]() -> int { throw std::runtime_error("boom"); }), std::runtime_error);
}

TEST_F(RuntimeTest, SpawnFromOutsideAnyProcessAndSendFromOutside) {
  pid p = node.spawn([] {
    auto [to, n] = receive<std::pair<pid, int>>();
    send(to, n * 2);
  });
  int r = node.run([p] {
    send(p, std::pair<pid, int>(self(), 21));
    return receive<int>();
  });
  EXPECT_EQ(r, 42);
  int got = node.run([this] {
    pid me = self();
    // A plain OS thread (not a scheduler, not a process) sends to us.
    blocking([&] { std::thread([&] { node.send(me, 9); }).join(); });
    return receive<int>();
  });
  EXPECT_EQ(got, 9);
}

TEST_F(RuntimeTest, SelfOutsideAProcessIsALogicError) {
  EXPECT_THROW(self(), std::logic_error);
}
