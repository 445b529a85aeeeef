// vm.args: the flags otpp uses, the BEAM-only flags it ignores, erl's word splitting,
// -args_file, ${VAR} substitution, and the errors with file, line and column.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "config/support.hpp"
#include "config/vm_args_flags.hpp"
#include "otp/config.hpp"
#include "otp/term_parse.hpp"

using namespace otp;
using namespace otp::config;
using namespace otp::config::testing;

namespace {

const env_lookup no_env = fake_env({});

vm_args parse(const std::string& text, const env_lookup& env = no_env) {
  return parse_vm_args(text, "vm.args", env);
}

std::string message(const std::string& text, const env_lookup& env = no_env) {
  return error_of([&] { parse(text, env); }).what();
}

std::optional<term> app_value(const vm_args& a, const char* app, const char* key) {
  for (const auto& [ap, env] : a.app_env)
    if (ap == atom(app))
      for (const auto& [k, v] : env)
        if (k == atom(key)) return v;
  return std::nullopt;
}

const std::string expected_flags =
    "one of -name, -sname, -setcookie, -env, -args_file, +S, +P, a BEAM flag otpp ignores "
    "(docs/config.md) or -Application Key Value";

}  // namespace

TEST(VmArgs, ReadsTheFlagsOtppUses) {
  vm_args a = parse(
      "## Name of the node\n"
      "-name kv@127.0.0.1\n"
      "-setcookie secret_cookie\n"
      "+S 2:1\n"
      "+P 1048576\n"
      "-env ERL_MAX_PORTS 4096\n");
  EXPECT_EQ(a.name, "kv@127.0.0.1");
  EXPECT_TRUE(a.long_names);
  EXPECT_EQ(a.cookie, "secret_cookie");
  EXPECT_EQ(a.schedulers, 2u);
  EXPECT_EQ(a.schedulers_online, 1u);
  EXPECT_EQ(a.max_processes, 1048576u);
  ASSERT_EQ(a.env.size(), 1u);
  EXPECT_EQ(a.env[0], std::make_pair(std::string("ERL_MAX_PORTS"), std::string("4096")));
  EXPECT_TRUE(a.ignored.empty());
}

TEST(VmArgs, AnEmptyFileSetsNothing) {
  vm_args a = parse("# only a comment\n\n");
  EXPECT_FALSE(a.name);
  EXPECT_FALSE(a.cookie);
  EXPECT_FALSE(a.schedulers);
  EXPECT_FALSE(a.max_processes);
}

TEST(VmArgs, SnameSetsShortNames) {
  vm_args a = parse("-sname b");
  EXPECT_EQ(a.name, "b");
  EXPECT_FALSE(a.long_names);
}

TEST(VmArgs, ANodeNameOrCookieGivenTwiceIsAnError) {
  EXPECT_EQ(message("-name a@h.example\n-sname b"),
            "vm.args:2:1: a second node name (-sname); the first is at vm.args:1");
  EXPECT_EQ(message("-setcookie one\n\n-setcookie two"),
            "vm.args:3:1: a second cookie (-setcookie); the first is at vm.args:1");
}

TEST(VmArgs, OfOtherFlagsGivenTwiceTheLaterWins) {
  vm_args a = parse("+P 2048 +S 2 -env X 1 -kv port 1\n+P 4096 +S 1 -env X 2 -kv port 2");
  EXPECT_EQ(a.max_processes, 4096u);
  EXPECT_EQ(a.schedulers, 1u);
  EXPECT_EQ(a.env.back(), std::make_pair(std::string("X"), std::string("2")));
  EXPECT_EQ(app_value(a, "kv", "port"), term(2));
}

TEST(VmArgs, ApplicationFlagsAreEnvironmentWithValuesInTermSyntax) {
  vm_args a = parse(
      "-kernel net_ticktime 20\n"
      "-kv_store port 7000\n"
      "-kernel logger_level info\n"
      "-kv_store peers [a@h,b@h] -kv_store offset -5\n"
      "-kv_store greeting '\"hello world\"'\n"
      "-kv_store port 7001\n");
  EXPECT_EQ(app_value(a, "kernel", "net_ticktime"), term(20));
  EXPECT_EQ(app_value(a, "kernel", "logger_level"), term(atom("info")));
  EXPECT_EQ(app_value(a, "kv_store", "port"), term(7001));
  EXPECT_EQ(app_value(a, "kv_store", "peers"), parse_term("['a@h', 'b@h']"));
  EXPECT_EQ(app_value(a, "kv_store", "offset"), term(-5));
  EXPECT_EQ(app_value(a, "kv_store", "greeting"), term::string("hello world"));
}

TEST(VmArgs, WordsSplitAsErlSplitsThem) {
  vm_args a = parse(
      "-name n@h -setcookie c   # two flags, then a comment\n"
      "-env A \"x y\" -env B it\\'s -env C a#comment\n"
      "-env D 'q\"q' -env E \"\"\n");
  ASSERT_EQ(a.env.size(), 5u);
  EXPECT_EQ(a.env[0].second, "x y");
  EXPECT_EQ(a.env[1].second, "it's");
  EXPECT_EQ(a.env[2].second, "a");  // '#' ends the word and starts a comment
  EXPECT_EQ(a.env[3].second, "q\"q");
  EXPECT_EQ(a.env[4].second, "");
  EXPECT_EQ(a.name, "n@h");
  EXPECT_EQ(a.cookie, "c");
}

TEST(VmArgs, AFlagsArgumentMayBeOnTheNextLine) {
  vm_args a = parse("-name\n  n@h\n+P\n2048");
  EXPECT_EQ(a.name, "n@h");
  EXPECT_EQ(a.max_processes, 2048u);
}

TEST(VmArgs, SchedulersTakeErlsForms) {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(parse("+S 4").schedulers, 4u);
  EXPECT_FALSE(parse("+S 4").schedulers_online);
  EXPECT_EQ(parse("+S4:2").schedulers_online, 2u);  // the value may be glued on
  EXPECT_FALSE(parse("+S 0").schedulers);           // 0: the default
  vm_args online_only = parse("+S :1");
  EXPECT_FALSE(online_only.schedulers);
  EXPECT_EQ(online_only.schedulers_online, 1u);
  if (cpus > 1) {
    EXPECT_EQ(parse("+S -1").schedulers, cpus - 1);  // the default less one
  }
  EXPECT_EQ(parse("+S 1024").schedulers, 1024u);
}

TEST(VmArgs, SchedulersOutOfErlsRangesAreErrors) {
  EXPECT_EQ(message("+S 1025"),
            "vm.args:1:4: expected Schedulers[:SchedulersOnline], each -1024..1024, after +S, "
            "found '1025'");
  EXPECT_EQ(message("\n+S two"),
            "vm.args:2:4: expected Schedulers[:SchedulersOnline], each -1024..1024, after +S, "
            "found 'two'");
  EXPECT_EQ(message("+S 2:4"), "vm.args:1:4: +S 2:4: schedulers online (4) exceeds schedulers (2)");
  EXPECT_EQ(message("+S -1024"),
            "vm.args:1:4: +S -1024: Schedulers -1024 leaves no scheduler on "
            "this machine's " +
                std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " processors");
  EXPECT_EQ(message("+S"),
            "vm.args:1:1: expected Schedulers[:SchedulersOnline], each -1024..1024, after +S, "
            "found the end of the file");
}

TEST(VmArgs, ProcessLimitMustBeInErlsRange) {
  EXPECT_EQ(parse("+P 1024").max_processes, 1024u);
  EXPECT_EQ(parse("+P134217727").max_processes, 134217727u);
  EXPECT_EQ(
      message("-name n\n+P 1023"),
      "vm.args:2:4: expected a number of processes in 1024..134217727 after +P, found '1023'");
  EXPECT_EQ(message("+P 134217728"),
            "vm.args:1:4: expected a number of processes in 1024..134217727 after +P, found "
            "'134217728'");
  EXPECT_EQ(
      message("+P lots"),
      "vm.args:1:4: expected a number of processes in 1024..134217727 after +P, found 'lots'");
}

TEST(VmArgs, BeamOnlyFlagsAreRecordedAsWrittenAndOtherwiseIgnored) {
  vm_args a = parse(
      "+K true\n+A30\n+A 64\n+sbwt none +sbt db\n+MBas aobf\n+zdbbl 8192\n+Q 65536\n"
      "-heart\n-smp auto\n-smp\n-mode embedded\n-boot start_clean\n-boot_var ROOT /opt\n"
      "+c\n+c false\n-proto_dist inet_tcp\n-start_epmd false\n+hms 233\n+SDio 4\n+fnu\n");
  std::vector<std::string> expected = {"+K true",
                                       "+A30",
                                       "+A 64",
                                       "+sbwt none",
                                       "+sbt db",
                                       "+MBas aobf",
                                       "+zdbbl 8192",
                                       "+Q 65536",
                                       "-heart",
                                       "-smp auto",
                                       "-smp",
                                       "-mode embedded",
                                       "-boot start_clean",
                                       "-boot_var ROOT /opt",
                                       "+c",
                                       "+c false",
                                       "-proto_dist inet_tcp",
                                       "-start_epmd false",
                                       "+hms 233",
                                       "+SDio 4",
                                       "+fnu"};
  EXPECT_EQ(a.ignored, expected);
  EXPECT_FALSE(a.name);
}

TEST(VmArgs, EveryIgnoredFlagIsAcceptedAndDocumented) {
  std::ifstream doc(OTPP_SOURCE_DIR "/docs/config.md");
  std::stringstream ss;
  ss << doc.rdbuf();
  const std::string docs = ss.str();
  ASSERT_FALSE(docs.empty());
  for (const auto& f : otp::config::detail::ignored_flags()) {
    std::string name(f.name);
    std::string line = name;
    if (f.args == otp::config::detail::flag_args::one ||
        f.args == otp::config::detail::flag_args::two) {
      std::string v =
          f.choices.empty() ? "1" : std::string(f.choices.substr(0, f.choices.find('|')));
      line += " " + v;
      if (f.args == otp::config::detail::flag_args::two) line += " " + v;
    }
    EXPECT_NO_THROW(parse(line)) << line;
    EXPECT_NE(docs.find("`" + name), std::string::npos) << name << " is not in docs/config.md";
  }
  for (const char* family : {"`+M", "`+s", "`+h", "`+z"})
    EXPECT_NE(docs.find(family), std::string::npos) << family;
}

TEST(VmArgs, AnUnknownFlagIsAnErrorListingWhatIsExpected) {
  EXPECT_EQ(message("-name n\n-hidden\n"),
            "vm.args:2:1: unknown flag -hidden; expected " + expected_flags);
  EXPECT_EQ(message("+Zz 1"), "vm.args:1:1: unknown flag +Zz; expected " + expected_flags);
  EXPECT_EQ(message("-config sys.config"),
            "vm.args:1:1: unknown flag -config; expected " + expected_flags);
  EXPECT_EQ(message("+MBxyz 1"), "vm.args:1:1: unknown flag +MBxyz; expected " + expected_flags);
  EXPECT_EQ(message("-name n stray"),
            "vm.args:1:9: expected a flag (" + expected_flags + "), found 'stray'");
}

TEST(VmArgs, AMissingArgumentSaysWhatWasExpected) {
  EXPECT_EQ(message("+K true\n-name"),
            "vm.args:2:1: expected a node name after -name, found the end of the file");
  EXPECT_EQ(message("-name -setcookie x"),
            "vm.args:1:7: expected a node name after -name, found -setcookie");
  EXPECT_EQ(message("-env HOME"),
            "vm.args:1:1: expected a value after -env HOME, found the end of the file");
  EXPECT_EQ(message("+A"),
            "vm.args:1:1: expected a number of async threads after +A, found the end of the file");
  EXPECT_EQ(message("+sbwt +K true"),
            "vm.args:1:7: expected a scheduler setting after +sbwt, found +K");
  EXPECT_EQ(message("-boot_var ROOT"),
            "vm.args:1:1: expected a variable name and a folder after "
            "-boot_var ROOT, found the end of the file");
  EXPECT_EQ(
      message("-kv_store port"),
      "vm.args:1:1: expected a value (a term) after -kv_store port, found the end of the file");
}

TEST(VmArgs, ArgumentsWithAFixedSetOfValuesAreChecked) {
  EXPECT_EQ(message("+K maybe"), "vm.args:1:4: expected true or false after +K, found 'maybe'");
  EXPECT_EQ(message("+Kmaybe"), "vm.args:1:1: expected true or false after +K, found 'maybe'");
  EXPECT_EQ(message("-smp disable"),
            "vm.args:1:6: expected auto or enable after -smp, found 'disable'; -smp disable is "
            "gone from erl too: use +S 1");
  EXPECT_EQ(message("-proto_dist inet_tls"),
            "vm.args:1:13: expected inet_tcp after -proto_dist, found 'inet_tls'; otpp does not "
            "take other distribution protocols from vm.args (TLS would be silently off): set "
            "otp::dist_options::tls");
}

TEST(VmArgs, PerNodeCookiesAreRefused) {
  EXPECT_EQ(message("-setcookie other@host c"),
            "vm.args:1:23: expected a flag after -setcookie other@host, found 'c' (per-node "
            "cookies, -setcookie Node Cookie, are not supported)");
}

TEST(VmArgs, AnApplicationValueThatIsNoTermIsAnErrorInsideTheValue) {
  EXPECT_EQ(message("-name n\n-kv_store peers [a,b"),
            "vm.args:2:21: the value of -kv_store peers is not a term: expected ',', '|' or ']' "
            "after a list element, found end of input");
  EXPECT_EQ(message("-kv_store greeting hello world"),
            "vm.args:1:26: expected a flag (" + expected_flags + "), found 'world'");
  EXPECT_EQ(message("-kv_store greeting \"hello world\""),  // quotes go, as in erl
            "vm.args:1:20: the value of -kv_store greeting is not a term: expected the end of "
            "input after the term, found atom world");
}

TEST(VmArgs, AnUnterminatedQuoteIsAnError) {
  EXPECT_EQ(message("-name n\n-env A \"x y\n"),
            "vm.args:2:8: expected a closing \" before the end of the file");
}

TEST(VmArgs, VariablesAreSubstitutedBeforeSplitting) {
  env_lookup env = fake_env({{"NODE", "kv@10.0.0.1"}, {"FLAGS", "+K true +A 8"}});
  vm_args a = parse("-name ${NODE}\n${FLAGS}\n", env);
  EXPECT_EQ(a.name, "kv@10.0.0.1");
  EXPECT_EQ(a.ignored, (std::vector<std::string>{"+K true", "+A 8"}));
  EXPECT_EQ(message("-setcookie c\n-name ${NODE_NAME}\n", env),
            "vm.args:2:7: environment variable NODE_NAME is not set (used as ${NODE_NAME})");
}

TEST(VmArgs, ArgsFileIsReadInPlaceRelativeToTheIncludingFile) {
  temp_dir dir;
  dir.write("conf/common.args", "-setcookie common\n+P 4096 -kv_store port 1\n");
  std::string main =
      dir.write("vm.args", "-name a@h\n-args_file conf/common.args\n-kv_store port 2\n");
  vm_args a = read_vm_args(main, no_env);
  EXPECT_EQ(a.name, "a@h");
  EXPECT_EQ(a.cookie, "common");
  EXPECT_EQ(a.max_processes, 4096u);
  EXPECT_EQ(app_value(a, "kv_store", "port"), term(2));
}

TEST(VmArgs, ErrorsInAnArgsFileNameThatFile) {
  temp_dir dir;
  std::string inner = dir.write("inner.args", "+K true\n+P 10\n");
  std::string main = dir.write("vm.args", "-args_file inner.args\n");
  EXPECT_EQ(std::string(error_of([&] { read_vm_args(main, no_env); }).what()),
            inner + ":2:4: expected a number of processes in 1024..134217727 after +P, found '10'");
}

TEST(VmArgs, AnArgsFileCycleIsAnError) {
  temp_dir dir;
  std::string a = dir.write("a.args", "-args_file b.args");
  std::string b = dir.write("b.args", "+K true\n-args_file a.args");
  EXPECT_EQ(std::string(error_of([&] { read_vm_args(a, no_env); }).what()),
            b + ":2:12: -args_file cycle: " + a + " -> " + b + " -> " + a);
}

TEST(VmArgs, AMissingArgsFileIsAnErrorAtTheFlag) {
  temp_dir dir;
  std::string main = dir.write("vm.args", "\n-args_file gone.args");
  EXPECT_EQ(std::string(error_of([&] { read_vm_args(main, no_env); }).what()),
            main + ":2:12: cannot read the -args_file " + (dir.path() / "gone.args").string() +
                ": No such file or directory");
}
