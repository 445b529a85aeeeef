// EPMD: the client against the real epmd and against otpp's server (the same tests run on
// both), erl registering with each, the client's errors, the server's own rules, and
// ensure_epmd.

#include <gtest/gtest.h>

#include <thread>

#include "dist/epmd_client.hpp"
#include "dist/epmd_server.hpp"
#include "support.hpp"

using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;

namespace {

// Either a real epmd (our child, on a free loopback port) or an in-process epmd_server.
class Epmd : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "system") {
      if (!system_epmd::available()) GTEST_SKIP() << "epmd is not installed";
      sys_.emplace();
      port_ = sys_->port();
    } else {
      server_ =
          std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
      server_->start();
      port_ = server_->port();
    }
    opts_.port = port_;
  }

  // Ends the EPMD (the real one by its pid: it is our child).
  void stop_epmd() {
    if (sys_) {
      ::kill(sys_->pid(), SIGTERM);
    } else {
      server_->stop();
    }
  }

  // Unregistration happens when EPMD sees the socket close: ask until it has.
  bool wait_until_gone(const std::string& name) {
    for (int i = 0; i < 5000; ++i)
      if (!port_please("127.0.0.1", name, opts_)) return true;
    return false;
  }

  std::string unique_name() { return "n_" + random_suffix(); }

  std::optional<system_epmd> sys_;
  std::unique_ptr<epmd_server> server_;
  uint16_t port_ = 0;
  epmd_options opts_;
};

INSTANTIATE_TEST_SUITE_P(Both, Epmd, ::testing::Values("system", "in_process"),
                         [](const auto& p) { return p.param; });

}  // namespace

TEST_P(Epmd, RegisteringGivesACreationAndPortPleaseFindsTheNode) {
  std::string name = unique_name();
  epmd_registration reg = register_node(name, 12345, false, opts_);
  EXPECT_TRUE(reg.registered());
  EXPECT_TRUE(reg.alive());
  EXPECT_EQ(reg.name(), name);
  EXPECT_GE(reg.creation(), 4u);  // 32-bit creations skip 0..3 (pre-OTP 23 values)
  auto info = port_please("127.0.0.1", name, opts_);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->port, 12345);
  EXPECT_EQ(info->node_type, epmd_node_type_normal);
  EXPECT_EQ(info->protocol, 0);
  EXPECT_EQ(info->highest_version, 6);
  EXPECT_EQ(info->lowest_version, 6);
  EXPECT_EQ(info->name, name);
  EXPECT_EQ(info->extra, "");
  auto via_localhost = port_please("localhost", name, opts_);
  ASSERT_TRUE(via_localhost);
  EXPECT_EQ(via_localhost->port, 12345);
}

TEST_P(Epmd, HiddenNodesRegisterAsType72) {
  std::string name = unique_name();
  auto reg = register_node(name, 1, true, opts_);
  auto info = port_please("127.0.0.1", name, opts_);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->node_type, epmd_node_type_hidden);
}

TEST_P(Epmd, AnUnknownNameHasNoPort) {
  EXPECT_FALSE(port_please("127.0.0.1", unique_name(), opts_));
}

TEST_P(Epmd, ClosingTheRegistrationUnregistersTheName) {
  std::string name = unique_name();
  auto reg = register_node(name, 2000, false, opts_);
  ASSERT_TRUE(port_please("127.0.0.1", name, opts_));
  reg.close();
  EXPECT_FALSE(reg.registered());
  EXPECT_TRUE(wait_until_gone(name));
}

TEST_P(Epmd, ATakenNameIsRefused) {
  std::string name = unique_name();
  auto reg = register_node(name, 2001, false, opts_);
  try {
    register_node(name, 2002, false, opts_);
    ADD_FAILURE() << "registered twice";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), epmd_errc::registration_refused);
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos);
  }
  EXPECT_EQ(port_please("127.0.0.1", name, opts_)->port, 2001);
}

TEST_P(Epmd, RegisteringANameAgainGivesTheNextCreation) {
  std::string name = unique_name();
  uint32_t first;
  {
    auto reg = register_node(name, 2003, false, opts_);
    first = reg.creation();
  }
  ASSERT_TRUE(wait_until_gone(name));
  auto again = register_node(name, 2003, false, opts_);
  EXPECT_EQ(again.creation(), first == UINT32_MAX ? 4u : first + 1);
}

TEST_P(Epmd, NamesListsEveryRegisteredNode) {
  std::string a = unique_name(), b = unique_name();
  auto ra = register_node(a, 3001, false, opts_);
  auto rb = register_node(b, 3002, true, opts_);
  auto all = names("127.0.0.1", opts_);
  EXPECT_NE(std::find(all.begin(), all.end(), epmd_name{a, 3001}), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), epmd_name{b, 3002}), all.end());
  EXPECT_TRUE(epmd_answers("127.0.0.1", port_));
}

TEST_P(Epmd, ARegistrationSeesEpmdGoAway) {
  auto reg = register_node(unique_name(), 3003, false, opts_);
  ASSERT_TRUE(reg.alive());
  stop_epmd();
  pollfd p{reg.native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_FALSE(reg.alive());
}

TEST_P(Epmd, ErlRegistersAndIsFoundThroughIt) {
  if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
  temp_dir home;
  std::string name = "erl_" + random_suffix();
  child_process erl({"erl", "-noshell", "-sname", name + "@localhost", "-setcookie", "c", "-eval",
                     "io:format(\"ready~n\"), receive stop -> ok end."},
                    {{"ERL_EPMD_PORT", std::to_string(port_)}, {"HOME", home.path}});
  ASSERT_TRUE(erl.wait_for_line("ready", 30s)) << erl.drain_stderr(1s);
  auto info = port_please("127.0.0.1", name, opts_);
  ASSERT_TRUE(info);
  EXPECT_GT(info->port, 0);
  EXPECT_EQ(info->node_type, epmd_node_type_normal);
  EXPECT_EQ(info->highest_version, 6);
  // erl 25 still registers lowest version 5, though it refuses the version 5 handshake.
  EXPECT_EQ(info->lowest_version, 5);
  RecordProperty("erl_epmd_entry", "type " + std::to_string(info->node_type) + " versions " +
                                       std::to_string(info->lowest_version) + ".." +
                                       std::to_string(info->highest_version));
  auto all = names("127.0.0.1", opts_);
  EXPECT_NE(std::find(all.begin(), all.end(), epmd_name{name, info->port}), all.end());
}

// ---- the client's errors -------------------------------------------------------------------

TEST(EpmdClient, NoEpmdIsConnectionRefused) {
  try {
    port_please("127.0.0.1", "x", {.port = free_port()});
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
  }
}

TEST(EpmdClient, ASilentEpmdTimesOut) {
  loopback_listener silent;  // connections complete in the backlog; nobody answers
  auto start = std::chrono::steady_clock::now();
  try {
    names("127.0.0.1", {.port = silent.port, .timeout = 200ms});
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

namespace {

// Accepts one connection, reads the request, answers `reply` and closes.
void answer_once(loopback_listener& l, std::string reply) {
  unique_fd c = l.accept(10s);
  if (c.get() < 0) return;
  (void)read_some(c.get(), 5s);
  write_all(c.get(), reply);
}

std::error_code error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::system_error& e) {
    return e.code();
  }
  return {};
}

}  // namespace

TEST(EpmdClient, MalformedRepliesAreReported) {
  loopback_listener l;
  epmd_options o{.port = l.port, .timeout = 5s};
  {
    std::thread t(answer_once, std::ref(l), "garbage");
    EXPECT_EQ(error_of([&] { port_please("127.0.0.1", "x", o); }), epmd_errc::malformed_reply);
    t.join();
  }
  {
    std::thread t(answer_once, std::ref(l), std::string("\x77\x00\x10", 3));
    EXPECT_EQ(error_of([&] { port_please("127.0.0.1", "x", o); }), epmd_errc::closed);
    t.join();
  }
  {
    std::thread t(answer_once, std::ref(l), std::string("\x76\x00\x00", 3));
    EXPECT_EQ(error_of([&] { register_node("x", 1, false, o); }), epmd_errc::closed);
    t.join();
  }
  {
    std::thread t(answer_once, std::ref(l), std::string("\x00\x00", 2));
    EXPECT_EQ(error_of([&] { names("127.0.0.1", o); }), epmd_errc::closed);
    t.join();
  }
  {
    std::thread t(answer_once, std::ref(l), std::string("\0\0\x11\x11name x at port 9x\n", 22));
    EXPECT_EQ(error_of([&] { names("127.0.0.1", o); }), epmd_errc::malformed_reply);
    t.join();
  }
}

TEST(EpmdClient, NamesEpmdWouldRefuseAreRefusedBeforeSending) {
  EXPECT_THROW(port_please("127.0.0.1", "", {}), std::invalid_argument);
  EXPECT_THROW(port_please("127.0.0.1", std::string(256, 'x'), {}), std::invalid_argument);
  EXPECT_THROW(register_node(std::string("a\0b", 3), 1), std::invalid_argument);
  EXPECT_THROW(register_node("a@host", 1), std::invalid_argument);
}

TEST(EpmdClient, TheDefaultPortComesFromErlEpmdPort) {
  const char* old = std::getenv("ERL_EPMD_PORT");
  std::string saved = old ? old : "";
  ::setenv("ERL_EPMD_PORT", "4444", 1);
  EXPECT_EQ(default_epmd_port(), 4444);
  ::setenv("ERL_EPMD_PORT", "junk", 1);
  EXPECT_EQ(default_epmd_port(), 4369);
  ::setenv("ERL_EPMD_PORT", "70000", 1);
  EXPECT_EQ(default_epmd_port(), 4369);
  if (old) {
    ::setenv("ERL_EPMD_PORT", saved.c_str(), 1);
  } else {
    ::unsetenv("ERL_EPMD_PORT");
  }
}

// ---- the server's own rules ----------------------------------------------------------------

namespace {

std::string request(std::string body) {
  return std::string{char(body.size() >> 8), char(body.size() & 0xFF)} + body;
}

// Everything the server sends until it closes.
std::string exchange(uint16_t port, const std::string& bytes) {
  unique_fd c = connect_loopback(port);
  write_all(c.get(), bytes);
  std::string all;
  while (auto got = read_some(c.get(), 10s)) {
    if (got->empty()) break;
    all += *got;
  }
  return all;
}

}  // namespace

TEST(EpmdServer, OldStyleRegistrationsGetSmallCreationsIn16Bits) {
  epmd_server s({.port = 0, .loopback_only = true});
  s.start();
  // ALIVE2_REQ with highest version 5.
  std::string body = std::string("\x78\x10\x00\x4d\x00\x00\x05\x00\x05\x00\x03old\x00\x00", 16);
  unique_fd c = connect_loopback(s.port());
  write_all(c.get(), request(body));
  auto reply = read_some(c.get(), 10s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), 4u);
  EXPECT_EQ(uint8_t((*reply)[0]), 121);
  EXPECT_EQ((*reply)[1], 0);
  EXPECT_EQ((*reply)[2], 0);
  EXPECT_TRUE((*reply)[3] >= 1 && (*reply)[3] <= 3);
  ASSERT_EQ(s.registered().size(), 1u);
  EXPECT_EQ(s.registered()[0].name, "old");
}

TEST(EpmdServer, BadRequestsAreDroppedWithoutAReply) {
  epmd_server s({.port = 0, .loopback_only = true, .max_request = 100});
  s.start();
  EXPECT_EQ(exchange(s.port(), std::string("\x00\x65", 2) + std::string(101, 'x')), "");
  EXPECT_EQ(exchange(s.port(), std::string("\x00\x00", 2)), "");
  EXPECT_EQ(exchange(s.port(), request("d")), "");                     // DUMP_REQ
  EXPECT_EQ(exchange(s.port(), request(std::string("z\0b", 3))), "");  // NUL in a name
  EXPECT_EQ(exchange(s.port(), request("z\xff")), "");                 // not UTF-8
  // ALIVE2_REQ whose name length runs past the request.
  EXPECT_EQ(exchange(s.port(), request(std::string("\x78\x10\x00\x4d\x00\x00\x06\x00\x06\x00\x09"
                                                   "abc\x00\x00",
                                                   16))),
            "");
  EXPECT_TRUE(s.registered().empty());
  EXPECT_EQ(exchange(s.port(), request("k")), "NO");  // KILL_REQ
  EXPECT_TRUE(s.running());
}

TEST(EpmdServer, AnIncompleteRequestIsDroppedAfterTheTimeout) {
  epmd_server s({.port = 0, .loopback_only = true, .request_timeout = 100ms});
  s.start();
  unique_fd c = connect_loopback(s.port());
  write_all(c.get(), std::string("\x00", 1));
  auto got = read_some(c.get(), 10s);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "");  // closed
}

TEST(EpmdServer, StoppingEndsEveryRegistration) {
  epmd_server s({.port = 0, .loopback_only = true});
  s.start();
  uint16_t port = s.port();
  EXPECT_NE(port, 0);
  auto reg = register_node("n_" + random_suffix(), 1, false, {.port = port});
  EXPECT_EQ(s.registered().size(), 1u);
  s.stop();
  EXPECT_FALSE(s.running());
  EXPECT_EQ(s.port(), 0);
  EXPECT_TRUE(s.registered().empty());
  EXPECT_FALSE(epmd_answers("127.0.0.1", port, 500ms));
  s.start();  // restartable
  EXPECT_TRUE(epmd_answers("127.0.0.1", s.port()));
}

TEST(EpmdServer, ATakenPortIsAnError) {
  loopback_listener taken;
  epmd_server s({.port = taken.port, .loopback_only = true});
  try {
    s.start();
    ADD_FAILURE() << "started on a taken port";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
  }
  EXPECT_FALSE(s.running());
}

// ---- ensure_epmd ---------------------------------------------------------------------------

TEST(EnsureEpmd, AnAnsweringEpmdIsUsedAsItIs) {
  epmd_server s({.port = 0, .loopback_only = true});
  s.start();
  EXPECT_TRUE(ensure_epmd(s.port()));
  EXPECT_EQ(in_process_epmd(s.port()), nullptr);
}

TEST(EnsureEpmd, WithoutASystemEpmdTheInProcessServerIsStarted) {
  uint16_t port = free_port();
  EXPECT_TRUE(ensure_epmd(port, {.allow_system_epmd = false}));
  ASSERT_NE(in_process_epmd(port), nullptr);
  auto reg = register_node("n_" + random_suffix(), 5, false, {.port = port});
  EXPECT_EQ(names("127.0.0.1", {.port = port}).size(), 1u);
  EXPECT_TRUE(ensure_epmd(port, {.allow_system_epmd = false}));  // already there
  stop_in_process_epmd(port);
  EXPECT_EQ(in_process_epmd(port), nullptr);
  EXPECT_FALSE(epmd_answers("127.0.0.1", port, 500ms));
  EXPECT_FALSE(ensure_epmd(port, {.allow_system_epmd = false, .allow_in_process = false}));
}

TEST(EnsureEpmd, TheSystemEpmdIsStartedWhenInstalled) {
  if (!system_epmd::available()) GTEST_SKIP() << "epmd is not installed";
  uint16_t port = free_port();
  ASSERT_TRUE(ensure_epmd(port));
  EXPECT_EQ(in_process_epmd(port), nullptr);
  EXPECT_TRUE(epmd_answers("127.0.0.1", port));
  // It is a daemon now: end it the way epmd allows, `epmd -kill` (no nodes are registered).
  child_process kill({"epmd", "-port", std::to_string(port), "-kill"});
  auto st = kill.wait(10s);
  ASSERT_TRUE(st);
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0);
}
