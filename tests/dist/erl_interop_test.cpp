// The protocol layers against a real erl (OTP 25+) over loopback sockets: our initiator
// connects to erl and delivers a message; erl pings a node we accept for and gets pong; wrong
// cookies fail on both sides. What erl sends is printed, for the record.

#include <gtest/gtest.h>

#include <iostream>

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

// Writes the handshake's output and feeds it what arrives until it is done or failed, the
// peer closes, or `timeout` passes. Returns the handshake's state; `eof` tells whether the
// peer closed first.
const handshake_state& drive(int fd, handshake& h, milliseconds timeout, bool* eof = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (h.has_output()) write_all(fd, h.take_output());
    if (h.done() || h.failed()) return h.state();
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return h.state();
    auto got = read_some(fd, left);
    if (!got) return h.state();
    if (got->empty()) {
      if (eof) *eof = true;
      return h.state();
    }
    h.feed(*got);
  }
}

// The next frame event, reading as needed; nullopt on timeout or EOF.
std::optional<frame_event> next_event(int fd, frame_decoder& d, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto e = d.next()) return e;
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto got = read_some(fd, left);
    if (!got || got->empty()) return std::nullopt;
    d.feed(*got);
  }
}

void log(const std::string& what) {
  std::cout << "[ erl ] " << what << std::endl;
}

class ErlInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
  }

  // erl -sname <name>@localhost with our epmd and cookie, running `eval`.
  std::unique_ptr<child_process> start_erl(const std::string& name, const std::string& eval,
                                           const std::string& cookie = "") {
    return std::make_unique<child_process>(
        std::vector<std::string>{"erl", "-noshell", "-sname", name + "@localhost", "-setcookie",
                                 cookie.empty() ? cookie_ : cookie, "-eval", eval},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}});
  }

  handshake_options our_options(const std::string& name, uint32_t creation,
                                const std::string& cookie = "") {
    handshake_options o;
    o.node_name = name;
    o.creation = creation;
    o.cookie = cookie.empty() ? cookie_ : cookie;
    return o;
  }

  // Our end of a connection to erl node `alive`, which must be registered.
  unique_fd connect_to(const std::string& alive) {
    auto info = port_please("127.0.0.1", alive, {.port = epmd_->port()});
    if (!info) throw std::runtime_error(alive + " is not registered");
    return connect_loopback(info->port);
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_;
};

}  // namespace

TEST_F(ErlInterop, OurInitiatorConnectsToErlAndErlReceivesOurMessage) {
  std::string erl_name = "e_" + random_suffix();
  auto erl = start_erl(erl_name,
                       "register(t, self()), io:format(\"ready~n\"),"
                       "receive M -> io:format(\"got ~p~n\", [M]) end, halt().");
  ASSERT_TRUE(erl->wait_for_line("ready", 30s)) << erl->drain_stderr(1s);

  std::string us = "otpp_" + random_suffix() + "@localhost";
  const uint32_t creation = 0x1234ABCD;
  unique_fd fd = connect_to(erl_name);
  auto h = handshake::initiate(our_options(us, creation), erl_name + "@localhost");
  drive(fd.get(), h, 10s);
  ASSERT_TRUE(h.done()) << (h.failed() ? std::get<handshake_failed>(h.state()).reason : "timeout");
  const auto& d = std::get<handshake_done>(h.state());
  log("erl (acceptor) flags: " + flag_names(d.peer_flags));
  log("negotiated: " + flag_names(d.flags));
  EXPECT_EQ(d.peer_name, erl_name + "@localhost");
  EXPECT_EQ(d.peer_flags & DFLAG_DIST_MANDATORY_25, DFLAG_DIST_MANDATORY_25);
  EXPECT_EQ(d.flags & (DFLAG_DIST_HDR_ATOM_CACHE | DFLAG_FRAGMENTS), 0u);

  etf_context ctx{atom(us), creation};
  std::string out;
  frame_encoder enc(ctx);
  pid from = pid::local(42);
  enc.append(
      out, ctrl::reg_send{from, atom("t"), otp::tuple(atom("hello"), term::binary("otpp"), from)});
  write_all(fd.get(), out);

  std::string seen;
  EXPECT_TRUE(erl->wait_for_line("got {hello,<<\"otpp\">>,<", 10s, &seen))
      << seen << erl->drain_stderr(1s);
  log("erl printed: " + seen);

  // Whatever erl sent meanwhile decodes as frames.
  frame_decoder dec({.context = ctx});
  dec.feed(h.take_leftover());
  while (auto e = next_event(fd.get(), dec, 2s)) {
    if (auto* m = std::get_if<frame_message>(&*e)) {
      auto c = parse_control(m->control, m->payload ? &*m->payload : nullptr);
      EXPECT_TRUE(c) << c.error().message;
      log("erl sent " + to_string(m->control) +
          (m->payload ? " + " + to_string(*m->payload) : std::string()));
    } else if (std::holds_alternative<frame_tick>(*e)) {
      log("erl sent a tick");
    } else {
      ADD_FAILURE() << std::get<frame_error>(*e).message;
      break;
    }
  }
}

TEST_F(ErlInterop, ErlPingsANodeWeAcceptForAndGetsPong) {
  loopback_listener listener;
  std::string alive = "otpp_" + random_suffix();
  std::string us = alive + "@localhost";
  epmd_registration reg = register_node(alive, listener.port, false, {.port = epmd_->port()});

  std::string erl_name = "p_" + random_suffix();
  auto erl = start_erl(erl_name, "io:format(\"~p~n\", [net_adm:ping('" + us + "')]), halt().");

  unique_fd fd = listener.accept(30s);
  ASSERT_GE(fd.get(), 0) << "erl did not connect: " << erl->drain_stderr(1s);
  std::string asked;
  auto h = handshake::accept(our_options(us, reg.creation()), [&](const std::string& peer) {
    asked = peer;
    return accept_decision::ok;
  });
  drive(fd.get(), h, 10s);
  ASSERT_TRUE(h.done()) << (h.failed() ? std::get<handshake_failed>(h.state()).reason : "timeout");
  const auto& d = std::get<handshake_done>(h.state());
  EXPECT_EQ(asked, erl_name + "@localhost");
  log("erl (initiator) flags: " + flag_names(d.peer_flags));
  log("negotiated: " + flag_names(d.flags));

  etf_context ctx{atom(us), reg.creation()};
  frame_decoder dec({.context = ctx});
  dec.feed(h.take_leftover());
  frame_encoder enc(ctx);
  bool replied = false;
  for (int i = 0; i < 50 && !replied; ++i) {
    auto e = next_event(fd.get(), dec, 10s);
    ASSERT_TRUE(e) << "erl sent no is_auth call";
    if (std::holds_alternative<frame_tick>(*e)) {
      log("erl sent a tick");
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<frame_message>(*e)) << std::get<frame_error>(*e).message;
    const auto& m = std::get<frame_message>(*e);
    log("erl sent " + to_string(m.control) +
        (m.payload ? " + " + to_string(*m.payload) : std::string()));
    auto c = parse_control(m.control, m.payload ? &*m.payload : nullptr);
    ASSERT_TRUE(c) << c.error().message;
    // gen:call({net_kernel, Node}, {is_auth, ErlNode}): {'$gen_call', {From, Tag}, Req}.
    if (auto* rs = std::get_if<ctrl::reg_send>(&*c); rs && rs->to_name == atom("net_kernel")) {
      const term& call = rs->message;
      ASSERT_TRUE(call.is_tuple(3) && call[0] == term(atom("$gen_call")));
      EXPECT_EQ(call[2], otp::tuple(atom("is_auth"), atom(erl_name + "@localhost")));
      const term& from = call[1];
      std::string reply;
      enc.append(reply, ctrl::send_sender{pid::local(1), from[0].as_pid(),
                                          otp::tuple(from[1], atom("yes"))});
      write_all(fd.get(), reply);
      replied = true;
    }
  }
  ASSERT_TRUE(replied);
  std::string seen;
  EXPECT_TRUE(erl->wait_for_line("pong", 10s, &seen)) << seen << erl->drain_stderr(1s);
}

TEST_F(ErlInterop, ErlRefusesOurWrongCookieAndNoConnectionComesUp) {
  std::string erl_name = "w_" + random_suffix();
  auto erl = start_erl(erl_name, "io:format(\"ready~n\"), receive stop -> ok end.");
  ASSERT_TRUE(erl->wait_for_line("ready", 30s)) << erl->drain_stderr(1s);
  unique_fd fd = connect_to(erl_name);
  auto h = handshake::initiate(our_options("otpp_" + random_suffix() + "@localhost", 7, "wrong"),
                               erl_name + "@localhost");
  bool eof = false;
  drive(fd.get(), h, 10s, &eof);
  // erl checks our digest, finds it wrong and closes without an ack.
  EXPECT_TRUE(eof);
  EXPECT_FALSE(h.done());
}

TEST_F(ErlInterop, WeRefuseErlWithAWrongCookieAndItsPingGetsPang) {
  loopback_listener listener;
  std::string alive = "otpp_" + random_suffix();
  std::string us = alive + "@localhost";
  epmd_registration reg = register_node(alive, listener.port, false, {.port = epmd_->port()});
  auto erl = start_erl("q_" + random_suffix(),
                       "io:format(\"~p~n\", [net_adm:ping('" + us + "')]), halt().", "other");
  unique_fd fd = listener.accept(30s);
  ASSERT_GE(fd.get(), 0) << erl->drain_stderr(1s);
  auto h = handshake::accept(our_options(us, reg.creation()));
  drive(fd.get(), h, 10s);
  ASSERT_TRUE(h.failed());
  EXPECT_EQ(std::get<handshake_failed>(h.state()).code, handshake_errc::bad_digest);
  fd.reset();  // we close, as the caller of a failed handshake does
  EXPECT_TRUE(erl->wait_for_line("pang", 20s)) << erl->drain_stderr(1s);
}
