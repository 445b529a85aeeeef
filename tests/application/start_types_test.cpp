// What happens when an application's top supervisor ends without stop(), by start type
// (OTP 25: the controller logs "application: A exited: R type: T"; a permanent application,
// or a transient one ending abnormally, takes every application and the node down).

#include <otp/term_parse.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace app_test;
using namespace std::chrono_literals;

namespace {

// The "exited" reports logged so far, as "App Reason Type".
std::vector<std::string> exits(const logger::capture& c) {
  std::vector<std::string> out;
  for (const logger::event& e : c.events()) {
    if (e.kind != atom("std_info")) continue;
    auto items = e.report.list_elements();
    out.push_back(to_string(items.at(0)[1]) + " " + to_string(items.at(1)[1]) + " " +
                  to_string(items.at(2)[1]));
  }
  return out;
}

void start_a_and_b(app::start_type type_of_a) {
  ASSERT_EQ(app::load(test_app("a")), term(atoms::ok));
  ASSERT_EQ(app::load(test_app("b")), term(atoms::ok));
  ASSERT_EQ(app::start(atom("a"), type_of_a), term(atoms::ok));
  ASSERT_EQ(app::start(atom("b"), app::temporary), term(atoms::ok));
}

}  // namespace

TEST_F(ApplicationTest, ATemporaryApplicationThatEndsIsReportedAndTheNodeGoesOn) {
  logger::capture cap;
  node.run([] {
    start_a_and_b(app::temporary);
    end_top("a", A("crashed"));
    EXPECT_EQ(running(), (std::vector<std::string>{"b", "kernel"}));
  });
  EXPECT_EQ(exits(cap), std::vector<std::string>{"a crashed temporary"});
  EXPECT_EQ(init::stop_requested(), std::nullopt);
  // OTP's master runs prep_stop and stop when the tree ends by itself too.
  auto j = journal::entries();
  EXPECT_NE(std::find(j.begin(), j.end(), "stop:a"), j.end());
}

TEST_F(ApplicationTest, ATransientApplicationEndingNormallyIsReportedAndTheNodeGoesOn) {
  logger::capture cap;
  node.run([] {
    start_a_and_b(app::transient);
    end_top("a", term(atoms::normal));
    EXPECT_EQ(running(), (std::vector<std::string>{"b", "kernel"}));
  });
  EXPECT_EQ(exits(cap), std::vector<std::string>{"a normal transient"});
  EXPECT_EQ(init::stop_requested(), std::nullopt);
}

TEST_F(ApplicationTest, ATransientApplicationEndingAbnormallyStopsEverythingAndTheNode) {
  logger::capture cap;
  node.run([] {
    start_a_and_b(app::transient);
    end_top("a", A("crashed"));
    EXPECT_TRUE(running().empty());
  });
  EXPECT_EQ(init::wait_for_stop(10s), 1);
  EXPECT_EQ(exits(cap), (std::vector<std::string>{"a crashed transient", "b stopped temporary",
                                                  "kernel stopped permanent"}));
}

TEST_F(ApplicationTest, APermanentApplicationThatEndsStopsTheOthersNewestFirstAndThenTheNode) {
  logger::capture cap;
  node.run([] {
    start_a_and_b(app::permanent);
    journal::clear();
    exit(top_of("a"), term(atoms::kill));  // no waiting here: the test thread waits below
  });
  EXPECT_EQ(init::wait_for_stop(10s), 1);
  EXPECT_EQ(init::stop_reason(), "application a exited with reason killed");
  node.run([] { EXPECT_TRUE(running().empty()); });
  EXPECT_EQ(exits(cap), (std::vector<std::string>{"a killed permanent", "b stopped temporary",
                                                  "kernel stopped permanent"}));
  // a's master ran its callbacks (its workers saw their supervisor killed), then b stopped
  // in order.
  auto j = journal::entries();
  std::vector<std::string> callbacks;
  for (const auto& e : j)
    if (e.rfind("terminate:", 0) != 0) callbacks.push_back(e);
  EXPECT_EQ(callbacks,
            (std::vector<std::string>{"prep_stop:a", "stop:a", "prep_stop:b", "stop:b"}));
}

TEST_F(ApplicationTest, APermanentApplicationEndingNormallyStillStopsTheNode) {
  node.run([] {
    start_a_and_b(app::permanent);
    end_top("a", term(atoms::normal));
  });
  EXPECT_EQ(init::wait_for_stop(10s), 1);
}

TEST_F(ApplicationTest, StoppingAPermanentApplicationHasNoConsequences) {
  logger::capture cap;
  node.run([] {
    start_a_and_b(app::permanent);
    EXPECT_EQ(app::stop(atom("a")), term(atoms::ok));
    EXPECT_EQ(running(), (std::vector<std::string>{"b", "kernel"}));
  });
  EXPECT_EQ(exits(cap), std::vector<std::string>{"a stopped permanent"});
  EXPECT_EQ(init::stop_requested(), std::nullopt);
}

TEST_F(ApplicationTest, DependenciesStartWithTheTypeAskedFor) {
  node.run([] {
    ASSERT_EQ(app::load(test_app("a")), term(atoms::ok));
    ASSERT_EQ(app::load(test_app("b", {.deps = {"a"}})), term(atoms::ok));
    ASSERT_EQ(app::start(atom("b"), app::transient), term(atoms::ok));
    for (const app::app_info& i : app::which_applications()) {
      if (i.name != atom("kernel")) {
        EXPECT_EQ(i.type, app::transient) << i.name.name();
      }
    }
  });
}

TEST_F(ApplicationTest, AFailedStartIsReportedAsErlangReportsIt) {
  logger::capture cap;
  node.run([] {
    ASSERT_EQ(app::load(test_app("a", {.mode = "error"})), term(atoms::ok));
    (void)app::start(atom("a"));
  });
  // kernel was started by that call, so it is stopped again.
  EXPECT_EQ(exits(cap),
            (std::vector<std::string>{"a {because,{a_app,start,[normal,error]}} temporary",
                                      "kernel stopped permanent"}));
}
