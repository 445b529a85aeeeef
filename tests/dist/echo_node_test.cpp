// Acceptance tests of otpp_echo_node's interop contract (tools/echo_node/main.cpp) against a
// real erl (OTP 25+): every test starts an erl node that runs one scenario of
// tests/dist/echo/echo_interop.erl against the echo node and prints "R <key> <value>" lines,
// which are asserted on here. One echo node is shared by the tests that leave it running
// (echo itself may be stopped and restarted by its supervisor); the test that kills the OS
// process starts its own. Both sides use an in-process EPMD on a private port and a temporary
// HOME. Waiting is on lines, processes and log output with deadlines, never a sleep.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dist/epmd_server.hpp"
#include "support.hpp"

#ifndef OTPP_ECHO_NODE
#error "OTPP_ECHO_NODE must name the otpp_echo_node binary"
#endif
#ifndef OTPP_ECHO_ERL
#error "OTPP_ECHO_ERL must name tests/dist/echo/echo_interop.erl"
#endif

using namespace otp::test;
using namespace std::chrono_literals;
using otp::dist::epmd_server;
using otp::dist::epmd_server_options;

namespace {

// An otpp_echo_node child. Its stderr (the logger's output) is read all along by a thread, so
// the node never blocks on a full pipe and tests can wait for a log line.
class echo_node {
 public:
  echo_node(std::string name, const std::string& cookie, uint16_t epmd_port,
            const std::string& home)
      : name_(std::move(name)),
        proc_(std::vector<std::string>{OTPP_ECHO_NODE, "--name", name_, "--cookie", cookie},
              std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_port)},
                                                 {"HOME", home}}) {
    drain_ = std::thread([this] {
      // A day's timeout: nullopt means EOF (the node and its stderr are gone).
      while (auto line = proc_.read_err_line(std::chrono::hours(24))) {
        std::lock_guard lk(mu_);
        err_ += *line + "\n";
        cv_.notify_all();
      }
      std::lock_guard lk(mu_);
      eof_ = true;
      cv_.notify_all();
    });
    std::string seen;
    if (!proc_.wait_for_line(" up (supervisor ", 30s, &seen)) {
      kill_and_join();
      throw std::runtime_error("otpp_echo_node " + name_ + " did not come up; stdout:\n" + seen +
                               "stderr:\n" + log());
    }
  }
  ~echo_node() { kill_and_join(); }
  echo_node(const echo_node&) = delete;
  echo_node& operator=(const echo_node&) = delete;

  const std::string& name() const { return name_; }

  // SIGKILL to the node's OS process (no cleanup of any kind on its side).
  void kill_os_process() {
    if (proc_.pid() > 0) ::kill(proc_.pid(), SIGKILL);
  }
  // Exit status once the process is gone (nullopt on timeout).
  std::optional<int> wait_exit(milliseconds timeout) { return proc_.wait(timeout); }

  // Everything logged so far, and the offset where it ends (for wait_for_log).
  std::string log() {
    std::lock_guard lk(mu_);
    return err_;
  }
  size_t log_mark() {
    std::lock_guard lk(mu_);
    return err_.size();
  }
  // Waits until the log, from offset `from` on, contains every one of `needles`.
  bool wait_for_log(const std::vector<std::string>& needles, milliseconds timeout,
                    size_t from = 0) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, timeout, [&] { return eof_ || all_found(needles, from); });
    return all_found(needles, from);
  }

 private:
  bool all_found(const std::vector<std::string>& needles, size_t from) const {
    for (const auto& n : needles)
      if (err_.find(n, std::min(from, err_.size())) == std::string::npos) return false;
    return true;
  }
  void kill_and_join() {
    kill_os_process();
    if (drain_.joinable()) drain_.join();
  }

  std::string name_;
  child_process proc_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string err_;
  bool eof_ = false;
  std::thread drain_;
};

// What one erl scenario printed: its "R key value" lines, in order, and everything else.
struct erl_results {
  std::vector<std::pair<std::string, std::string>> lines;
  std::string transcript;  // every stdout line, for failure messages
  std::string erl_stderr;
  bool ended = false;

  // The value of the first line with `key` ("<missing>" when there is none).
  std::string operator[](const std::string& key) const {
    for (const auto& [k, v] : lines)
      if (k == key) return v;
    return "<missing>";
  }
  bool has(const std::string& key) const { return (*this)[key] != "<missing>"; }
};

std::ostream& operator<<(std::ostream& os, const erl_results& r) {
  os << "\n--- erl stdout ---\n" << r.transcript;
  if (!r.erl_stderr.empty()) os << "--- erl stderr ---\n" << r.erl_stderr;
  return os;
}

// An erl node running one scenario of echo_interop.erl.
class erl_scenario {
 public:
  erl_scenario(const std::string& scenario, const std::string& echo_node_name,
               const std::string& cookie, const std::string& code_dir, uint16_t epmd_port,
               const std::string& home)
      : name_("t" + random_suffix() + "@127.0.0.1"),
        proc_(
            std::vector<std::string>{
                "erl", "-noshell", "-name", name_, "-setcookie", cookie, "-pa", code_dir, "-eval",
                "echo_interop:main(" + scenario + ", '" + echo_node_name + "')."},
            std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_port)},
                                               {"HOME", home}}) {}

  // Reads result lines until one with `key` (or "end", or EOF) arrives, within `timeout`.
  // True when `key` was seen.
  bool read_until(const std::string& key, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto line = proc_.read_line(left);
      if (!line) return false;
      r_.transcript += *line + "\n";
      if (line->rfind("R ", 0) != 0) continue;
      std::string rest = line->substr(2);
      size_t sp = rest.find(' ');
      std::string k = rest.substr(0, sp);
      std::string v = sp == std::string::npos ? std::string() : rest.substr(sp + 1);
      r_.lines.emplace_back(k, v);
      if (k == "end") r_.ended = true;
      if (k == key) return true;
      if (k == "end") return false;
    }
  }

  // Reads to the end of the scenario and collects erl's stderr when it did not end.
  const erl_results& finish(milliseconds timeout) {
    if (!r_.ended) read_until("end", timeout);
    if (!r_.ended || r_["end"] != "normal") r_.erl_stderr = proc_.drain_stderr(500ms);
    proc_.wait(5s);
    return r_;
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  child_process proc_;
  erl_results r_;
};

class EchoNode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (find_executable("erl").empty() || find_executable("erlc").empty()) {
      skip_ = "erl/erlc are not installed";
      return;
    }
    try {
      dir_ = std::make_unique<temp_dir>();
      home_ = std::make_unique<temp_dir>();
      epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
      epmd_->start();
      child_process erlc({"erlc", "-o", dir_->path, OTPP_ECHO_ERL});
      auto st = erlc.wait(60s);
      if (!st || !WIFEXITED(*st) || WEXITSTATUS(*st) != 0)
        throw std::runtime_error("erlc " + std::string(OTPP_ECHO_ERL) +
                                 " failed: " + erlc.drain_stderr(1s));
      shared_ = std::make_unique<echo_node>(new_echo_name(), cookie_, epmd_->port(), home_->path);
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    shared_.reset();
    epmd_.reset();
    home_.reset();
    dir_.reset();
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  static std::string new_echo_name() { return "e" + random_suffix() + "@127.0.0.1"; }

  static std::unique_ptr<erl_scenario> start_erl(const std::string& scenario, const echo_node& node,
                                                 const std::string& cookie = cookie_) {
    return std::make_unique<erl_scenario>(scenario, node.name(), cookie, dir_->path, epmd_->port(),
                                          home_->path);
  }

  // Runs `scenario` against the shared echo node to its end.
  static erl_results run(const std::string& scenario, milliseconds timeout = 30s) {
    auto erl = start_erl(scenario, *shared_);
    return erl->finish(timeout);
  }

  // The tail of an echo node's log, for failure messages.
  static std::string log_tail(echo_node& n) {
    std::string all = n.log();
    constexpr size_t keep = 4000;
    return "\n--- otpp_echo_node " + n.name() + " stderr (tail) ---\n" +
           (all.size() > keep ? "..." + all.substr(all.size() - keep) : all);
  }

  static inline std::string skip_;
  static inline std::string setup_error_;
  static inline const std::string cookie_ = "echo_" + random_suffix();
  static inline std::unique_ptr<temp_dir> dir_;   // the compiled echo_interop.beam
  static inline std::unique_ptr<temp_dir> home_;  // HOME of every node
  static inline std::unique_ptr<epmd_server> epmd_;
  static inline std::unique_ptr<echo_node> shared_;
};

// That result `key` of scenario `r` is `expected`; failures show erl's output and the tail of
// the echo node's log.
#define EXPECT_RESULT_ON(node, r, key, expected) \
  EXPECT_EQ((r)[key], expected) << "result " << (key) << (r) << log_tail(node)
#define EXPECT_RESULT(r, key, expected) EXPECT_RESULT_ON(*shared_, r, key, expected)
// That the scenario ran to its end without crashing.
#define ASSERT_ENDED_NORMALLY_ON(node, r)                                           \
  ASSERT_EQ((r)["end"], "normal") << "the erl scenario crashed or timed out" << (r) \
                                  << log_tail(node)
#define ASSERT_ENDED_NORMALLY(r) ASSERT_ENDED_NORMALLY_ON(*shared_, r)

}  // namespace

TEST_F(EchoNode, CallRepliesWithEveryTermUnchanged) {
  erl_results r = run("echo_terms", 60s);
  ASSERT_TRUE(r.has("terms")) << r << log_tail(*shared_);
  int expected = std::stoi(r["terms"]);
  int seen = 0;
  for (const auto& [key, value] : r.lines) {
    if (key.rfind("term:", 0) != 0) continue;
    ++seen;
    EXPECT_EQ(value, "ok") << key.substr(5) << " did not come back unchanged";
  }
  EXPECT_GT(expected, 100);
  EXPECT_EQ(seen, expected) << r << log_tail(*shared_);
  EXPECT_RESULT(r, "terms_done", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, WhoamiRepliesWithThePidOfEchoOnTheEchoNode) {
  erl_results r = run("whoami");
  EXPECT_RESULT(r, "is_pid", "true");
  EXPECT_RESULT(r, "on_echo_node", "true");
  EXPECT_RESULT(r, "not_local", "true");
  EXPECT_RESULT(r, "call_by_pid", "true");
  EXPECT_RESULT(r, "monitor_accepted", "true");
  EXPECT_RESULT(r, "monitor_fires", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, StopRepliesOkThenEchoExitsWithExactlyTheReasonSeenByMonitorsAndLinks) {
  erl_results r = run("stop_reasons");
  for (const char* reason :
       {"shutdown_custom", "bignum", "negative_bignum", "normal", "shutdown", "compound"}) {
    EXPECT_RESULT(r, std::string("reply:") + reason, "true");
    EXPECT_RESULT(r, std::string("monitor:") + reason, "true");
    EXPECT_RESULT(r, std::string("link:") + reason, "true");
  }
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, SupervisorRestartsEchoUnderTheSameNameWithinASecondAfterStopAndKill) {
  erl_results r = run("restart");
  ASSERT_ENDED_NORMALLY(r);
  EXPECT_LT(std::stol(r["after_stop_ms"]), 1000) << r;
  EXPECT_LT(std::stol(r["after_kill_ms"]), 1000) << r;
  EXPECT_RESULT(r, "after_stop_on_echo_node", "true");
  EXPECT_RESULT(r, "killed_reason", "true");
  EXPECT_RESULT(r, "after_kill_new_pid", "true");
  EXPECT_RESULT(r, "serves_after_restart", "true");
}

TEST_F(EchoNode, CastSendDeliversTheMessageToTheErlProcess) {
  erl_results r = run("cast_send");
  EXPECT_RESULT(r, "to_caller", "true");
  EXPECT_RESULT(r, "to_other_process", "true");
  EXPECT_RESULT(r, "big_message", "true");
  EXPECT_RESULT(r, "serves_after_odd_casts", "true");
  EXPECT_RESULT(r, "nothing_else_arrived", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, SysGetStateGetStatusSuspendAndResumeWorkFromErl) {
  erl_results r = run("sys");
  EXPECT_RESULT(r, "get_state", "returned");
  EXPECT_RESULT(r, "get_status", "true");
  EXPECT_RESULT(r, "status_suspended", "true");
  EXPECT_RESULT(r, "get_state_while_suspended", "true");
  EXPECT_RESULT(r, "call_while_suspended", "true");
  EXPECT_RESULT(r, "call_after_resume", "true");
  EXPECT_RESULT(r, "no_late_reply", "true");
  EXPECT_RESULT(r, "same_pid", "true");
  ASSERT_ENDED_NORMALLY(r);
  std::cout << "[ erl ] sys:get_state: " << r["get_state_value"]
            << "\n[ erl ] sys:get_status: " << r["get_status_value"] << std::endl;
}

TEST_F(EchoNode, ErlMonitorsByNameAndPidSeeNoprocAndTheExitReason) {
  erl_results r = run("monitors");
  EXPECT_RESULT(r, "noproc", "true");
  EXPECT_RESULT(r, "by_name", "true");
  EXPECT_RESULT(r, "demonitored_silent", "true");
  EXPECT_RESULT(r, "dead_pid_noproc", "true");
  EXPECT_RESULT(r, "call_dead_pid_noproc", "true");
  EXPECT_RESULT(r, "by_pid_killed", "true");
  EXPECT_RESULT(r, "by_name_exit_reason", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, ErlLinksToEchoSeeKilledAndNoprocAndExitNormalIsIgnored) {
  erl_results r = run("links");
  EXPECT_RESULT(r, "exit_normal_ignored", "true");
  EXPECT_RESULT(r, "killed", "true");
  EXPECT_RESULT(r, "dead_pid_noproc", "true");
  EXPECT_RESULT(r, "unlinked_down", "true");
  EXPECT_RESULT(r, "unlinked_silent", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, KillingTheEchoNodeProcessGivesErlNodedownAndNoconnection) {
  echo_node own(new_echo_name(), cookie_, epmd_->port(), home_->path);
  auto erl = start_erl("node_down", own);
  ASSERT_TRUE(erl->read_until("ready", 30s)) << erl->finish(1s) << log_tail(own);
  own.kill_os_process();
  auto st = own.wait_exit(10s);
  ASSERT_TRUE(st && WIFSIGNALED(*st) && WTERMSIG(*st) == SIGKILL);
  const erl_results& r = erl->finish(30s);
  EXPECT_RESULT_ON(own, r, "nodedown", "true");
  EXPECT_RESULT_ON(own, r, "down", "noconnection");
  EXPECT_RESULT_ON(own, r, "exit", "noconnection");
  EXPECT_FALSE(r.has("unexpected")) << r;
  EXPECT_FALSE(r.has("timeout")) << r;
  EXPECT_RESULT_ON(own, r, "nodes_after", "false");
  EXPECT_RESULT_ON(own, r, "ping_after", "pang");
  ASSERT_ENDED_NORMALLY_ON(own, r);
}

TEST_F(EchoNode, NetAdmPingFromErlReturnsPong) {
  erl_results r = run("ping");
  EXPECT_RESULT(r, "ping", "pong");
  EXPECT_RESULT(r, "nodes", "true");
  EXPECT_RESULT(r, "call", "after_ping");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, WrongCookiePingGetsPangIsLoggedAndTheNodeKeepsServing) {
  size_t mark = shared_->log_mark();
  auto wrong = start_erl("ping_only", *shared_, "not_" + cookie_);
  const erl_results& bad = wrong->finish(30s);
  EXPECT_EQ(bad["ping"], "pang") << bad << log_tail(*shared_);
  EXPECT_EQ(bad["nodes"], "false") << bad;
  EXPECT_TRUE(shared_->wait_for_log({"handshake with", "failed", "wrong digest"}, 10s, mark))
      << "the refused handshake was not logged" << log_tail(*shared_);

  erl_results good = run("ping");
  EXPECT_RESULT(good, "ping", "pong");
  EXPECT_RESULT(good, "call", "after_ping");
  ASSERT_ENDED_NORMALLY(good);
}

TEST_F(EchoNode, TenThousandCastsComeBackInOrder) {
  erl_results r = run("order", 60s);
  EXPECT_RESULT(r, "order", "{received,10000}");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, ConcurrentCallsFromFiftyErlProcessesEachGetTheirOwnReply) {
  erl_results r = run("concurrent_calls", 60s);
  EXPECT_RESULT(r, "concurrent", "{ok,10000}");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, ErlDisconnectingAndReconnectingAtOnceFindsTheEchoNodeServing) {
  erl_results r = run("reconnect", 60s);
  EXPECT_RESULT(r, "down_on_disconnect", "true");
  EXPECT_RESULT(r, "call_after_reconnect", "true");
  EXPECT_RESULT(r, "same_echo", "true");
  EXPECT_RESULT(r, "quick_reconnects", "{ok,20}");
  EXPECT_RESULT(r, "serves_after", "true");
  ASSERT_ENDED_NORMALLY(r);
}

TEST_F(EchoNode, CastSendReachesAnErlNodeTheEchoNodeWasNotConnectedTo) {
  // The echo node dials the third node itself (it has never heard of it before the cast).
  auto third = start_erl("relay_target", *shared_);
  ASSERT_TRUE(third->read_until("ready", 30s)) << third->finish(1s);
  auto erl = start_erl("{cast_to_third_node, '" + third->name() + "'}", *shared_);
  const erl_results& r = erl->finish(30s);
  EXPECT_RESULT(r, "target_is_pid", "true");
  EXPECT_RESULT(r, "third_node_got_it", "true");
  ASSERT_ENDED_NORMALLY(r);
  const erl_results& t = third->finish(30s);
  EXPECT_RESULT(t, "got", "true");
  EXPECT_RESULT(t, "echo_node_connected", "true");
  ASSERT_ENDED_NORMALLY(t);
}

TEST_F(EchoNode, PlainMessagesAndMalformedCallsLeaveEchoServing) {
  erl_results r = run("odd_messages");
  EXPECT_RESULT(r, "serves", "true");
  EXPECT_RESULT(r, "mailbox",
                "[{[alias|not_a_ref],odd_tag},{{some,tuple,tag},tuple_tag},"
                "{sys_tag,{error,{unknown_system_msg,no_such_request}}}]");
  ASSERT_ENDED_NORMALLY(r);
}
