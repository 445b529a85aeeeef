#pragma once
// Shared pieces of the application tests: a fresh node per test with no stop request
// pending, test applications whose callbacks write what happens to a journal, and helpers
// that wait for the controller without sleeping.
//
// A test application `x` has the callback module `x_app`; its start arguments are a mode
// atom (see start_test_app in fixture.cpp): ok starts a top supervisor with workers x_w1 and
// x_w2, which trap exits and journal their terminate; the other modes fail in the ways a
// start callback can.

#include <gtest/gtest.h>

#include <otp/application.hpp>
#include <otp/init.hpp>
#include <otp/logger.hpp>
#include <otp/otp.hpp>
#include <string>
#include <vector>

namespace app_test {

namespace app = otp::application;

/// What the test applications did, in order ("start:a", "terminate:a_w2", "stop:a", ...).
struct journal {
  static void add(std::string entry);
  static std::vector<std::string> entries();
  static void clear();
};

struct app_options {
  std::vector<std::string> deps;
  std::vector<std::string> optional;
  /// ok | error | half | throw_term | throw_cpp | exit | ignore | env
  std::string mode = "ok";
  otp::config::env_list env;
  /// No callback module at all.
  bool library = false;
};

/// The descriptor of test application `name` (registers its callback module `name_app`).
app::descriptor test_app(const std::string& name, app_options o = {});

struct ApplicationTest : ::testing::Test {
  otp::node node{{.schedulers = 2}};
  void SetUp() override;
  void TearDown() override;
};

/// `otp::atom(name)` as a term.
inline otp::term A(const char* name) {
  return otp::term(otp::atom(name));
}

/// Names of the running applications, most recently started first. In a process.
std::vector<std::string> running();
/// The top supervisor of a running application (null when not running). In a process.
otp::pid top_of(const char* app);
/// Ends `app`'s top supervisor with `reason` and returns once the application controller
/// has handled the end of the application's master. In a process.
void end_top(const char* app, const otp::term& reason);
/// Waits until the application controller has handled everything sent to it before.
void sync_controller();
/// Local processes alive now that were not in `before`. In a process.
std::vector<otp::pid> new_processes(otp::node& n, const std::vector<otp::pid>& before);

}  // namespace app_test
