// sys.config: entries, overrides, includes, ${VAR} substitution and the errors, each with
// its file, line and column.

#include <gtest/gtest.h>

#include <string>

#include "config/support.hpp"
#include "otp/config.hpp"
#include "otp/term_parse.hpp"

using namespace otp;
using namespace otp::config;
using namespace otp::config::testing;

namespace {

const env_lookup no_env = fake_env({});

app_envs parse(const std::string& text, const env_lookup& env = no_env) {
  return parse_sys_config(text, "sys.config", env);
}

config_error parse_error(const std::string& text, const env_lookup& env = no_env) {
  return error_of([&] { parse(text, env); });
}

// The value of app/key, or nothing.
std::optional<term> lookup(const app_envs& envs, const char* app, const char* key) {
  for (const auto& [a, env] : envs)
    if (a == atom(app))
      for (const auto& [k, v] : env)
        if (k == atom(key)) return v;
  return std::nullopt;
}

std::string keys_of(const app_envs& envs, const char* app) {
  std::string out;
  for (const auto& [a, env] : envs)
    if (a == atom(app))
      for (const auto& [k, v] : env) out += std::string(k.name()) + " ";
  return out;
}

}  // namespace

TEST(SysConfig, ReadsEachApplicationsEnvironmentInFileOrder) {
  app_envs envs = parse(R"([{kernel, [{logger_level, info}]},
                            {kv_store, [{port, 7000}, {name, "kv"}, {opts, #{a => <<"b">>}}]}].)");
  ASSERT_EQ(envs.size(), 2u);
  EXPECT_EQ(envs[0].first, atom("kernel"));
  EXPECT_EQ(envs[1].first, atom("kv_store"));
  EXPECT_EQ(keys_of(envs, "kv_store"), "port name opts ");
  EXPECT_EQ(lookup(envs, "kv_store", "port"), term(7000));
  EXPECT_EQ(lookup(envs, "kv_store", "name"), term::string("kv"));
  EXPECT_EQ(lookup(envs, "kv_store", "opts"), parse_term("#{a => <<\"b\">>}"));
}

TEST(SysConfig, ALaterEntryOverridesAnEarlierOneKeyByKey) {
  app_envs envs = parse("[{app, [{a, 1}, {b, 2}]}, {other, []}, {app, [{b, 3}, {c, 4}]}].");
  EXPECT_EQ(lookup(envs, "app", "a"), term(1));
  EXPECT_EQ(lookup(envs, "app", "b"), term(3));
  EXPECT_EQ(lookup(envs, "app", "c"), term(4));
  EXPECT_EQ(keys_of(envs, "app"), "a b c ");  // a replaced key keeps its first place
  ASSERT_EQ(envs.size(), 2u);                 // an application listed with [] is listed
  EXPECT_EQ(envs[1].first, atom("other"));
}

TEST(SysConfig, AnEmptyListIsAnEmptyConfiguration) {
  EXPECT_TRUE(parse("%% nothing yet\n[].\n").empty());
}

TEST(SysConfig, AnElementThatIsNoEntryIsAnErrorAtItsLineAndColumn) {
  config_error e = parse_error("[\n  {kernel, []},\n  {kv_store, [{port, 7000}]},\n  42\n].");
  EXPECT_EQ(std::string(e.what()),
            "sys.config:4:3: expected {Application, [{Key, Value}]}, a file name or "
            "{include, File}, found 42");
  EXPECT_EQ(e.file(), "sys.config");
  EXPECT_EQ(e.line(), 4u);
  EXPECT_EQ(e.column(), 3u);
}

TEST(SysConfig, SemanticErrorsPointAtTheOffendingPart) {
  EXPECT_EQ(std::string(parse_error("[{kv, [{port, 1}, port]}].").what()),
            "sys.config:1:19: expected {Key, Value} in the environment of kv, found port");
  EXPECT_EQ(std::string(parse_error("[{kv,\n  [{\"port\", 1}]}].").what()),
            "sys.config:2:5: expected a key (an atom) in the environment of kv, found \"port\"");
  EXPECT_EQ(std::string(parse_error("[{kv, 42}].").what()),
            "sys.config:1:7: expected the environment of kv as a list of {Key, Value}, found 42");
  EXPECT_EQ(std::string(parse_error("[{kv, \"abc\"}].").what()),
            "sys.config:1:7: expected the environment of kv as a list of {Key, Value}, found "
            "\"abc\"");
  EXPECT_EQ(std::string(parse_error("[{\"kv\", []}].").what()),
            "sys.config:1:3: expected an application name (an atom), found \"kv\"");
  EXPECT_EQ(std::string(parse_error("{kv, []}.").what()),
            "sys.config:1:1: expected a list of {Application, [{Key, Value}]}, a file name or "
            "{include, File}, found {kv,[]}");
  EXPECT_EQ(std::string(parse_error("[{kv, [{a, 1} | tail]}].").what()),
            "sys.config:1:17: expected the environment of kv as a list of {Key, Value} (a proper "
            "list), found the tail tail");
}

TEST(SysConfig, AKeyTwiceInOneApplicationsListIsAnErrorAsInErl) {
  EXPECT_EQ(std::string(parse_error("[{kv, [{port, 1},\n       {port, 2}]}].").what()),
            "sys.config:2:9: duplicate key port in the environment of kv (first at line 1)");
}

TEST(SysConfig, SyntaxErrorsNameTheFileLineAndColumn) {
  EXPECT_EQ(std::string(parse_error("[{kv, [{port, 1}}].").what()),
            "sys.config:1:17: expected ',', '|' or ']' after a list element, found '}'");
  EXPECT_EQ(std::string(parse_error("[{kv, []}]\n").what()),
            "sys.config:2:1: expected '.' after the term, found end of input");
  EXPECT_EQ(std::string(parse_error("").what()),
            "sys.config:1:1: expected a list of {Application, [{Key, Value}]}, a file name or "
            "{include, File} ending with '.', found the end of the file");
  EXPECT_EQ(std::string(parse_error("[].\n[{kv, []}].").what()),
            "sys.config:2:1: expected one list ending with '.', found a second term [{kv,[]}]");
}

TEST(SysConfig, AMissingFileIsAnErrorAboutTheWholeFile) {
  temp_dir dir;
  std::string path = (dir.path() / "absent.config").string();
  config_error e = error_of([&] { read_sys_config(path, no_env); });
  EXPECT_EQ(std::string(e.what()), path + ": cannot read the file: No such file or directory");
  EXPECT_EQ(e.line(), 0u);
}

TEST(SysConfig, AStringElementIncludesAConfigFileBesideTheIncludingOne) {
  temp_dir dir;
  dir.write("rel/base.config", "[{kv, [{port, 1}, {host, \"a\"}]}].");
  dir.write("rel/extra.config", "[{kv, [{extra, true}]}].");
  std::string sys = dir.write("rel/sys.config", "[\"base\", \"extra.config\", {kv, [{port, 2}]}].");
  app_envs envs = read_sys_config(sys, no_env);  // the working folder is elsewhere
  EXPECT_EQ(lookup(envs, "kv", "port"), term(2));
  EXPECT_EQ(lookup(envs, "kv", "host"), term::string("a"));
  EXPECT_EQ(lookup(envs, "kv", "extra"), term(true));
}

TEST(SysConfig, IncludedEntriesCountAtThePlaceOfTheInclude) {
  temp_dir dir;
  dir.write("over.config", "[{kv, [{port, from_include}]}].");
  std::string sys = dir.write("sys.config", "[{kv, [{port, 1}, {keep, 1}]}, \"over\"].");
  app_envs envs = read_sys_config(sys, no_env);
  EXPECT_EQ(lookup(envs, "kv", "port"), term(atom("from_include")));
  EXPECT_EQ(lookup(envs, "kv", "keep"), term(1));
}

TEST(SysConfig, AnIncludeTupleTakesTheNameAsWrittenAndMayNest) {
  temp_dir dir;
  dir.write("conf/secrets.cfg", "[{kv, [{password, \"s3cret\"}]}].");
  dir.write("conf/inner.config", "[{include, \"secrets.cfg\"}, {kv, [{inner, 1}]}].");
  std::string sys = dir.write("sys.config", "[{include, \"conf/inner.config\"}].");
  app_envs envs = read_sys_config(sys, no_env);
  EXPECT_EQ(lookup(envs, "kv", "password"), term::string("s3cret"));
  EXPECT_EQ(lookup(envs, "kv", "inner"), term(1));
}

TEST(SysConfig, AnIncludeWithAnAbsolutePathIsReadFromThere) {
  temp_dir a, b;
  std::string other = b.write("other.config", "[{kv, [{x, 1}]}].");
  std::string sys = a.write("sys.config", "[{include, \"" + other + "\"}].");
  EXPECT_EQ(lookup(read_sys_config(sys, no_env), "kv", "x"), term(1));
}

TEST(SysConfig, AnIncludeCycleIsAnErrorNamingTheChain) {
  temp_dir dir;
  std::string a = dir.write("a.config", "[\"b\"].");
  std::string b = dir.write("b.config", "[{kv, []},\n \"a\"].");
  config_error e = error_of([&] { read_sys_config(a, no_env); });
  EXPECT_EQ(std::string(e.what()), b + ":2:2: include cycle: " + a + " -> " + b + " -> " + a);
}

TEST(SysConfig, AMissingIncludedFileIsAnErrorAtTheInclude) {
  temp_dir dir;
  std::string sys = dir.write("sys.config", "[{kv, []},\n  {include, \"nope.config\"}].");
  config_error e = error_of([&] { read_sys_config(sys, no_env); });
  EXPECT_EQ(std::string(e.what()), sys + ":2:13: cannot read the included file " +
                                       (dir.path() / "nope.config").string() +
                                       ": No such file or directory");
}

TEST(SysConfig, AnErrorInAnIncludedFileNamesThatFile) {
  temp_dir dir;
  std::string inc = dir.write("inc.config", "[{kv,\n [{port, 1}, oops]}].");
  std::string sys = dir.write("sys.config", "[\"inc\"].");
  config_error e = error_of([&] { read_sys_config(sys, no_env); });
  EXPECT_EQ(std::string(e.what()),
            inc + ":2:14: expected {Key, Value} in the environment of kv, found oops");
}

TEST(SysConfig, AnIncludeNamedIncludeWithAnEmptyListIsAnApplicationsEnvironment) {
  app_envs envs = parse("[{include, []}].");
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_EQ(envs[0].first, atom("include"));
}

TEST(SysConfig, VariablesAreSubstitutedBeforeParsing) {
  env_lookup env = fake_env({{"PORT", "7000"}, {"HOST", "db.local"}, {"LEVEL", "debug"}});
  app_envs envs = parse(
      "[{kv, [{port, ${PORT}}, {host, \"${HOST}:${PORT}\"}]},\n"
      " {kernel, [{logger_level, ${LEVEL}}]}].",
      env);
  EXPECT_EQ(lookup(envs, "kv", "port"), term(7000));
  EXPECT_EQ(lookup(envs, "kv", "host"), term::string("db.local:7000"));
  EXPECT_EQ(lookup(envs, "kernel", "logger_level"), term(atom("debug")));
}

TEST(SysConfig, AnUnsetVariableIsAnErrorNamingItAndItsLine) {
  EXPECT_EQ(std::string(parse_error("[{kv,\n  [{port, ${KV_PORT}}]}].").what()),
            "sys.config:2:11: environment variable KV_PORT is not set (used as ${KV_PORT})");
}

TEST(SysConfig, ErrorsAfterASubstitutionPointIntoTheTextAsWritten) {
  env_lookup env = fake_env({{"PORT", "7000"}, {"OPEN", "[1,"}, {"TWO", "1 2"}});
  // Column 33 in the file; the substituted text has it 3 characters earlier.
  EXPECT_EQ(std::string(parse_error("[{kv, [{port, ${PORT}}, {b, 1}, 42]}].", env).what()),
            "sys.config:1:33: expected {Key, Value} in the environment of kv, found 42");
  // An error just after a substituted value points at the text after the }.
  EXPECT_EQ(std::string(parse_error("[{kv, [{b, ${OPEN}}]}].", env).what()),
            "sys.config:1:19: expected a term, found '}'");
  // An error inside a substituted value points at its ${.
  EXPECT_EQ(std::string(parse_error("[{kv, [{b, ${TWO}}]}].", env).what()),
            "sys.config:1:12: expected ',' or '}' after a tuple element, found integer 2");
}

TEST(SysConfig, OnlyDollarBraceNameBraceIsAVariable) {
  app_envs envs = parse("[{kv, [{a, \"$HOME ${} ${1x} ${a b}\"}, {c, $$}]}].");
  EXPECT_EQ(lookup(envs, "kv", "a"), term::string("$HOME ${} ${1x} ${a b}"));
  EXPECT_EQ(lookup(envs, "kv", "c"), term('$' + 0));
}

TEST(SysConfig, ParseSysConfigAnchorsIncludesAtTheFileItIsGiven) {
  temp_dir dir;
  dir.write("inc.config", "[{kv, [{x, 1}]}].");
  app_envs envs = parse_sys_config("[\"inc\"].", (dir.path() / "virtual.config").string(), no_env);
  EXPECT_EQ(lookup(envs, "kv", "x"), term(1));
}

TEST(Merge, ReplacesAKeyInPlaceAndAddsNewOnesAtTheEnd) {
  app_envs envs;
  merge(envs, atom("a"), atom("x"), term(1));
  merge(envs, atom("b"), atom("y"), term(2));
  merge(envs, atom("a"), atom("z"), term(3));
  merge(envs, atom("a"), atom("x"), term(4));
  EXPECT_EQ(keys_of(envs, "a"), "x z ");
  EXPECT_EQ(lookup(envs, "a", "x"), term(4));

  app_envs more{{atom("b"), {{atom("y"), term(5)}}}, {atom("c"), {}}};
  merge(envs, more);
  EXPECT_EQ(lookup(envs, "b", "y"), term(5));
  ASSERT_EQ(envs.size(), 3u);
  EXPECT_EQ(envs[2].first, atom("c"));
}

TEST(OsEnvironment, ReadsTheProcessEnvironment) {
  ::setenv("OTPP_CONFIG_TEST_VAR", "hello", 1);
  env_lookup env = os_environment();
  EXPECT_EQ(env("OTPP_CONFIG_TEST_VAR"), "hello");
  EXPECT_EQ(env("OTPP_CONFIG_TEST_UNSET_VAR"), std::nullopt);
  ::unsetenv("OTPP_CONFIG_TEST_VAR");
}
