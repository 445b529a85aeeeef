// A release as users get it: the tarball unpacked in a fresh directory, bin/reltest
// driven as an operator would. Waiting is on processes and pipes, never a sleep.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dist/support.hpp"

namespace {

using namespace otp::test;
namespace fs = std::filesystem;

struct outcome {
  int status = -1;  // exit status, or -1 when it did not exit in time
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Running, as opposed to gone or a zombie no one reaped yet.
bool running(pid_t pid) {
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

class Release : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new temp_dir();
    root_ = dir_->path + "/reltest";
    fs::create_directories(root_);
    outcome o = run_in({"tar", "-xzf", OTPP_TEST_RELEASE_TARBALL, "-C", root_}, {});
    ASSERT_EQ(o.status, 0) << o.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void TearDown() override {
    // A test that failed half-way must not leave its node running.
    run({"stop"});
  }

  static outcome run_in(const std::vector<std::string>& argv,
                        const std::map<std::string, std::string>& env, milliseconds timeout = 60s) {
    child_process p(argv, env);
    outcome o;
    while (auto line = p.read_line(timeout)) o.out += *line + "\n";
    o.err = p.drain_stderr(1s);
    auto st = p.wait(timeout);
    if (st && WIFEXITED(*st)) o.status = WEXITSTATUS(*st);
    return o;
  }
  outcome run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), root_ + "/bin/reltest");
    for (auto& [k, v] : env_) env.emplace(k, v);
    return run_in(args, env);
  }
  // Runs `bin/reltest remote` with `input` on its standard input.
  outcome remote(const std::string& input) {
    std::string script = "printf '%s' \"$INPUT\" | '" + root_ + "/bin/reltest' remote";
    auto env = env_;
    env["INPUT"] = input;
    return run_in({"sh", "-c", script}, env);
  }
  void start() {
    outcome o = run({"start"});
    ASSERT_EQ(o.status, 0) << o.out << o.err;
  }
  std::string log() { return slurp(root_ + "/log/reltest.log"); }

  static inline temp_dir* dir_ = nullptr;
  static inline std::string root_;
  std::map<std::string, std::string> env_;
};

TEST_F(Release, TheTarballHoldsTheLayoutOfAnOtpRelease) {
  for (const char* f :
       {"bin/reltest", "otpp-0.1.0/bin/otpp_node", "releases/RELEASES", "releases/start_erl.data",
        "releases/COOKIE", "releases/1.0.0/reltest.rel", "releases/1.0.0/reltest.boot",
        "releases/1.0.0/sys.config", "releases/1.0.0/vm.args", "lib/rt_core-1.0.0/ebin/rt_core.app",
        "lib/rt_core-1.0.0/ebin/rt_core.so", "lib/rt_edge-1.0.0/ebin/rt_edge.so"}) {
    EXPECT_TRUE(fs::exists(root_ + "/" + f)) << f;
  }
  EXPECT_EQ(slurp(root_ + "/releases/start_erl.data"), "0.1.0 1.0.0\n");
  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/releases/COOKIE").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_GE(slurp(root_ + "/releases/COOKIE").size(), 20u);
  // Dependencies first: kernel, then rt_core, then rt_edge (listed first in the release).
  std::string boot = slurp(root_ + "/releases/1.0.0/reltest.boot");
  EXPECT_LT(boot.find("kernel"), boot.find("rt_core"));
  EXPECT_LT(boot.find("rt_core"), boot.find("rt_edge"));
  EXPECT_NE(slurp(root_ + "/releases/RELEASES").find("permanent"), std::string::npos);
}

TEST_F(Release, TheRuntimeFindsEveryLibraryItNeedsInsideTheRelease) {
  outcome o = run_in({"ldd", root_ + "/otpp-0.1.0/bin/otpp_node"}, {});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out.find("not found"), std::string::npos) << o.out;
  std::istringstream lines(o.out);
  for (std::string line; std::getline(lines, line);) {
    // Everything but glibc's own libraries resolves into the release's otpp-VSN/lib.
    if (line.find("=> /") == std::string::npos) continue;
    bool glibc = false;
    for (const char* g : {"libc.so", "libm.so", "ld-linux", "libpthread", "libdl.so", "librt.so"})
      glibc = glibc || line.find(g) != std::string::npos;
    if (!glibc) {
      EXPECT_NE(line.find(root_ + "/otpp-0.1.0/"), std::string::npos) << line;
    }
  }
}

TEST_F(Release, AnUnknownCommandPrintsTheUsageAndExitsOne) {
  outcome o = run({"frobnicate"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("Unknown command: frobnicate"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("Usage: reltest"), std::string::npos) << o.err;
  EXPECT_EQ(run({}).status, 1);
}

TEST_F(Release, PingWithoutARunningNodeExitsOne) {
  outcome o = run({"ping"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("not responding to pings"), std::string::npos) << o.err;
}

TEST_F(Release, VersionsListsTheInstalledReleaseAsCurrent) {
  outcome o = run({"versions"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("* 1.0.0\tpermanent"), std::string::npos) << o.out;
}

TEST_F(Release, StartRunsADaemonThatAnswersPingPidAndEvalThenStopsInReverseOrder) {
  start();
  outcome ping = run({"ping"});
  EXPECT_EQ(ping.status, 0) << ping.err;
  EXPECT_EQ(ping.out, "pong\n");
  outcome pid = run({"pid"});
  ASSERT_EQ(pid.status, 0) << pid.err;
  pid_t os_pid = std::stoi(pid.out);
  EXPECT_TRUE(running(os_pid));
  // The cookie never appears where ps shows it.
  std::string cmdline = slurp("/proc/" + std::to_string(os_pid) + "/cmdline");
  EXPECT_EQ(cmdline.find(slurp(root_ + "/releases/COOKIE")), std::string::npos);

  outcome sum = run({"eval", "1 + 1."});
  EXPECT_EQ(sum.status, 0) << sum.err;
  EXPECT_EQ(sum.out, "2\n");
  outcome env = run({"eval", "gen_server:call(rt_worker, greeting)."});
  EXPECT_EQ(env.out, "\"from sys.config\"\n") << env.err;
  outcome bad = run({"eval", "gen_server:call(no_such_server, ping)."});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("noproc"), std::string::npos) << bad.err;

  outcome stop = run({"stop"});
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_EQ(stop.out, "ok\n");
  // stop returns once the node is gone.
  EXPECT_FALSE(running(os_pid));
  EXPECT_EQ(run({"ping"}).status, 1);
  std::string l = log();
  size_t edge = l.find("rt_edge: stopped"), prep = l.find("rt_core: prep_stop"),
         core = l.find("rt_core: stopped");
  ASSERT_NE(edge, std::string::npos) << l;
  ASSERT_NE(core, std::string::npos) << l;
  EXPECT_LT(edge, prep);
  EXPECT_LT(prep, core);
}

TEST_F(Release, StartRefusesASecondNodeOfTheSameName) {
  start();
  outcome again = run({"start"});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << again.err;
}

TEST_F(Release, RemoteKeepsBindingsAndRunsBuiltinsOnTheNode) {
  start();
  outcome o = remote(
      "X = 21.\n"
      "X * 2.\n"
      "gen_server:call(rt_worker, {echo, X}).\n"
      "regs().\n"
      "which_applications().\n");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("42"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("21"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("rt_worker"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("rt_edge"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("kernel"), std::string::npos) << o.out;
  // A remote session ending with end of input leaves the node running.
  EXPECT_EQ(run({"ping"}).status, 0);
}

TEST_F(Release, AWrongCookieIsRefused) {
  start();
  outcome o = run({"ping"}, {{"RELEASE_COOKIE", "not-the-cookie"}});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("refused the cookie"), std::string::npos) << o.err;
}

TEST_F(Release, RestartStartsTheApplicationsAgainInTheSameOsProcess) {
  start();
  std::string before = run({"eval", "whereis(rt_worker)."}).out;
  std::string os_pid = run({"pid"}).out;
  outcome r = run({"restart"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::string after = run({"eval", "whereis(rt_worker)."}).out;
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("<"), std::string::npos) << after;
  EXPECT_EQ(run({"pid"}).out, os_pid);
}

TEST_F(Release, APermanentApplicationThatDiesStopsTheNodeWithStatusOne) {
  // foreground, as a child of the test, so its exit status can be read.
  child_process node({root_ + "/bin/reltest", "foreground"});
  // The node logs (to stderr) that it started once it is up.
  std::string seen;
  for (;;) {
    auto line = node.read_err_line(60s);
    ASSERT_TRUE(line.has_value()) << "the node did not start: " << seen;
    seen += *line + "\n";
    if (line->find("release reltest 1.0.0 started") != std::string::npos) break;
  }
  run({"eval", "exit(whereis(rt_core_sup), kill)."});
  auto st = node.wait(30s);
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 1);
  std::string err = seen + node.drain_stderr(1s);
  EXPECT_NE(err.find("rt_core"), std::string::npos) << err;
}

// Bad configuration: the release is copied so the good one stays intact.
class BadConfig : public Release {
 protected:
  void SetUp() override {
    copy_ = std::make_unique<temp_dir>();
    fs::copy(root_, copy_->path + "/r", fs::copy_options::recursive);
    bin_ = copy_->path + "/r/bin/reltest";
  }
  void write(const std::string& file, const std::string& text) {
    std::ofstream(copy_->path + "/r/releases/1.0.0/" + file) << text;
  }
  outcome run_copy(const std::string& command) { return run_in({bin_, command}, {}); }
  std::unique_ptr<temp_dir> copy_;
  std::string bin_;
};

TEST_F(BadConfig, ASysConfigSyntaxErrorStopsBootWithFileAndLine) {
  write("sys.config", "[{kernel, [{logger_level, notice}]},\n {rt_core, [{greeting, hi}]}\n");
  outcome o = run_copy("foreground");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("sys.config:3"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("boot failed"), std::string::npos) << o.err;
}

TEST_F(BadConfig, ASysConfigEntryOfTheWrongShapeNamesItsLine) {
  write("sys.config", "[{kernel, []},\n 42].\n");
  outcome o = run_copy("start");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("sys.config:2"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("expected"), std::string::npos) << o.err;
}

TEST_F(BadConfig, AnUnknownVmArgsFlagStopsBootWithFileAndLine) {
  write("vm.args", "+S 2\n-frobnicate yes\n");
  outcome o = run_copy("foreground");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("vm.args:2"), std::string::npos) << o.err;
}

TEST_F(BadConfig, AMissingCookieFileIsReported) {
  fs::permissions(copy_->path + "/r/releases/COOKIE", fs::perms::owner_all);
  fs::remove(copy_->path + "/r/releases/COOKIE");
  outcome o = run_copy("foreground");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("COOKIE"), std::string::npos) << o.err;
}

// Distribution: the release joins a real erl node's cluster.
TEST_F(Release, WithANodeNameTheReleaseIsADistributedNodeErlCanReach) {
  if (!system_epmd::available() || find_executable("erl").empty()) GTEST_SKIP() << "no erl";
  system_epmd epmd;
  std::string node = "reltest_" + random_suffix() + "@127.0.0.1";
  env_ = {{"RELEASE_NODE", node}, {"ERL_EPMD_PORT", std::to_string(epmd.port())}};
  start();
  std::string cookie = slurp(root_ + "/releases/COOKIE");
  outcome erl = run_in(
      {"erl", "-name", "probe_" + random_suffix() + "@127.0.0.1", "-setcookie", cookie, "-noshell",
       "-eval",
       "N = '" + node +
           "', io:format(\"~p~n~p~n\", [net_adm:ping(N), "
           "[A || {A, _, _} <- rpc:call(N, application, which_applications, [])]]), halt()."},
      {{"ERL_EPMD_PORT", std::to_string(epmd.port())}});
  EXPECT_EQ(erl.status, 0) << erl.err;
  EXPECT_NE(erl.out.find("pong"), std::string::npos) << erl.out << erl.err;
  EXPECT_NE(erl.out.find("rt_edge"), std::string::npos) << erl.out;
  EXPECT_NE(erl.out.find("kernel"), std::string::npos) << erl.out;
  EXPECT_EQ(run({"stop"}).status, 0);
}

}  // namespace
