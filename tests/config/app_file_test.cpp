// .app descriptors: every key, the errors with their places, and writing text that reads
// back equal.

#include <gtest/gtest.h>

#include <string>

#include "config/support.hpp"
#include "otp/application.hpp"
#include "otp/term_parse.hpp"

using namespace otp;
using namespace otp::application;
using otp::config::config_error;
using otp::config::testing::error_of;
using otp::config::testing::temp_dir;

namespace {

std::string message(const std::string& text) {
  return error_of([&] { parse_descriptor(text, "kv.app"); }).what();
}

void expect_equal(const descriptor& a, const descriptor& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.vsn, b.vsn);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.applications, b.applications);
  EXPECT_EQ(a.optional_applications, b.optional_applications);
  EXPECT_EQ(a.registered, b.registered);
  EXPECT_EQ(a.env, b.env);
  EXPECT_EQ(a.mod, b.mod);
}

const char* const header_example = R"(%% kv_store.app
{application, kv_store,
 [{description, "key-value store"}, {vsn, "1.0.0"},
  {applications, [kernel]}, {env, [{max_keys, 1000}]},
  {mod, {kv_store_app, []}}]}.
)";

}  // namespace

TEST(AppFile, ParsesTheExampleOfTheHeader) {
  descriptor d = parse_descriptor(header_example);
  EXPECT_EQ(d.name, atom("kv_store"));
  EXPECT_EQ(d.description, "key-value store");
  EXPECT_EQ(d.vsn, "1.0.0");
  EXPECT_EQ(d.applications, std::vector<atom>{atom("kernel")});
  ASSERT_EQ(d.env.size(), 1u);
  EXPECT_EQ(d.env[0].first, atom("max_keys"));
  EXPECT_EQ(d.env[0].second, term(1000));
  ASSERT_TRUE(d.mod);
  EXPECT_EQ(d.mod->first, atom("kv_store_app"));
  EXPECT_EQ(d.mod->second, term());
}

TEST(AppFile, ReadsEveryKeyAndAcceptsTheOnesOtppDoesNotUse) {
  descriptor d = parse_descriptor(R"({application, web,
    [{description, ""}, {id, "w1"}, {vsn, "2.1"}, {modules, [web_app, web_sup]},
     {maxP, infinity}, {maxT, 5000}, {registered, [web_sup, web_cache]},
     {included_applications, []}, {optional_applications, [metrics]},
     {applications, [kernel, stdlib, metrics]}, {env, [{port, 80}, {port, 8080}]},
     {start_phases, [{init, []}]}, {runtime_dependencies, ["kernel-8.0", "stdlib-4.0"]}]}.)");
  EXPECT_EQ(d.description, "");
  EXPECT_EQ(d.vsn, "2.1");
  EXPECT_EQ(d.registered, (std::vector<atom>{atom("web_sup"), atom("web_cache")}));
  EXPECT_EQ(d.optional_applications, std::vector<atom>{atom("metrics")});
  EXPECT_EQ(d.applications.size(), 3u);
  ASSERT_EQ(d.env.size(), 1u);  // a key twice in env: the later wins, as erl loads it
  EXPECT_EQ(d.env[0].second, term(8080));
  EXPECT_FALSE(d.mod);  // a library application
}

TEST(AppFile, AnUnknownKeyIsAnErrorAtTheKey) {
  EXPECT_EQ(message("{application, kv,\n [{vsn, \"1\"},\n  {vsm, \"1\"}]}."),
            "kv.app:3:4: unknown key vsm; expected one of description, id, vsn, modules, maxP, "
            "maxT, registered, included_applications, optional_applications, applications, env, "
            "mod, start_phases, runtime_dependencies");
}

TEST(AppFile, AMissingVsnIsAnError) {
  EXPECT_EQ(message("{application, kv,\n [{description, \"x\"}]}."),
            "kv.app:2:2: expected a {vsn, Version} property, found none");
}

TEST(AppFile, WrongTypesAreErrorsAtTheValue) {
  EXPECT_EQ(message("{application, kv, [{vsn, '1.0'}]}."),
            "kv.app:1:26: expected a string as vsn, found '1.0'");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"},\n {applications, [kernel, \"stdlib\"]}]}."),
            "kv.app:2:26: expected a list of atoms as applications, found \"stdlib\"");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, {registered, kv_sup}]}."),
            "kv.app:1:45: expected a list of atoms as registered, found kv_sup");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, {mod, kv_app}]}."),
            "kv.app:1:38: expected {Module, StartArgs} as mod, found kv_app");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, {env, [{\"k\", 1}]}]}."),
            "kv.app:1:39: expected a list of {Key, Value} with atom keys as env, found {\"k\",1}");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, {maxT, -1}]}."),
            "kv.app:1:39: expected a non-negative integer or infinity as maxT, found -1");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, {description, 42}]}."),
            "kv.app:1:46: expected a string as description, found 42");
}

TEST(AppFile, TheOuterShapeIsChecked) {
  EXPECT_EQ(message("{app, kv, []}."),
            "kv.app:1:1: expected {application, Name, [{Key, Value}]}, found {app,kv,[]}");
  EXPECT_EQ(message("{application, \"kv\", []}."),
            "kv.app:1:15: expected an application name (an atom), found \"kv\"");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}, vsn]}."),
            "kv.app:1:32: expected {Key, Value} with an atom Key, found vsn");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"},\n {vsn, \"2\"}]}."),
            "kv.app:2:2: the key vsn appears twice");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}]}"),
            "kv.app:1:32: expected '.' after the term, found end of input");
  EXPECT_EQ(message("{application, kv, [{vsn, \"1\"}]}.\n{application, kv2, []}."),
            "kv.app:2:1: expected one term, found a second one: {application,kv2,[]}");
  EXPECT_EQ(message(""),
            "kv.app:1:1: expected {application, Name, [{Key, Value}]} ending with '.', found the "
            "end of the file");
}

TEST(AppFile, FormatWritesTextThatReadsBackEqual) {
  descriptor d;
  d.name = atom("My App");
  d.vsn = "1.0.0-rc.1+build.5";
  d.description = "a \"quoted\" \\ description,\nover lines\twith tabs, \x01, ünïcödé and 日本";
  d.applications = {atom("kernel"), atom("Stdlib"), atom("with space")};
  d.optional_applications = {atom("metrics")};
  d.registered = {atom("my_sup")};
  d.env = {
      {atom("port"), term(7000)},
      {atom("Key"), parse_term("#{<<\"bin\">> => [1.5, -2, \"str\", 'atom q'], {} => <<1:3>>}")},
      {atom("big"), parse_term("-123456789012345678901234567890")},
      {atom("fun"), parse_term("fun lists:map/2")},
      {atom("text"), term::string("日本 \"x\"")}};
  d.mod = std::make_pair(atom("my_app"), parse_term("[{a, 'B'}, \"s\"]"));
  std::string text = format_descriptor(d);
  expect_equal(parse_descriptor(text), d);

  descriptor minimal;
  minimal.name = atom("lib");
  minimal.vsn = "0.1";
  expect_equal(parse_descriptor(format_descriptor(minimal)), minimal);
}

TEST(AppFile, FormatLooksLikeAHandWrittenAppFile) {
  EXPECT_EQ(format_descriptor(parse_descriptor(header_example)),
            "{application, kv_store,\n"
            " [{description, \"key-value store\"},\n"
            "  {vsn, \"1.0.0\"},\n"
            "  {registered, []},\n"
            "  {applications, [kernel]},\n"
            "  {env, [{max_keys, 1000}]},\n"
            "  {mod, {kv_store_app, []}}]}.\n");
}

TEST(AppFile, FormatRefusesValuesTermSyntaxCannotWrite) {
  descriptor d;
  d.name = atom("x");
  d.vsn = "1";
  d.env = {{atom("owner"), term(pid::from_fields(atom(), 5, 0, 0))}};
  EXPECT_THROW(format_descriptor(d), std::invalid_argument);
  d.env.clear();
  d.vsn = "\xff";
  EXPECT_THROW(format_descriptor(d), std::invalid_argument);
}

TEST(AppFile, ReadDescriptorReadsAFileAndNamesItInErrors) {
  temp_dir dir;
  std::string path = dir.write("kv_store.app", header_example);
  EXPECT_EQ(read_descriptor(path).name, atom("kv_store"));
  std::string bad = dir.write("bad.app", "{application, bad,\n [{vsn, 1}]}.");
  EXPECT_EQ(std::string(error_of([&] { read_descriptor(bad); }).what()),
            bad + ":2:9: expected a string as vsn, found 1");
  std::string gone = (dir.path() / "gone.app").string();
  config_error e = error_of([&] { read_descriptor(gone); });
  EXPECT_EQ(std::string(e.what()), gone + ": cannot read the file: No such file or directory");
  EXPECT_EQ(e.line(), 0u);
}
