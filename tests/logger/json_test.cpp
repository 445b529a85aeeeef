// The JSON formatter: one parseable object per line, with the documented fields.

#include <nlohmann/json.hpp>

#include "logger/fixture.hpp"

using namespace otp;
using namespace otp_test;
namespace lg = otp::logger;
using lg::level;
using json = nlohmann::json;

namespace {

const lg::formatter_options json_utc{.style = lg::format_style::json, .utc = true};

term kv(const char* k, term v) {
  return otp::tuple(atom(k), std::move(v));
}

// Parses one formatted line; it must be a single line ending in '\n'.
json parse_line(const std::string& line) {
  EXPECT_TRUE(line.ends_with("\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  return json::parse(line);
}

}  // namespace

TEST_F(LoggerTest, JsonOutputIsOneParseableObjectPerLineWithAllMetadata) {
  lg::capture cap({.format = json_utc});
  node n({.schedulers = 1});
  int first_line = __LINE__ + 2;
  std::string p = n.run([] {
    lg::warning({{atom("domain"), otp::list(atom("app"), atom("db"))},
                 {atom("table"), atom("users")},
                 {atom("rows"), 42}},
                "slow query: {} ms\nsecond line", 1234);
    return to_string(self());
  });
  auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);
  json j = parse_line(lines[0]);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["msg"], "slow query: 1234 ms\nsecond line");
  EXPECT_EQ(j["pid"], p);
  EXPECT_TRUE(j["file"].get<std::string>().ends_with("json_test.cpp"));
  // g++ reports the line where the call starts, clang 14 the line of its format string.
  EXPECT_GE(j["line"].get<int>(), first_line);
  EXPECT_LE(j["line"].get<int>(), first_line + 3);
  EXPECT_TRUE(j["function"].is_string());
  EXPECT_EQ(j["domain"], json::array({"app", "db"}));
  EXPECT_EQ(j["meta"], json({{"table", "users"}, {"rows", 42}}));
  std::string t = j["time"];
  EXPECT_EQ(t.size(), std::string("2026-11-25T23:33:10.965691Z").size()) << t;
  EXPECT_EQ(t.back(), 'Z');
  EXPECT_FALSE(j.contains("kind"));
  EXPECT_FALSE(j.contains("report"));
}

TEST_F(LoggerTest, JsonReportsBecomeObjectsWithTypedValues) {
  lg::event e = fixed_event(level::error);
  e.kind = atom("supervisor_report");
  e.report =
      otp::list(kv("supervisor", otp::tuple(atom("local"), atom("s"))),
                kv("errorContext", atom("child_terminated")), kv("reason", atom("boom")),
                kv("offender", otp::list(kv("pid", pid::local(7)), kv("id", atom("c1")),
                                         kv("shutdown", 5000), kv("significant", false))),
                kv("ratio", 0.5), kv("big", term::integer_from_decimal("123456789012345678901234")),
                kv("note", term::binary("caf\xc3\xa9")), kv("raw", term::binary("\x80\x01")));
  json j = parse_line(lg::format_event(e, json_utc));
  EXPECT_EQ(j["time"], "2026-11-25T23:33:10.965691Z");
  EXPECT_EQ(j["kind"], "supervisor_report");
  EXPECT_EQ(j["msg"],
            "Supervisor: {local,s}. Context: child_terminated. Reason: boom. Offender: "
            "id=c1,pid=<0.7.0>.");
  const json& r = j["report"];
  EXPECT_EQ(r["supervisor"], "{local,s}");  // tuples keep their Erlang text
  EXPECT_EQ(r["errorContext"], "child_terminated");
  EXPECT_EQ(r["offender"],
            json({{"pid", "<0.7.0>"}, {"id", "c1"}, {"shutdown", 5000}, {"significant", false}}));
  EXPECT_EQ(r["ratio"], 0.5);
  EXPECT_TRUE(r["big"].is_number());
  EXPECT_EQ(r["note"], "caf\xc3\xa9");
  EXPECT_EQ(r["raw"], "<<128,1>>");  // not UTF-8: Erlang text
  EXPECT_FALSE(j.contains("pid"));   // a hand-made event from no process
}

TEST_F(LoggerTest, JsonEscapesControlCharactersAndReplacesInvalidUtf8) {
  lg::event e = fixed_event(level::info);
  e.message = "tab\there \"quoted\" back\\slash \x01 bad\xc3 end";
  json j = parse_line(lg::format_event(e, json_utc));
  EXPECT_EQ(j["msg"], "tab\there \"quoted\" back\\slash \x01 bad\xef\xbf\xbd end");
}
