// TLS distribution (as erl's -proto_dist inet_tls): otpp <-> otpp and erl <-> otpp over TLS
// with certificates from a test CA; plain TCP peers and peers without a trusted certificate
// are refused.

#include <gtest/gtest.h>

#include <fstream>

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

// Runs a command line; throws when it fails.
void sh(const std::string& cmd) {
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("failed: " + cmd);
}

struct Tls : ::testing::Test {
  void SetUp() override {
    if (find_executable("openssl").empty()) GTEST_SKIP() << "openssl is not installed";
    d_ = home_.path + "/";
    // A CA, and a certificate for 127.0.0.1 it signs (also as a DNS name: erl checks the
    // host it dialled, "127.0.0.1", as one); a second CA nobody trusts.
    for (std::string ca : {"ca", "rogue_ca"})
      sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
         "/CN=" +
         ca + " -keyout " + d_ + ca + ".key -out " + d_ + ca + ".pem");
    for (auto [cert, ca] : {std::pair{"node", "ca"}, std::pair{"rogue", "rogue_ca"}}) {
      std::string c = d_ + cert;
      sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
         "-keyout " +
         c + ".key -out " + c + ".csr");
      std::ofstream(c + ".ext") << "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n";
      sh("openssl x509 -req -days 2 -in " + c + ".csr -CA " + d_ + ca + ".pem -CAkey " + d_ + ca +
         ".key -CAcreateserial -extfile " + c + ".ext -out " + c + ".pem");
    }
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
  }
  void TearDown() override {
    if (node_) node_->shutdown();
  }

  dist_tls_options tls(const std::string& cert = "node") {
    return {
        .certfile = d_ + cert + ".pem", .keyfile = d_ + cert + ".key", .cacertfile = d_ + "ca.pem"};
  }
  void start_node(std::optional<dist_tls_options> t) {
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = "t" + random_suffix() + "@127.0.0.1",
                                .cookie = cookie_,
                                .epmd_port = epmd_->port(),
                                .tls = std::move(t)});
  }
  atom start_echo(bool with_tls) {
    std::string name = "e" + random_suffix() + "@127.0.0.1";
    std::vector<std::string> argv{OTPP_ECHO_NODE, "--name", name, "--cookie", cookie_};
    if (with_tls) {
      argv.insert(argv.end(), {"--tls-cert", d_ + "node.pem", "--tls-key", d_ + "node.key",
                               "--tls-ca", d_ + "ca.pem"});
    }
    echo_ = std::make_unique<child_process>(argv, env());
    if (!echo_->wait_for_line(" up ", 20s))
      throw std::runtime_error("echo node did not start: " + echo_->drain_stderr(1s));
    return atom(name);
  }
  std::map<std::string, std::string> env() {
    return {{"ERL_EPMD_PORT", std::to_string(epmd_->port())}, {"HOME", home_.path}};
  }
  std::unique_ptr<child_process> start_erl(const std::string& eval) {
    std::ofstream(d_ + "dist.conf")
        << "[{server, [{certfile, \"" << d_ << "node.pem\"}, {keyfile, \"" << d_
        << "node.key\"}, {cacertfile, \"" << d_
        << "ca.pem\"}, {verify, verify_peer}, {fail_if_no_peer_cert, true}]},\n"
        << " {client, [{certfile, \"" << d_ << "node.pem\"}, {keyfile, \"" << d_
        << "node.key\"}, {cacertfile, \"" << d_ << "ca.pem\"}, {verify, verify_peer}]}].\n";
    return std::make_unique<child_process>(
        std::vector<std::string>{"erl", "-noshell", "-name", "x" + random_suffix() + "@127.0.0.1",
                                 "-setcookie", cookie_, "-proto_dist", "inet_tls",
                                 "-ssl_dist_optfile", d_ + "dist.conf", "-eval", eval},
        env());
  }

  temp_dir home_;
  std::string d_, cookie_;
  std::unique_ptr<epmd_server> epmd_;
  std::unique_ptr<otp::node> node_;
  std::unique_ptr<child_process> echo_;
};

TEST_F(Tls, OtppNodesCallEachOtherOverTls) {
  atom e = start_echo(true);
  start_node(tls());
  node_->run([e] {
    EXPECT_TRUE(ping(e));
    term t = otp::tuple(atom("over"), term::binary(std::string(100000, 't')));
    EXPECT_EQ(gen_server::call(server_ref(atom("echo"), e), t), t);
  });
}

TEST_F(Tls, APlainTcpNodeCannotConnectToATlsNode) {
  atom e = start_echo(true);
  start_node(std::nullopt);
  node_->run([e] { EXPECT_FALSE(ping(e)); });
}

TEST_F(Tls, ACertificateFromAnUntrustedCaIsRefused) {
  atom e = start_echo(true);
  start_node(tls("rogue"));
  node_->run([e] { EXPECT_FALSE(ping(e)); });
}

TEST_F(Tls, ErlWithInetTlsCallsTheEchoNodeOverTls) {
  if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
  atom e = start_echo(true);
  std::string node(e.name());
  auto erl = start_erl("N = '" + node +
                       "', io:format(\"ping ~p~n\", [net_adm:ping(N)]),"
                       "T = {tls, <<\"payload\">>, [1,2,3], #{k => v}},"
                       "io:format(\"echo ~p~n\", [gen_server:call({echo, N}, T) =:= T]),"
                       "io:format(\"nodes ~p~n\", [nodes()]), halt().");
  std::string seen;
  EXPECT_TRUE(erl->wait_for_line("ping pong", 60s, &seen)) << seen << erl->drain_stderr(1s);
  EXPECT_TRUE(erl->wait_for_line("echo true", 20s, &seen)) << seen << erl->drain_stderr(1s);
}

}  // namespace
