// The control socket on its own: authentication, one session per connection, hostile
// input, long paths, and closing while clients are attached.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <filesystem>

#include "dist/support.hpp"
#include "otp/node.hpp"
#include "release/control_client.hpp"
#include "release/control_protocol.hpp"
#include "release/control_server.hpp"

namespace {

using namespace otp;
using namespace otp::release;
using otp::test::temp_dir;

const std::string cookie = "CONTROLTESTCOOKIE";

class ControlSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<control_server>(node_, dir_.path + "/tmp", "ctl.test", cookie,
                                               control_hooks{});
  }
  void TearDown() override {
    server_->close();
    node_.shutdown();
  }
  std::unique_ptr<control_client> client(const std::string& c = cookie) {
    return std::make_unique<control_client>(dir_.path + "/tmp", "ctl.test", c);
  }
  // A raw connection that has read the greeting: the challenge is returned.
  int raw(std::string& challenge) {
    unix_address a(dir_.path + "/tmp", "ctl.test");
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(fd, a.get(), a.size()), 0);
    std::string hello;
    EXPECT_TRUE(read_exact(fd, control_magic.size() + control_challenge_bytes, hello));
    challenge = hello.substr(control_magic.size());
    return fd;
  }
  term eval(control_client& c, const std::string& text) {
    auto r = c.request(tuple(atom("eval"), term::binary(text)));
    EXPECT_TRUE(r.has_value());
    return r ? *r : term();
  }

  temp_dir dir_;
  node node_{node_options{.schedulers = 2}};
  std::unique_ptr<control_server> server_;
};

TEST_F(ControlSocket, AClientThatProvesTheCookieIsAnswered) {
  auto c = client();
  auto r = c->request(term(atom("ping")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, term(atom("pong")));
  EXPECT_EQ(*c->request(term(atom("os_pid"))), term(static_cast<int64_t>(::getpid())));
}

TEST_F(ControlSocket, TheSocketAndItsDirectoryAreOpenToTheOwnerOnly) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir_.path + "/tmp/ctl.test").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ControlSocket, AWrongCookieIsRefusedAndTheServerGoesOn) {
  EXPECT_THROW(client("WRONG"), std::runtime_error);
  std::string challenge;
  int fd = raw(challenge);
  ASSERT_TRUE(write_all(fd, std::string(control_challenge_bytes, 'x')));
  std::string answer;
  ASSERT_TRUE(read_exact(fd, 1, answer));
  EXPECT_EQ(answer, "N");
  EXPECT_FALSE(read_exact(fd, 1, answer));  // closed
  ::close(fd);
  EXPECT_TRUE(control_client::answers(dir_.path + "/tmp", "ctl.test", cookie));
}

TEST_F(ControlSocket, AnOversizeOrMalformedFrameClosesOnlyThatConnection) {
  for (std::string bad : {std::string("\xff\xff\xff\xff", 4), std::string("\0\0\0\3abc", 7)}) {
    std::string challenge;
    int fd = raw(challenge);
    ASSERT_TRUE(write_all(fd, control_proof(cookie, challenge)));
    std::string answer;
    ASSERT_TRUE(read_exact(fd, 1, answer));
    ASSERT_EQ(answer, "Y");
    ASSERT_TRUE(write_all(fd, bad));
    EXPECT_FALSE(read_exact(fd, 1, answer));  // the node closed it
    ::close(fd);
  }
  EXPECT_TRUE(control_client::answers(dir_.path + "/tmp", "ctl.test", cookie));
}

TEST_F(ControlSocket, OneConnectionIsOneShellSession) {
  auto a = client();
  auto b = client();
  EXPECT_EQ(eval(*a, "X = 20 + 1."), tuple(atom("value"), term::binary("21\n"), 1));
  EXPECT_EQ(eval(*a, "X * 2."), tuple(atom("value"), term::binary("42\n"), 1));
  term other = eval(*b, "X.");
  EXPECT_EQ(other[0], term(atom("error")));
  EXPECT_NE(other[1].as_binary().find("unbound"), std::string_view::npos) << to_string(other);
  EXPECT_EQ(eval(*a, "1 +")[0], term(atom("incomplete")));
}

TEST_F(ControlSocket, ASessionKeepsOneProcessSoSelfAndFlushWorkAsInErl) {
  auto c = client();
  eval(*c, "S = self().");
  EXPECT_EQ(eval(*c, "S =:= self()."), tuple(atom("value"), term::binary("true\n"), 1));
  eval(*c, "self() ! hello.");
  term flushed = eval(*c, "flush().");
  EXPECT_NE(flushed[1].as_binary().find("Shell got hello"), std::string_view::npos)
      << to_string(flushed);
  // An evaluation that kills the session's process: the next one has the same bindings.
  EXPECT_EQ(eval(*c, "exit(self(), kill).")[0], term(atom("error")));
  EXPECT_EQ(eval(*c, "is_pid(S)."), tuple(atom("value"), term::binary("true\n"), 1));
}

TEST_F(ControlSocket, AnUnknownRequestIsAnsweredWithAnError) {
  auto c = client();
  auto r = c->request(tuple(atom("frobnicate"), 1));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0], term(atom("error")));
  EXPECT_EQ(*c->request(term(atom("ping"))), term(atom("pong")));
}

TEST_F(ControlSocket, EvaluationsAreRefusedOnceTheNodeIsStopping) {
  auto c = client();
  server_->stop_evaluating();
  term r = eval(*c, "1 + 1.");
  EXPECT_EQ(r[0], term(atom("error")));
  EXPECT_NE(r[1].as_binary().find("stopping"), std::string_view::npos);
}

TEST_F(ControlSocket, CloseEndsEveryConnectionAndRemovesTheSocket) {
  auto c = client();
  server_->close();
  c->wait_closed();  // returns: the node closed it
  EXPECT_FALSE(std::filesystem::exists(dir_.path + "/tmp/ctl.test"));
  EXPECT_THROW(client(), control_unreachable);
}

TEST(ControlSocketPath, ADirectoryLongerThanASocketPathStillWorks) {
  temp_dir dir;
  std::string deep = dir.path;
  while (deep.size() < 200) deep += "/a_rather_long_directory_name";
  std::filesystem::create_directories(deep);
  node n(node_options{.schedulers = 1});
  {
    control_server s(n, deep + "/tmp", "ctl.long", cookie, {});
    EXPECT_TRUE(control_client::answers(deep + "/tmp", "ctl.long", cookie));
    s.close();
  }
  n.shutdown();
}

TEST(ControlSocketPath, ASecondServerOnALiveSocketIsRefused) {
  temp_dir dir;
  node n(node_options{.schedulers = 1});
  control_server first(n, dir.path + "/tmp", "ctl.dup", cookie, {});
  EXPECT_THROW(control_server(n, dir.path + "/tmp", "ctl.dup", cookie, {}), std::runtime_error);
  first.close();
  // A socket file left behind by a node that died (bound, nobody listening) is replaced.
  {
    unix_address a(dir.path + "/tmp", "ctl.dup");
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::bind(fd, a.get(), a.size()), 0);
    ::close(fd);
  }
  ASSERT_TRUE(std::filesystem::exists(dir.path + "/tmp/ctl.dup"));
  control_server again(n, dir.path + "/tmp", "ctl.dup", cookie, {});
  EXPECT_TRUE(control_client::answers(dir.path + "/tmp", "ctl.dup", cookie));
  again.close();
  n.shutdown();
}

}  // namespace
