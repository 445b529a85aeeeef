// Failure detection by ticks, as OTP's net_ticktime: a silent peer (stopped with SIGSTOP) is
// declared down after between T and 1.25 T; an idle but live peer never is.

#include <gtest/gtest.h>

#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/otp.hpp>

#include "dist/cookie.hpp"
#include "dist/epmd_server.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;

namespace {

struct Ticks : ::testing::Test {
  void start(std::chrono::seconds ticktime) {
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = "t" + random_suffix() + "@127.0.0.1",
                                .cookie = cookie_,
                                .epmd_port = epmd_->port(),
                                .net_ticktime = ticktime});
    peer_name_ = "e" + random_suffix() + "@127.0.0.1";
    peer_ = std::make_unique<child_process>(
        std::vector<std::string>{OTPP_ECHO_NODE, "--name", peer_name_, "--cookie", cookie_,
                                 "--ticktime", std::to_string(ticktime.count())},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}});
    ASSERT_TRUE(peer_->wait_for_line(" up ", 20s)) << peer_->drain_stderr(1s);
  }
  void TearDown() override {
    if (peer_) ::kill(peer_->pid(), SIGCONT);
    if (node_) node_->shutdown();
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_, peer_name_;
  std::unique_ptr<otp::node> node_;
  std::unique_ptr<child_process> peer_;
};

TEST_F(Ticks, ASilentPeerIsDownWithinEightToSixteenSecondsAtTickTimeTwelve) {
  start(12s);
  atom peer(peer_name_);
  pid_t os_pid = peer_->pid();
  double seconds = node_->run([peer, os_pid] {
    EXPECT_TRUE(ping(peer));
    monitor_node(peer, true);
    ::kill(os_pid, SIGSTOP);
    auto t0 = std::chrono::steady_clock::now();
    bool down =
        receive(when([peer](const term& t) { return t == otp::tuple(atom("nodedown"), peer); },
                     [](const term&) { return true; }),
                after(30s, [] { return false; }));
    EXPECT_TRUE(down);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  std::cout << "[ tick ] nodedown after " << seconds << " s" << std::endl;
  EXPECT_GE(seconds, 8.0);
  EXPECT_LE(seconds, 16.0);
}

TEST_F(Ticks, AnIdleLivePeerStaysConnectedAcrossSeveralTickTimes) {
  start(2s);
  atom peer(peer_name_);
  node_->run([peer] {
    EXPECT_TRUE(ping(peer));
    monitor_node(peer, true);
    // Nothing but ticks crosses the connection for 3 tick times.
    bool down =
        receive(when([peer](const term& t) { return t == otp::tuple(atom("nodedown"), peer); },
                     [](const term&) { return true; }),
                after(6s, [] { return false; }));
    EXPECT_FALSE(down);
    EXPECT_EQ(gen_server::call(server_ref(atom("echo"), peer), term(1)), term(1));
  });
}

}  // namespace
