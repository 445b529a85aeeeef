// Tricky cases checked against a real erl (skipped when erl is not installed): how sys.config
// includes override, and how vm.args words become application environment.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "config/support.hpp"
#include "otp/config.hpp"
#include "otp/term_parse.hpp"

using namespace otp;
using namespace otp::config;
using namespace otp::config::testing;

namespace {

// Loads a stub `myapp` in erl with these flags and returns its environment, sorted by key.
term erl_env(const std::string& flags, const std::string& cwd) {
  std::string eval =
      "ok = application:load({application, myapp, [{vsn, \"1\"}]}), "
      "io:format(\"~p.~n\", [lists:sort(application:get_all_env(myapp))]), halt().";
  std::string out = run("cd '" + cwd + "' && erl -noshell " + flags + " -eval '" + eval + "' 2>&1");
  return parse_term(out);
}

// Our environment of `myapp`, as erl's sorted list of {Key, Value}.
term our_env(const app_envs& envs) {
  std::vector<term> pairs;
  for (const auto& [app, env] : envs)
    if (app == atom("myapp"))
      for (const auto& [k, v] : env) pairs.push_back(tuple(k, v));
  std::sort(pairs.begin(), pairs.end());
  return term::list(pairs);
}

}  // namespace

TEST(ErlCompat, IncludesOverrideInPlaceAndResolveBesideTheIncludingFile) {
  if (!have_erl()) GTEST_SKIP() << "erl is not on PATH";
  temp_dir dir;
  dir.write("rel/early.config", "[{myapp, [{a, early}, {b, early}, {c, early}]}].");
  dir.write("rel/late.config", "[{myapp, [{c, late}, {d, late}]}].");
  std::string sys =
      dir.write("rel/sys.config", "[\"early\", {myapp, [{b, main}, {c, main}]}, \"late.config\"].");
  std::filesystem::create_directories(dir.path() / "elsewhere");
  term erl = erl_env("-config " + sys, (dir.path() / "elsewhere").string());
  EXPECT_EQ(our_env(read_sys_config(sys, fake_env({}))), erl) << to_string(erl);
  EXPECT_EQ(to_string(erl), "[{a,early},{b,main},{c,late},{d,late}]");
}

TEST(ErlCompat, VmArgsWordsBecomeTheSameApplicationEnvironment) {
  if (!have_erl()) GTEST_SKIP() << "erl is not on PATH";
  temp_dir dir;
  std::string args = dir.write("vm.args",
                               "# comment\n"
                               "-myapp a 20 -myapp b '\"two words\"'  # trailing\n"
                               "-myapp c {x,\\ [1,2]} -myapp d \"'Quoted'\"\n"
                               "-myapp e \\#{k=>v}\n");
  term erl = erl_env("-args_file " + args, dir.path().string());
  EXPECT_EQ(our_env(read_vm_args(args, fake_env({})).app_env), erl) << to_string(erl);
}
