// The application environment: descriptor defaults < apply_config < set_env, whenever each
// was given; reads without the controller (from a start callback, from outside processes).

#include <otp/term_parse.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace app_test;

namespace {

term env(const char* app, const char* key) {
  return app::get_env(atom(app), atom(key), A("unset"));
}

config::env_list defaults() {
  return {{atom("k1"), A("default")},
          {atom("k2"), A("default")},
          {atom("k3"), A("default")},
          {atom("k4"), A("default")}};
}

}  // namespace

TEST_F(ApplicationTest, ConfigurationBeatsDefaultsAndSetEnvBeatsBothWhateverTheOrder) {
  node.run([] {
    app::apply_config({{atom("a"), {{atom("k1"), A("config")}, {atom("k3"), A("config")}}}});
    app::set_env(atom("a"), atom("k2"), A("set"));
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    EXPECT_EQ(env("a", "k1"), A("config"));
    EXPECT_EQ(env("a", "k2"), A("set"));
    EXPECT_EQ(env("a", "k3"), A("config"));
    EXPECT_EQ(env("a", "k4"), A("default"));
    EXPECT_EQ(env("a", "k5"), A("unset"));

    app::set_env(atom("a"), atom("k3"), A("set"));
    EXPECT_EQ(env("a", "k3"), A("set"));
    app::apply_config({{atom("a"), {{atom("k3"), A("config2")}}}});  // the latest word
    EXPECT_EQ(env("a", "k3"), A("config2"));
  });
}

TEST_F(ApplicationTest, GetAllEnvListsEveryKeyOnceWithItsWinningValue) {
  node.run([] {
    app::apply_config({{atom("a"), {{atom("k1"), A("config")}, {atom("extra"), 1}}}});
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    app::set_env(atom("a"), atom("k2"), A("set"));
    app::unset_env(atom("a"), atom("k4"));
    config::env_list expected = {{atom("k1"), A("config")},
                                 {atom("k2"), A("set")},
                                 {atom("k3"), A("default")},
                                 {atom("extra"), term(1)}};
    EXPECT_EQ(app::get_all_env(atom("a")), expected);
    EXPECT_EQ(app::get_all_env(atom("nobody")), config::env_list{});
  });
}

TEST_F(ApplicationTest, UnsetEnvHidesTheKeyUntilItIsSetAgain) {
  node.run([] {
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    app::unset_env(atom("a"), atom("k1"));
    EXPECT_EQ(app::get_env(atom("a"), atom("k1")), std::nullopt);
    app::set_env(atom("a"), atom("k1"), 7);
    EXPECT_EQ(env("a", "k1"), term(7));
  });
}

TEST_F(ApplicationTest, UnloadForgetsDefaultsAndSetEnvButKeepsConfigurationForTheNextLoad) {
  node.run([] {
    app::apply_config({{atom("a"), {{atom("k1"), A("config")}}}});
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    app::set_env(atom("a"), atom("k2"), A("set"));
    ASSERT_EQ(app::unload(atom("a")), term(atoms::ok));
    EXPECT_EQ(env("a", "k1"), A("config"));
    EXPECT_EQ(env("a", "k2"), A("unset"));
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    EXPECT_EQ(env("a", "k2"), A("default"));
  });
}

TEST_F(ApplicationTest, AStartCallbackReadsItsEnvironment) {
  node.run([] {
    ASSERT_EQ(app::load(test_app("a", {.mode = "env", .env = {{atom("probe"), 42}}})),
              term(atoms::ok));
    ASSERT_EQ(app::start(atom("a")), term(atoms::ok));
  });
  EXPECT_EQ(journal::entries().at(1), "env:42");
}

TEST_F(ApplicationTest, TheEnvironmentWorksFromOutsideProcessesWithOneNode) {
  app::apply_config({{atom("a"), {{atom("k1"), A("config")}}}});
  app::set_env(atom("a"), atom("k2"), A("set"));
  EXPECT_EQ(env("a", "k1"), A("config"));
  node.run([] {
    ASSERT_EQ(app::load(test_app("a", {.env = defaults()})), term(atoms::ok));
    EXPECT_EQ(env("a", "k2"), A("set"));
  });
  EXPECT_EQ(env("a", "k3"), A("default"));
}

TEST_F(ApplicationTest, TheEnvironmentBelongsToItsNode) {
  node.run([] { app::set_env(atom("a"), atom("k1"), 1); });
  node.shutdown();
  otp::node second({.schedulers = 1});
  second.run([] { EXPECT_EQ(app::get_env(atom("a"), atom("k1")), std::nullopt); });
}
