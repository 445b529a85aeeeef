// The queue and the logger thread: concurrent logging from processes and threads,
// overload (bounded queue, counted drops), and flush.

#include <future>
#include <map>
#include <thread>

#include "logger/fixture.hpp"

using namespace otp;
using namespace otp_test;
namespace lg = otp::logger;
using lg::level;

namespace {

// Blocks the logger thread inside write() until released, so a test controls when the
// queue drains.
struct gate_handler : lg::handler {
  std::promise<void> entered;
  std::shared_future<void> release;
  bool first = true;
  explicit gate_handler(std::shared_future<void> r) : release(std::move(r)) {}
  void write(const lg::event&, std::string_view) override {
    if (first) {
      first = false;
      entered.set_value();
      release.wait();
    }
  }
};

}  // namespace

TEST_F(LoggerTest, ManyProcessesLogConcurrentlyAndEachProcessesEventsStayInOrder) {
  lg::capture cap;
  lg::set_queue_capacity(100000);  // this test is about ordering, not overload
  constexpr int procs = 64, per_proc = 100;
  uint64_t dropped_before = lg::dropped_count();
  node n({.schedulers = 2});
  std::vector<pid> pids = n.run([] {
    pid parent = self();
    std::vector<pid> ps;
    for (int i = 0; i < procs; ++i)
      ps.push_back(spawn([parent] {
        for (int k = 0; k < per_proc; ++k) {
          lg::warning({{atom("seq"), k}}, "{} says {}", self(), k);
          if (k % 10 == 0) otp::yield();
        }
        send(parent, std::string("done"));
      }));
    for (int i = 0; i < procs; ++i) receive<std::string>();
    return ps;
  });
  auto events = cap.events();
  ASSERT_EQ(events.size(), size_t(procs * per_proc));
  std::map<pid, int> next;
  for (pid p : pids) next[p] = 0;
  for (const auto& e : events) {
    ASSERT_TRUE(next.count(e.pid)) << "unknown pid " << to_string(e.pid);
    int& k = next[e.pid];
    EXPECT_EQ(e.message, to_string(e.pid) + " says " + std::to_string(k));
    EXPECT_EQ(e.meta.at(0).second, term(k));
    ++k;
  }
  for (auto& [p, k] : next) EXPECT_EQ(k, per_proc) << to_string(p);
  EXPECT_EQ(lg::dropped_count(), dropped_before);
}

TEST_F(LoggerTest, ManyThreadsLogWhileTheConfigurationChanges) {
  lg::capture cap;
  lg::set_queue_capacity(100000);
  constexpr int threads = 4, per_thread = 500;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([t] {
      for (int k = 0; k < per_thread; ++k) lg::error("t{} {}", t, k);
    });
  for (int i = 0; i < 20; ++i) {
    lg::set_handler_level(cap.id(), i % 2 ? level::debug : level::error);
    lg::set_primary_level(i % 2 ? level::info : level::notice);
  }
  for (auto& t : ts) t.join();
  auto events = cap.events();
  ASSERT_EQ(events.size(), size_t(threads * per_thread));  // error passes every setting used
  std::vector<int> next(threads, 0);
  for (const auto& e : events) {
    int t = e.message[1] - '0';
    EXPECT_EQ(e.message, fmt::format("t{} {}", t, next[t]++));
  }
}

TEST_F(LoggerTest, WhenTheQueueIsFullEventsAreDroppedCountedAndReportedLater) {
  lg::capture cap;
  lg::set_queue_capacity(4);
  std::promise<void> release;
  auto g = std::make_unique<gate_handler>(release.get_future().share());
  auto entered = g->entered.get_future();
  lg::add_handler(atom("gate"), std::move(g));

  lg::error("first");  // the logger thread takes it and blocks in the gate
  entered.wait();
  uint64_t before = lg::dropped_count();
  for (int i = 0; i < 7; ++i) lg::error("queued {}", i);  // 4 fit, 3 do not
  EXPECT_EQ(lg::dropped_count() - before, 3u);
  release.set_value();

  auto msgs = messages(cap.events());
  EXPECT_EQ(msgs, (std::vector<std::string>{
                      "first", "queued 0", "queued 1", "queued 2", "queued 3",
                      "otpp logger: dropped 3 events because the queue was full (4 events)"}));
  auto events = cap.events();
  EXPECT_EQ(events.back().level, level::warning);
  EXPECT_EQ(events.back().domain, (std::vector<atom>{atom("otp"), atom("logger")}));
  lg::remove_handler(atom("gate"));
}

TEST_F(LoggerTest, FlushReturnsOnlyAfterEveryEarlierEventIsWritten) {
  struct slow : lg::handler {
    std::atomic<int> written{0};
    void write(const lg::event&, std::string_view) override {
      std::this_thread::yield();
      written.fetch_add(1);
    }
  };
  auto s = std::make_unique<slow>();
  slow* raw = s.get();
  lg::add_handler(atom("slow"), std::move(s));
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 500; ++i) lg::error("e");
    lg::flush();
    EXPECT_EQ(raw->written.load(), round * 500);
  }
  lg::remove_handler(atom("slow"));
}

TEST_F(LoggerTest, FlushWaitsForAHandlerThatIsStillWriting) {
  std::promise<void> release;
  auto g = std::make_unique<gate_handler>(release.get_future().share());
  auto entered = g->entered.get_future();
  lg::add_handler(atom("gate"), std::move(g));
  lg::capture cap;
  lg::error("held");
  entered.wait();
  std::atomic<bool> flushed{false};
  std::thread flusher([&] {
    lg::flush();
    flushed = true;
  });
  // The logger thread is inside write(): whatever the flusher does, it cannot be done.
  EXPECT_FALSE(flushed.load());
  release.set_value();
  flusher.join();
  EXPECT_TRUE(flushed.load());
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"held"});
  lg::remove_handler(atom("gate"));
}

TEST_F(LoggerTest, FlushWithNothingQueuedReturns) {
  lg::flush();
  lg::flush();
  SUCCEED();
}
