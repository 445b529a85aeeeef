#pragma once
// Shared by the shell tests: a node, a q() that stops nothing, and a way to run a session
// inside a process.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include <otp/node.hpp>
#include <otp/shell.hpp>

namespace shell_test {

struct ShellTest : ::testing::Test {
  ShellTest() {
    otp::shell::set_quit_action([this] { ++quits; });
  }
  ~ShellTest() override { otp::shell::set_quit_action({}); }

  // The outputs of evaluating `texts` one after another in one session, in one process.
  std::vector<std::string> outputs(const std::vector<std::string>& texts) {
    return node.run([&] {
      otp::shell::session s;
      std::vector<std::string> out;
      for (const std::string& t : texts) out.push_back(s.eval(t).output);
      return out;
    });
  }
  // The output of one text in a fresh session.
  std::string output(const std::string& text) { return outputs({text}).at(0); }

  std::atomic<int> quits{0};
  otp::node node{{.schedulers = 2}};
};

}  // namespace shell_test
