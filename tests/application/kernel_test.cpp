// The built-in application kernel (its supervisor and children, logger_level) and the
// application:* functions other nodes and the shell call through the rpc registry.

#include <otp/dist.hpp>
#include <otp/rpc.hpp>
#include <otp/term_parse.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace app_test;

namespace {

const atom a_application("application");

term call(const char* fn, std::vector<term> args) {
  return rpc::call(node_name(), a_application, atom(fn), std::move(args));
}

std::vector<std::string> kernel_children() {
  std::vector<std::string> ids;
  for (const auto& c : supervisor::which_children(atom("kernel_sup")))
    ids.push_back(to_string(c.id));
  return ids;
}

}  // namespace

TEST_F(ApplicationTest, KernelIsAlwaysLoadedAndRunsItsServicesUnderKernelSup) {
  node.run([] {
    std::vector<app::app_info> loaded = app::loaded_applications();
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].name, atom("kernel"));
    EXPECT_EQ(loaded[0].description, "otpp kernel");
    EXPECT_EQ(loaded[0].vsn, "0.1.0");

    ASSERT_EQ(app::start(atom("kernel")), term(atoms::ok));
    EXPECT_EQ(running(), std::vector<std::string>{"kernel"});
    // which_children lists the newest first, as OTP does.
    EXPECT_EQ(kernel_children(), (std::vector<std::string>{"pg", "logger"}));
    EXPECT_FALSE(whereis(atom("logger")).is_null());
    EXPECT_FALSE(whereis(atom("pg")).is_null());
    EXPECT_TRUE(whereis(atom("net_kernel")).is_null());  // no distribution asked for
    EXPECT_FALSE(whereis(atom("application_controller")).is_null());
  });
}

TEST_F(ApplicationTest, KernelsLoggerAppliesTheConfiguredLoggerLevel) {
  logger::set_primary_level(logger::level::notice);
  node.run([] {
    app::apply_config({{atom("kernel"), {{atom("logger_level"), A("info")}}}});
    ASSERT_EQ(app::start(atom("kernel")), term(atoms::ok));
    EXPECT_EQ(logger::primary_level(), logger::level::info);
    EXPECT_EQ(sys::get_status(atom("logger")).state, parse_term("[{level, info}]"));
    EXPECT_EQ(gen_server::call(atom("logger"), A("get_level")), A("info"));
  });
}

TEST_F(ApplicationTest, AnInvalidLoggerLevelFailsKernelsStart) {
  node.run([] {
    app::set_env(atom("kernel"), atom("logger_level"), A("loud"));
    EXPECT_EQ(app::start(atom("kernel")),
              parse_term("{error, {kernel, {{shutdown, {failed_to_start_child, logger, "
                         "{invalid_logger_level, loud}}}, {kernel, start, [normal, []]}}}}"));
    EXPECT_TRUE(running().empty());
  });
}

TEST_F(ApplicationTest, ApplicationFunctionsAreCallableThroughRpcWithErlangShapes) {
  node.run([] {
    ASSERT_EQ(app::load(test_app("a", {.env = {{atom("k"), 1}}})), term(atoms::ok));
    EXPECT_EQ(call("ensure_all_started", {A("a"), A("permanent")}),
              parse_term("{ok, [kernel, a]}"));
    EXPECT_EQ(call("which_applications", {}), parse_term("[{a, \"test application a\", \"1.0\"}, "
                                                         "{kernel, \"otpp kernel\", \"0.1.0\"}]"));
    EXPECT_EQ(call("get_env", {A("a"), A("k")}), parse_term("{ok, 1}"));
    EXPECT_EQ(call("get_env", {A("a"), A("missing")}), A("undefined"));
    EXPECT_EQ(call("get_env", {A("a"), A("missing"), 5}), term(5));
    EXPECT_EQ(call("set_env", {A("a"), A("k"), 2}), A("ok"));
    EXPECT_EQ(call("get_all_env", {A("a")}), parse_term("[{k, 2}]"));
    EXPECT_EQ(call("stop", {A("a")}), A("ok"));
    EXPECT_EQ(call("stop", {A("a")}), parse_term("{error, {not_started, a}}"));
    EXPECT_EQ(call("start", {A("a")}), A("ok"));
    EXPECT_EQ(call("start", {A("a"), A("transient")}), A("ok"));
    EXPECT_EQ(call("loaded_applications", {}),
              parse_term("[{kernel, \"otpp kernel\", \"0.1.0\"}, {a, \"test application a\", "
                         "\"1.0\"}]"));
    term bad = call("start", {term(1)});
    EXPECT_EQ(bad[0], A("badrpc")) << to_string(bad);
    EXPECT_EQ(bad[1][1][0], A("badarg")) << to_string(bad);
  });
}

TEST_F(ApplicationTest, DistributionThatCannotStartFailsKernelsStartSayingWhy) {
  app::set_kernel_distribution(node,
                               dist_options{.name = "never@127.0.0.1", .cookie = "bad\ncookie"});
  node.run([] {
    term r = app::start(atom("kernel"));
    // {error, {kernel, {{shutdown, {failed_to_start_child, net_kernel, {distribution_failed,
    // <<Why>>}}}, {kernel, start, [normal, []]}}}}
    ASSERT_TRUE(r.is_tuple(2)) << to_string(r);
    const term& failed = r[1][1][0][1];
    EXPECT_EQ(failed[1], A("net_kernel")) << to_string(r);
    EXPECT_EQ(failed[2][0], A("distribution_failed")) << to_string(r);
    EXPECT_FALSE(is_distributed());
    EXPECT_TRUE(running().empty());
  });
}
