// rpc against real erl nodes (OTP 25): erl calls C++ functions registered by module and
// function name through rpc:call, erpc:call, erpc:cast, rex and spawn/4; otpp calls
// functions on erl through rpc::call and rpc::cast. This test process is the otpp node;
// erl runs as a child, with a private EPMD and home directory.

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/otp.hpp>
#include <otp/rpc.hpp>
#include <stdexcept>

#include "dist/cookie.hpp"
#include "dist/epmd_server.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;
using namespace otp::test;
using namespace std::chrono_literals;

namespace {

const atom mod("otpp_rpc_test");

// The functions erl calls.
void register_test_functions() {
  rpc::register_function(mod, atom("echo"), [](const std::vector<term>& a) {
    return otp::tuple(atom("args"), term::list(a));
  });
  rpc::register_function(mod, atom("add"), 2, [](const std::vector<term>& a) {
    return term(a[0].as_int() + a[1].as_int());
  });
  rpc::register_function(mod, atom("throws"), 0, [](const std::vector<term>&) -> term {
    throw term(atom("thrown_value"));
  });
  rpc::register_function(mod, atom("exits"), 0, [](const std::vector<term>&) -> term {
    otp::exit(otp::tuple(atom("bye"), 1));
  });
  rpc::register_function(mod, atom("fails"), 0, [](const std::vector<term>&) -> term {
    throw rpc::error(atom("badarith"));
  });
  rpc::register_function(mod, atom("cpp"), 0, [](const std::vector<term>&) -> term {
    throw std::runtime_error("boom");
  });
  rpc::register_function(mod, atom("badarg"), 1, [](const std::vector<term>& a) -> term {
    return term(a[0].as_int());  // bad_term_access for a non-integer: badarg
  });
  // Blocks in receive until told, then returns what it got: a function runs in its own
  // process, so it can wait.
  rpc::register_function(mod, atom("wait"), 0,
                         [](const std::vector<term>&) -> term { return receive<term>(); });
  // Tells the test's observer process it is waiting ({held, Tag, Pid}), then waits.
  rpc::register_function(mod, atom("hold"), 1, [](const std::vector<term>& a) -> term {
    send(atom("rpc_observer"), otp::tuple(atom("held"), a[0], self()));
    return receive<term>();
  });
  // Registers its process (so the test can find it) and waits forever.
  rpc::register_function(mod, atom("park"), 1, [](const std::vector<term>& a) -> term {
    register_name(a[0].as_atom(), self());
    for (;;) (void)receive<term>();
  });
  // Sends Msg to Pid (a process on erl).
  rpc::register_function(mod, atom("notify"), 2, [](const std::vector<term>& a) {
    send(a[0].as_pid(), a[1]);
    return term(atoms::ok);
  });
}

class Rpc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
    register_test_functions();
    epmd_ = std::make_unique<epmd_server>(epmd_server_options{.port = 0, .loopback_only = true});
    epmd_->start();
    cookie_ = generate_cookie();
    name_ = "t" + random_suffix() + "@127.0.0.1";
    node_ = std::make_unique<otp::node>();
    start_distribution(*node_, {.name = name_, .cookie = cookie_, .epmd_port = epmd_->port()});
  }
  void TearDown() override {
    if (node_) node_->shutdown();
    node_.reset();
    erl_.reset();
  }

  // erl -name e...@127.0.0.1 running `eval`; `N` is bound to our node's name in it.
  std::string start_erl(const std::string& eval) {
    std::string name = "e" + random_suffix() + "@127.0.0.1";
    erl_ = std::make_unique<child_process>(
        std::vector<std::string>{"erl", "-noshell", "-name", name, "-setcookie", cookie_, "-eval",
                                 "N = '" + name_ + "', " + eval},
        std::map<std::string, std::string>{{"ERL_EPMD_PORT", std::to_string(epmd_->port())},
                                           {"HOME", home_.path}});
    return name;
  }

  // Lines "Tag Value" printed by erl until "done": Tag -> Value.
  std::map<std::string, std::string> results(std::chrono::milliseconds timeout = 60s) {
    std::map<std::string, std::string> out;
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      auto line = left.count() > 0 ? erl_->read_line(left) : std::nullopt;
      if (!line) {
        ADD_FAILURE() << "erl stopped early; printed:\n" << seen << erl_->drain_stderr(1s);
        return out;
      }
      seen += *line + "\n";
      std::cout << "[ erl ] " << *line << std::endl;
      if (*line == "done") return out;
      auto sp = line->find(' ');
      if (sp != std::string::npos) out[line->substr(0, sp)] = line->substr(sp + 1);
    }
  }

  temp_dir home_;
  std::unique_ptr<epmd_server> epmd_;
  std::string cookie_;
  std::string name_;
  std::unique_ptr<otp::node> node_;
  std::unique_ptr<child_process> erl_;
};

// Erlang that prints `Tag Value` (one line each) for the given expressions, then `done`.
std::string show_all(const std::vector<std::pair<std::string, std::string>>& exprs) {
  std::string s = "Show = fun(Tag, V) -> io:format(\"~s ~0p~n\", [Tag, V]) end, ";
  s += "Try = fun(F) -> try F() catch C:R -> {caught, C, R} end end, ";
  for (auto& [tag, e] : exprs) s += "Show(\"" + tag + "\", Try(fun() -> " + e + " end)), ";
  s += "io:format(\"done~n\"), halt().";
  return s;
}

TEST_F(Rpc, ErlRpcCallAndErpcCallReachARegisteredFunctionAndArgumentsRoundTrip) {
  std::string args =
      "[1, <<\"bin\">>, [x, {y, \"str\"}], 2.5, -123456789012345678901234567890, #{k => v}]";
  start_erl(
      "Args = " + args + ", " +
      show_all({{"rpc", "rpc:call(N, otpp_rpc_test, echo, Args) =:= {args, Args}"},
                {"erpc", "erpc:call(N, otpp_rpc_test, echo, Args) =:= {args, Args}"},
                {"erpc_timeout", "erpc:call(N, otpp_rpc_test, echo, Args, 5000) =:= {args, Args}"},
                {"add", "rpc:call(N, otpp_rpc_test, add, [40, 2])"},
                {"no_args", "erpc:call(N, otpp_rpc_test, echo, [])"},
                {"multicall", "erpc:multicall([N, N], otpp_rpc_test, add, [1, 2])"}}));
  auto r = results();
  EXPECT_EQ(r["rpc"], "true");
  EXPECT_EQ(r["erpc"], "true");
  EXPECT_EQ(r["erpc_timeout"], "true");
  EXPECT_EQ(r["add"], "42");
  EXPECT_EQ(r["no_args"], "{args,[]}");
  EXPECT_EQ(r["multicall"], "[{ok,3},{ok,3}]");
}

TEST_F(Rpc, AnUnknownFunctionIsUndefAsOnABeamNode) {
  start_erl(show_all({{"rpc", "rpc:call(N, nosuch, f, [1, a])"},
                      {"erpc", "erpc:call(N, nosuch, f, [1, a])"},
                      {"wrong_arity", "rpc:call(N, otpp_rpc_test, add, [1])"},
                      {"block_call", "rpc:block_call(N, nosuch, f, [])"},
                      // What a BEAM node answers, for comparison (the local call path).
                      {"beam", "rpc:call(node(), nosuch, f, [1, a])"}}));
  auto r = results();
  EXPECT_EQ(r["rpc"], "{badrpc,{'EXIT',{undef,[{nosuch,f,[1,a],[]}]}}}");
  EXPECT_EQ(r["erpc"], "{caught,error,{exception,undef,[{nosuch,f,[1,a],[]}]}}");
  EXPECT_EQ(r["wrong_arity"], "{badrpc,{'EXIT',{undef,[{otpp_rpc_test,add,[1],[]}]}}}");
  EXPECT_EQ(r["block_call"], "{badrpc,{'EXIT',{undef,[{nosuch,f,[],[]}]}}}");
  EXPECT_EQ(r["beam"], r["rpc"]);
}

TEST_F(Rpc, ThrowsExitsAndCppExceptionsMapToTheErlangErrorForms) {
  start_erl(show_all({{"rpc_throw", "rpc:call(N, otpp_rpc_test, throws, [])"},
                      {"erpc_throw", "erpc:call(N, otpp_rpc_test, throws, [])"},
                      {"rpc_exit", "rpc:call(N, otpp_rpc_test, exits, [])"},
                      {"erpc_exit", "erpc:call(N, otpp_rpc_test, exits, [])"},
                      {"rpc_error", "rpc:call(N, otpp_rpc_test, fails, [])"},
                      {"erpc_error", "erpc:call(N, otpp_rpc_test, fails, [])"},
                      {"rpc_badarg", "rpc:call(N, otpp_rpc_test, badarg, [x])"},
                      {"erpc_cpp", "erpc:call(N, otpp_rpc_test, cpp, [])"},
                      {"rpc_cpp", "rpc:call(N, otpp_rpc_test, cpp, [])"}}));
  auto r = results();
  EXPECT_EQ(r["rpc_throw"], "thrown_value");
  EXPECT_EQ(r["erpc_throw"], "{caught,throw,thrown_value}");
  EXPECT_EQ(r["rpc_exit"], "{badrpc,{'EXIT',{bye,1}}}");
  EXPECT_EQ(r["erpc_exit"], "{caught,exit,{exception,{bye,1}}}");
  EXPECT_EQ(r["rpc_error"], "{badrpc,{'EXIT',{badarith,[{otpp_rpc_test,fails,0,[]}]}}}");
  EXPECT_EQ(r["erpc_error"], "{caught,error,{exception,badarith,[{otpp_rpc_test,fails,0,[]}]}}");
  EXPECT_EQ(r["rpc_badarg"], "{badrpc,{'EXIT',{badarg,[{otpp_rpc_test,badarg,1,[]}]}}}");
  EXPECT_EQ(r["erpc_cpp"],
            "{caught,error,{exception,{cpp_exception,'std::runtime_error',<<\"boom\">>},"
            "[{otpp_rpc_test,cpp,0,[]}]}}");
  EXPECT_EQ(r["rpc_cpp"],
            "{badrpc,{'EXIT',{{cpp_exception,'std::runtime_error',<<\"boom\">>},[{otpp_rpc_test,"
            "cpp,0,[]}]}}}");
}

TEST_F(Rpc, TheRexServerAnswersGenServerCallsCastsAndHiddenNodeRequests) {
  start_erl(
      "register(me, self()), " +
      show_all(
          {{"call",
            "gen_server:call({rex, N}, {call, otpp_rpc_test, add, [1, 2], group_leader()})"},
           {"block_call", "rpc:block_call(N, otpp_rpc_test, exits, [])"},
           {"cast",
            "gen_server:cast({rex, N}, {cast, otpp_rpc_test, notify, [self(), casted], user}), "
            "receive casted -> casted after 10000 -> none end"},
           {"hidden",
            "{rex, N} ! {self(), {call, otpp_rpc_test, add, [2, 3], user}}, "
            "receive {rex, R} -> R after 10000 -> none end"},
           {"features",
            "{rex, N} ! {self(), features_request}, "
            "receive {features_reply, N, F} -> F after 10000 -> none end"},
           {"rpc_cast",
            "rpc:cast(N, otpp_rpc_test, notify, [self(), via_erpc_cast]), "
            "receive via_erpc_cast -> ok after 10000 -> none end"},
           {"sbcast", "rpc:sbcast([N], nosuch_name, hi) =:= {[], [N]}"}}));
  auto r = results();
  EXPECT_EQ(r["call"], "3");
  EXPECT_EQ(r["block_call"], "{badrpc,{'EXIT',{bye,1}}}");
  EXPECT_EQ(r["cast"], "casted");
  EXPECT_EQ(r["hidden"], "5");
  EXPECT_EQ(r["features"], "[erpc]");
  EXPECT_EQ(r["rpc_cast"], "ok");
  EXPECT_EQ(r["sbcast"], "true");
}

TEST_F(Rpc, ErpcTimeoutsKillsAndLinkedSpawnsBehaveAsWithABeamNode) {
  start_erl(
      show_all({// The function waits: erpc gives up, and the late result never reaches erl.
                {"timeout", "erpc:call(N, otpp_rpc_test, wait, [], 200)"},
                {"rpc_timeout", "rpc:call(N, otpp_rpc_test, wait, [], 200)"},
                // A plain spawn of a registered function, linked: killing it reaches us as EXIT.
                {"link",
                 "process_flag(trap_exit, true), P = spawn_link(N, otpp_rpc_test, park, [parked]), "
                 "true = is_pid(P), Node = node(P), exit(P, kill), "
                 "receive {'EXIT', P, Why} -> {Node =:= N, Why} after 10000 -> none end"},
                // Monitored: DOWN carries the exit reason (normal when the function returns).
                {"monitor",
                 "{P2, M2} = spawn_monitor(N, otpp_rpc_test, add, [1, 2]), "
                 "receive {'DOWN', M2, process, P2, Why2} -> Why2 after 10000 -> none end"},
                {"monitor_undef",
                 "{P3, M3} = spawn_monitor(N, nosuch, f, []), "
                 "receive {'DOWN', M3, process, P3, Why3} -> Why3 after 10000 -> none end"},
                {"late", "receive Late -> {late, Late} after 300 -> nothing end"}}));
  auto r = results();
  EXPECT_EQ(r["timeout"], "{caught,error,{erpc,timeout}}");
  EXPECT_EQ(r["rpc_timeout"], "{badrpc,timeout}");
  EXPECT_EQ(r["link"], "{true,killed}");
  EXPECT_EQ(r["monitor"], "normal");
  EXPECT_EQ(r["monitor_undef"], "{undef,[{nosuch,f,[],[]}]}");
  EXPECT_EQ(r["late"], "nothing");
}

TEST_F(Rpc, ARegisteredFunctionCanBlockAndEndsAsReleasedOrAsKilled) {
  // Two erpc calls of `hold` wait in their processes; the test releases one with a message
  // and kills the other with an exit signal.
  node_->run([this] {
    register_name(atom("rpc_observer"), self());
    start_erl(
        "Self = self(), "
        "Call = fun(Tag) -> spawn(fun() -> Self ! {Tag, try erpc:call(N, otpp_rpc_test, hold, "
        "[Tag]) "
        "catch C:R -> {caught, C, R} end} end) end, "
        "Call(released), Call(killed), "
        "[receive {T, R} -> io:format(\"~s ~0p~n\", [T, R]) after 30000 -> ok end || T <- "
        "[released, killed]], "
        "io:format(\"done~n\"), halt().");
    std::map<term, pid> held;
    while (held.size() < 2) {
      auto m = receive_for<term>(60s);
      ASSERT_TRUE(m.has_value()) << "the calls did not arrive";
      held[(*m)[1]] = (*m)[2].as_pid();
    }
    send(held[term(atom("released"))], term(atom("release_value")));
    otp::exit(held[term(atom("killed"))], otp::tuple(atom("stopped"), 7));
  });
  auto r = results();
  EXPECT_EQ(r["released"], "release_value");
  EXPECT_EQ(r["killed"], "{caught,exit,{signal,{stopped,7}}}");
}

TEST_F(Rpc, AProcessErlSpawnedLinkedEndsWithNoconnectionWhenErlGoesAway) {
  node_->run([this] {
    register_name(atom("rpc_observer"), self());
    start_erl("spawn_link(N, otpp_rpc_test, hold, [linked]), receive after infinity -> ok end.");
    auto held = receive_for<term>(60s);
    ASSERT_TRUE(held.has_value()) << "the spawn did not arrive";
    pid p = (*held)[2].as_pid();
    reference m = monitor(p);
    ::kill(erl_->pid(), SIGKILL);
    auto d = receive(when([&](const down_msg& x) { return x.ref == m; },
                          [](down_msg x) { return std::optional<down_msg>(std::move(x)); }),
                     after(30s, [] { return std::optional<down_msg>(); }));
    ASSERT_TRUE(d.has_value()) << "the linked process outlived the connection";
    EXPECT_EQ(d->reason, term(atoms::noconnection));
  });
}

TEST_F(Rpc, OtppCallsFunctionsOnABeamNodeThroughItsRexServer) {
  std::string erl = start_erl(
      "register(shell_proc, self()), io:format(\"ready~n\"), "
      "receive stop -> halt() end.");
  ASSERT_TRUE(erl_->wait_for_line("ready", 60s)) << erl_->drain_stderr(1s);
  atom e(erl);
  node_->run([e] {
    EXPECT_EQ(rpc::call(e, atom("erlang"), atom("node"), {}), term(e));
    EXPECT_EQ(rpc::call(e, atom("lists"), atom("reverse"), {otp::list(1, 2, 3)}),
              otp::list(3, 2, 1));
    term big = term::integer_from_decimal("-123456789012345678901234567890");
    EXPECT_EQ(rpc::call(e, atom("erlang"), atom("abs"), {big}),
              term::integer_from_decimal("123456789012345678901234567890"));
    EXPECT_EQ(
        rpc::call(e, atom("nosuch"), atom("f"), {term(1)}),
        otp::tuple(atom("badrpc"),
                   otp::tuple(atoms::EXIT, otp::tuple(atom("undef"), otp::list(otp::tuple(
                                                                         atom("nosuch"), atom("f"),
                                                                         otp::list(1), term()))))));
    EXPECT_EQ(rpc::call(e, atom("erlang"), atom("exit"), {term(atom("bye"))}),
              otp::tuple(atom("badrpc"), otp::tuple(atoms::EXIT, atom("bye"))));
    EXPECT_EQ(rpc::call(e, atom("erlang"), atom("throw"), {term(atom("x"))}), term(atom("x")));
    term err = rpc::call(e, atom("erlang"), atom("binary_to_atom"), {term(1)});
    ASSERT_TRUE(err.is_tuple(2) && err[1].is_tuple(2)) << to_string(err);
    EXPECT_EQ(err[1][1][0], term(atoms::badarg)) << to_string(err);
    EXPECT_EQ(rpc::call(e, atom("timer"), atom("sleep"), {term(10000)}, 200ms),
              otp::tuple(atom("badrpc"), atoms::timeout));
    EXPECT_EQ(rpc::call(atom("nobody_" + random_suffix() + "@127.0.0.1"), atom("erlang"),
                        atom("node"), {}),
              otp::tuple(atom("badrpc"), atom("nodedown")));
    // A cast runs there: erlang:send(Pid, Msg) towards us.
    rpc::cast(e, atom("erlang"), atom("send"), {self(), term(atom("cast_arrived"))});
    EXPECT_EQ(receive_for<term>(10s), std::optional<term>(term(atom("cast_arrived"))));
    // The late answer of the timed-out call never shows up.
    EXPECT_FALSE(receive_for<term>(300ms).has_value());
    send(atom("shell_proc"), e, atom("stop"));
  });
}

TEST_F(Rpc, OnThisNodeACallRunsTheRegisteredFunctionInTheCaller) {
  node_->run([this] {
    atom me(name_);
    EXPECT_EQ(rpc::call(me, mod, atom("add"), {term(1), term(2)}), term(3));
    EXPECT_EQ(rpc::call(me, mod, atom("exits"), {}),
              otp::tuple(atom("badrpc"), otp::tuple(atoms::EXIT, otp::tuple(atom("bye"), 1))));
    EXPECT_EQ(rpc::call(me, mod, atom("throws"), {}), term(atom("thrown_value")));
    EXPECT_TRUE(rpc::is_registered(mod, atom("echo"), 7));
    EXPECT_TRUE(rpc::is_registered(mod, atom("add"), 2));
    EXPECT_FALSE(rpc::is_registered(mod, atom("add"), 3));
    rpc::register_function(atom("otpp_rpc_tmp"), atom("f"),
                           [](const std::vector<term>&) { return term(1); });
    EXPECT_EQ(rpc::call(me, atom("otpp_rpc_tmp"), atom("f"), {}), term(1));
    EXPECT_TRUE(rpc::unregister_function(atom("otpp_rpc_tmp"), atom("f")));
    EXPECT_FALSE(rpc::unregister_function(atom("otpp_rpc_tmp"), atom("f")));
    term undef = rpc::call(me, atom("otpp_rpc_tmp"), atom("f"), {});
    EXPECT_EQ(undef[1][1][0], term(atom("undef"))) << to_string(undef);
  });
}

}  // namespace
