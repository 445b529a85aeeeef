// Text formats: Erlang's report layouts (checked against OTP 25's output), single line,
// metadata, timestamps, and the console handler.

#include "logger/fixture.hpp"

using namespace otp;
using namespace otp_test;
namespace lg = otp::logger;
using lg::level;

namespace {

const lg::formatter_options erlang_utc{.style = lg::format_style::erlang, .utc = true};
const lg::formatter_options single_utc{.style = lg::format_style::single_line, .utc = true};

term kv(const char* k, term v) {
  return otp::tuple(atom(k), std::move(v));
}

lg::event report_event(level l, const char* kind, term report) {
  lg::event e = fixed_event(l);
  e.kind = atom(kind);
  e.report = std::move(report);
  return e;
}

// A child as supervisor reports describe it.
term child(uint64_t pid_number) {
  return otp::list(kv("pid", pid::local(pid_number)), kv("id", atom("c2")),
                   kv("mfargs", otp::tuple(atom("t"), atom("start_link_crash"), term())),
                   kv("restart_type", atom("permanent")), kv("significant", false),
                   kv("shutdown", 5000), kv("child_type", atom("worker")));
}

term crash(term error_info) {
  return otp::list(kv("initial_call", otp::tuple(atom("t"), atom("-main/0-fun-0-"), 0)),
                   kv("pid", pid::local(89)), kv("registered_name", term()),
                   kv("error_info", std::move(error_info)),
                   kv("ancestors", otp::list(pid::local(9))), kv("message_queue_len", 0),
                   kv("messages", term()), kv("links", term()), kv("trap_exit", false),
                   kv("status", atom("running")));
}

}  // namespace

TEST_F(LoggerTest, AMessagePrintsUnderAnErlangLevelHeader) {
  lg::event e = fixed_event(level::error);
  e.message = "hello world";
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=ERROR REPORT==== 25-Nov-2026::23:33:10.965691 ===\nhello world\n");
  e.level = level::warning;
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=WARNING REPORT==== 25-Nov-2026::23:33:10.965691 ===\nhello world\n");
}

TEST_F(LoggerTest, ACrashReportPrintsLikeErlangs) {
  term reason = otp::tuple(atom("noproc"), otp::tuple(atom("gen_server"), atom("call"),
                                                      otp::list(atom("foo"), atom("bar"))));
  term stack = otp::list(otp::tuple(atom("t"), atom("-main/0-fun-0-"), 0,
                                    otp::list(kv("file", term::string("t.erl")), kv("line", 9))));
  lg::event e =
      report_event(level::error, "crash_report", crash(otp::tuple(atom("exit"), reason, stack)));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=CRASH REPORT==== 25-Nov-2026::23:33:10.965691 ===\n"
            "  crasher:\n"
            "    initial call: t:'-main/0-fun-0-'/0\n"
            "    pid: <0.89.0>\n"
            "    registered_name: []\n"
            "    exception exit: {noproc,{gen_server,call,[foo,bar]}}\n"
            "      in function  t:'-main/0-fun-0-'/0 (t.erl, line 9)\n"
            "    ancestors: [<0.9.0>]\n"
            "    message_queue_len: 0\n"
            "    messages: []\n"
            "    links: []\n"
            "    trap_exit: false\n"
            "    status: running\n"
            "  neighbours:\n"
            "\n");
}

TEST_F(LoggerTest, ACrashReportWithNeighboursAndAnOtppInitialCallPrints) {
  // otpp's proc_lib names the initial call by the C++ callable (a binary), and may send
  // Erlang's [Own, Neighbours] shape.
  term own = otp::list(kv("initial_call", term::binary("worker_loop")), kv("pid", pid::local(5)),
                       kv("error_info", otp::tuple(atom("error"), atom("badarg"), term())));
  term neighbour = otp::list(kv("pid", pid::local(6)), kv("registered_name", atom("peer")));
  lg::event e = report_event(level::error, "crash_report", otp::list(own, otp::list(neighbour)));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=CRASH REPORT==== 25-Nov-2026::23:33:10.965691 ===\n"
            "  crasher:\n"
            "    initial call: worker_loop\n"
            "    pid: <0.5.0>\n"
            "    exception error: badarg\n"
            "  neighbours:\n"
            "    neighbour:\n"
            "      pid: <0.6.0>\n"
            "      registered_name: peer\n"
            "\n");
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z error: crasher: initial call: worker_loop, pid: <0.5.0>, "
            "error: badarg; neighbours: neighbour: pid: <0.6.0>, registered_name: peer\n");
}

TEST_F(LoggerTest, ASupervisorReportPrintsLikeErlangs) {
  term sup = otp::tuple(atom("local"), atom("my_sup"));
  lg::event e =
      report_event(level::error, "supervisor_report",
                   otp::list(kv("supervisor", sup), kv("errorContext", atom("child_terminated")),
                             kv("reason", atom("boom")), kv("offender", child(91))));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=SUPERVISOR REPORT==== 25-Nov-2026::23:33:10.965691 ===\n"
            "    supervisor: {local,my_sup}\n"
            "    errorContext: child_terminated\n"
            "    reason: boom\n"
            "    offender: [{pid,<0.91.0>},{id,c2},{mfargs,{t,start_link_crash,[]}},"
            "{restart_type,permanent},{significant,false},{shutdown,5000},{child_type,worker}]\n"
            "\n");
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z error: Supervisor: {local,my_sup}. Context: "
            "child_terminated. Reason: boom. Offender: id=c2,pid=<0.91.0>.\n");
}

TEST_F(LoggerTest, AProgressReportPrintsLikeErlangs) {
  term sup = otp::tuple(atom("local"), atom("my_sup"));
  lg::event e = report_event(level::info, "progress",
                             otp::list(kv("supervisor", sup), kv("started", child(88))));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=PROGRESS REPORT==== 25-Nov-2026::23:33:10.965691 ===\n"
            "    supervisor: {local,my_sup}\n"
            "    started: [{pid,<0.88.0>},{id,c2},{mfargs,{t,start_link_crash,[]}},"
            "{restart_type,permanent},{significant,false},{shutdown,5000},{child_type,worker}]\n"
            "\n");
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z info: Supervisor: {local,my_sup}. Started: "
            "id=c2,pid=<0.88.0>.\n");
  lg::event app = report_event(
      level::info, "progress",
      otp::list(kv("application", atom("sasl")), kv("started_at", atoms::nonode_nohost)));
  EXPECT_EQ(lg::format_event(app, single_utc),
            "2026-11-25T23:33:10.965691Z info: Application: sasl. Started at: nonode@nohost.\n");
}

TEST_F(LoggerTest, AGenServerTerminateReportPrintsLikeErlangs) {
  lg::event e = report_event(
      level::error, "gen_server_terminate",
      otp::list(kv("label", otp::tuple(atom("gen_server"), atom("terminate"))),
                kv("name", atom("my_server")),
                kv("last_message", otp::tuple(atom("$gen_cast"), atom("crash"))),
                kv("state", term::map({{atom("count"), 0}})), kv("reason", atom("boom"))));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=ERROR REPORT==== 25-Nov-2026::23:33:10.965691 ===\n"
            "** Generic server my_server terminating \n"
            "** Last message in was {'$gen_cast',crash}\n"
            "** When Server state == #{count => 0}\n"
            "** Reason for termination ==\n"
            "** boom\n"
            "\n");
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z error: Generic server my_server terminating. Reason: "
            "boom. Last message: {'$gen_cast',crash}. State: #{count => 0}.\n");
}

TEST_F(LoggerTest, OtherReportsPrintOneKeyPerLineOrAsATerm) {
  lg::event e =
      report_event(level::info, "my_report", otp::list(kv("foo", atom("bar")), kv("baz", 1)));
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=INFO REPORT==== 25-Nov-2026::23:33:10.965691 ===\n    foo: bar\n    baz: 1\n");
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z info: foo: bar, baz: 1\n");
  e.report = term::map({{atom("a"), 1}});
  EXPECT_EQ(lg::format_event(e, single_utc), "2026-11-25T23:33:10.965691Z info: a: 1\n");
  e.report = otp::tuple(1, 2);
  EXPECT_EQ(lg::format_event(e, erlang_utc),
            "=INFO REPORT==== 25-Nov-2026::23:33:10.965691 ===\n{1,2}\n");
}

TEST_F(LoggerTest, SingleLineStyleJoinsTheLinesOfAMessage) {
  lg::event e = fixed_event(level::notice);
  e.message = "first,\n   second\nthird\n";
  EXPECT_EQ(lg::format_event(e, single_utc),
            "2026-11-25T23:33:10.965691Z notice: first, second, third\n");
}

TEST_F(LoggerTest, TheMetadataOptionPrintsPidLocationDomainAndCustomKeys) {
  lg::capture cap({.format = {.style = lg::format_style::single_line, .metadata = true}});
  node n({.schedulers = 1});
  lg::metadata md{{atom("domain"), otp::list(atom("app"))}, {atom("user"), term::binary("ann")}};
  int line = __LINE__ + 2;  // the call is on one line: g++ and clang agree on its line
  std::string p = n.run([&md] {
    lg::error(md, "denied");
    return to_string(self());
  });
  auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);
  std::string suffix = " error: denied (pid=" + p + " at=format_test.cpp:" + std::to_string(line) +
                       " domain=[app] user=<<\"ann\">>)\n";
  EXPECT_TRUE(lines[0].ends_with(suffix)) << lines[0] << " vs " << suffix;
}

TEST_F(LoggerTest, TimestampsAreLocalTimeUnlessUtcIsAsked) {
  lg::event e = fixed_event(level::error);
  e.message = "m";
  setenv("TZ", "CET-1", 1);  // one hour east of UTC, no daylight saving
  tzset();
  EXPECT_EQ(lg::format_event(e, {.style = lg::format_style::single_line}),
            "2026-11-26T00:33:10.965691+01:00 error: m\n");
  EXPECT_EQ(lg::format_event(e, {}), "=ERROR REPORT==== 26-Nov-2026::00:33:10.965691 ===\nm\n");
  unsetenv("TZ");
  tzset();
  e.time_us = -1;  // just before the epoch
  EXPECT_EQ(lg::format_event(e, single_utc), "1969-12-31T23:59:59.999999Z error: m\n");
}

TEST_F(LoggerTest, TheConsoleHandlerWritesToStderr) {
  lg::add_handler(atom("console"), lg::console_handler(), {.format = single_utc});
  testing::internal::CaptureStderr();
  lg::error("to the console");
  lg::flush();
  std::string err = testing::internal::GetCapturedStderr();
  lg::remove_handler(atom("console"));
  EXPECT_TRUE(err.ends_with(" error: to the console\n")) << err;
}

TEST_F(LoggerTest, TheDefaultHandlerIsAConsoleHandler) {
  lg::add_handler(atom("default"), lg::console_handler());
  auto ids = lg::handler_ids();
  EXPECT_NE(std::find(ids.begin(), ids.end(), atom("default")), ids.end());
  testing::internal::CaptureStderr();
  lg::report(level::error, atom("supervisor_report"),
             otp::list(kv("supervisor", atom("s")), kv("errorContext", atom("start_error")),
                       kv("reason", atom("boom")), kv("offender", term())));
  lg::flush();
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(err.starts_with("=SUPERVISOR REPORT==== ")) << err;
  EXPECT_NE(err.find("    errorContext: start_error\n"), std::string::npos) << err;
}
