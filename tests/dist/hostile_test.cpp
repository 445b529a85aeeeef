// Hostile peers against a running node: malformed and oversize frames, bad ETF, unknown
// control messages, peers dying mid-frame, garbage instead of a handshake, and names from
// peers that never authenticate. Each closes that one connection; the node and its
// processes go on (an honest peer is served right after every attack).

#include <gtest/gtest.h>

#include <otp/dist.hpp>
#include <otp/otp.hpp>

#include "dist/bytes.hpp"
#include "dist/control.hpp"
#include "dist/cookie.hpp"
#include "dist/epmd_client.hpp"
#include "dist/epmd_server.hpp"
#include "dist/frame.hpp"
#include "dist/handshake.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;

namespace {

const handshake_state& drive(int fd, handshake& h, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (h.has_output()) write_all(fd, h.take_output());
    if (h.done() || h.failed()) return h.state();
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return h.state();
    auto got = read_some(fd, left);
    if (!got || got->empty()) return h.state();
    h.feed(*got);
  }
}

// True when the peer closes the socket within `timeout` (whatever it sent before is skipped).
bool closed_by_peer(int fd, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto got = read_some(fd, left);
    if (!got) return false;  // timeout
    if (got->empty()) return true;
  }
}

std::string be32(uint32_t n) {
  std::string out;
  put32(out, n);
  return out;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    alive_ = "h" + random_suffix();
    node_ = std::make_unique<otp::node>();
    start_distribution(
        *node_, {.name = alive_ + "@127.0.0.1", .cookie = cookie_, .epmd_port = epmd_->port()});
    // A registered process that reports what it receives.
    node_->spawn([this] {
      register_name(atom("sink"), self());
      {
        std::lock_guard lk(mu_);
        ready_ = true;
        cv_.notify_all();
      }
      for (;;) {
        term t = receive<term>();
        std::lock_guard lk(mu_);
        got_.push_back(t);
        cv_.notify_all();
      }
    });
    wait_ready();  // honest peers send to `sink`: it must be registered first
  }
  void TearDown() override { node_->shutdown(); }
  void wait_ready() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return ready_; });
  }

  unique_fd connect_raw() {
    auto info = port_please("127.0.0.1", alive_, {.port = epmd_->port()});
    if (!info) throw std::runtime_error("node not registered");
    return connect_loopback(info->port);
  }

  // A connected, authenticated raw peer; `ctx` is its ETF context.
  unique_fd authenticated_peer(const std::string& name, std::string* leftover = nullptr) {
    unique_fd fd = connect_raw();
    handshake_options o;
    o.node_name = name;
    o.creation = 77;
    o.cookie = cookie_;
    auto h = handshake::initiate(o, alive_ + "@127.0.0.1");
    drive(fd.get(), h, 10s);
    if (!h.done()) throw std::runtime_error("handshake failed");
    if (leftover) *leftover = h.take_leftover();
    return fd;
  }

  // An honest peer sends {honest, N} to sink; true when sink got it.
  bool honest_peer_is_served() {
    std::string name = "honest" + random_suffix() + "@127.0.0.1";
    unique_fd fd = authenticated_peer(name);
    term msg = otp::tuple(atom("honest"), term(int64_t(++honest_)));
    std::string out;
    frame_encoder enc(etf_context{atom(name), 77});
    enc.append(out, ctrl::reg_send{pid::remote(atom(name), 1, 77), atom("sink"), msg});
    write_all(fd.get(), out);
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, 10s,
                        [&] { return std::find(got_.begin(), got_.end(), msg) != got_.end(); });
  }

  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_, alive_;
  std::unique_ptr<otp::node> node_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<term> got_;
  bool ready_ = false;
  int honest_ = 0;
};

TEST_F(Hostile, AnOversizeFrameLengthClosesThatConnectionOnly) {
  unique_fd fd = authenticated_peer("big" + random_suffix() + "@127.0.0.1");
  write_all(fd.get(), be32(0x7FFFFFF0));
  EXPECT_TRUE(closed_by_peer(fd.get(), 10s));
  EXPECT_TRUE(honest_peer_is_served());
}

TEST_F(Hostile, BadEtfInAFrameClosesThatConnectionOnly) {
  unique_fd fd = authenticated_peer("etf" + random_suffix() + "@127.0.0.1");
  std::string body = std::string("\x70\x83\xff\x00\x01", 5);  // pass-through, version, bad tag
  write_all(fd.get(), be32(uint32_t(body.size())) + body);
  EXPECT_TRUE(closed_by_peer(fd.get(), 10s));
  EXPECT_TRUE(honest_peer_is_served());
}

TEST_F(Hostile, AnUnknownControlMessageClosesThatConnectionOnly) {
  std::string name = "ctl" + random_suffix() + "@127.0.0.1";
  unique_fd fd = authenticated_peer(name);
  std::string out;
  frame_encoder enc(etf_context{atom(name), 77});
  enc.append(out, otp::tuple(term(99), atom("what")));
  write_all(fd.get(), out);
  EXPECT_TRUE(closed_by_peer(fd.get(), 10s));
  EXPECT_TRUE(honest_peer_is_served());
}

TEST_F(Hostile, APeerDyingMidFrameLosesOnlyItsConnection) {
  {
    unique_fd fd = authenticated_peer("mid" + random_suffix() + "@127.0.0.1");
    write_all(fd.get(), be32(100) + std::string(10, 'x'));
  }  // closed here, 90 bytes short
  EXPECT_TRUE(honest_peer_is_served());
}

TEST_F(Hostile, GarbageInsteadOfAHandshakeIsClosed) {
  unique_fd fd = connect_raw();
  write_all(fd.get(), std::string("\x00\x20GET / HTTP/1.1\r\nHost: x\r\n\r\n....", 34));
  EXPECT_TRUE(closed_by_peer(fd.get(), 10s));
  EXPECT_TRUE(honest_peer_is_served());
}

TEST_F(Hostile, APeerThatNeverAuthenticatesCreatesNoAtom) {
  std::string name = "ghost" + random_suffix() + "@127.0.0.1";
  unique_fd fd = connect_raw();
  handshake_options o;
  o.node_name = name;
  o.creation = 5;
  o.cookie = "wrong-cookie";
  auto h = handshake::initiate(o, alive_ + "@127.0.0.1");
  drive(fd.get(), h, 10s);
  EXPECT_FALSE(h.done());
  EXPECT_TRUE(closed_by_peer(fd.get(), 10s));
  bool exists = true;
  atom::existing(name, exists);
  EXPECT_FALSE(exists) << "an unauthenticated peer's name became an atom";
  EXPECT_TRUE(honest_peer_is_served());
}

}  // namespace
