// kernel with distribution: set_kernel_distribution(node, options) makes kernel's net_kernel
// start distribution, with kernel's net_ticktime; an erl node (when installed) then pings the
// node and calls application:which_applications/0 on it through rpc. One test per binary: a
// process has one distributed node.

#include <gtest/gtest.h>

#include <otp/application.hpp>
#include <otp/dist.hpp>
#include <otp/init.hpp>
#include <otp/logger.hpp>
#include <otp/otp.hpp>

#include "dist/cookie.hpp"
#include "dist/epmd_server.hpp"
#include "dist/support.hpp"

using namespace otp;
using namespace otp::test;
namespace app = otp::application;

TEST(KernelDistribution, KernelStartsDistributionAndErlCallsApplicationFunctionsThroughRpc) {
  logger::remove_handler(atom("default"));
  dist::epmd_server epmd({.port = 0, .loopback_only = true});
  epmd.start();
  std::string cookie = dist::generate_cookie();
  std::string name = "k" + random_suffix() + "@127.0.0.1";
  otp::node node({.schedulers = 2});
  app::set_kernel_distribution(
      node, dist_options{.name = name, .cookie = cookie, .epmd_port = epmd.port()});
  app::apply_config({{atom("kernel"), {{atom("net_ticktime"), 20}}}});
  node.run([&] {
    ASSERT_EQ(app::start(atom("kernel")), term(atoms::ok));
    EXPECT_TRUE(is_distributed());
    EXPECT_EQ(node_name(), atom(name));
    EXPECT_FALSE(whereis(atom("net_kernel")).is_null());
    EXPECT_EQ(to_string(sys::get_status(atom("net_kernel")).state), "[{node,'" + name + "'}]");
  });

  if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
  temp_dir home;
  std::string script =
      "Node = '" + name +
      "', "
      "io:format(\"~p~n\", [net_adm:ping(Node)]), "
      "io:format(\"~w~n\", [rpc:call(Node, application, which_applications, [])]), "
      "io:format(\"~w~n\", [rpc:call(Node, application, get_env, [kernel, "
      "net_ticktime])]), "
      "halt().";
  child_process erl({"erl", "-noshell", "-name", "e" + random_suffix() + "@127.0.0.1", "-setcookie",
                     cookie, "-eval", script},
                    {{"ERL_EPMD_PORT", std::to_string(epmd.port())}, {"HOME", home.path}});
  EXPECT_EQ(erl.read_line(60s), "pong");
  EXPECT_EQ(erl.read_line(20s),
            "[{kernel,[111,116,112,112,32,107,101,114,110,101,108],[48,46,49,46,48]}]");
  EXPECT_EQ(erl.read_line(20s), "{ok,20}");
  node.shutdown();
}
