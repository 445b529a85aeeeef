// Levels, lazy formatting, metadata, handler levels, filters and runtime configuration.

#include <chrono>
#include <stdexcept>

#include "logger/fixture.hpp"

using namespace otp;
using namespace otp_test;
namespace lg = otp::logger;
using lg::level;

namespace {

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Counts how often it is formatted.
struct counted {
  int* calls;
};

}  // namespace

template <>
struct fmt::formatter<counted> : fmt::formatter<int> {
  auto format(counted c, fmt::format_context& ctx) const {
    return fmt::formatter<int>::format(++*c.calls, ctx);
  }
};

TEST_F(LoggerTest, LevelsAreOrderedAndNamedAsInErlang) {
  EXPECT_LT(level::emergency, level::alert);
  EXPECT_LT(level::error, level::warning);
  EXPECT_LT(level::info, level::debug);
  const char* names[] = {"emergency", "alert",  "critical", "error",
                         "warning",   "notice", "info",     "debug"};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(lg::level_name(level(i)), names[i]);
    EXPECT_EQ(lg::parse_level(names[i]), level(i));
  }
  EXPECT_EQ(lg::parse_level("all"), std::nullopt);
}

TEST_F(LoggerTest, ThePrimaryLevelIsNoticeAndDropsLessSevereEvents) {
  lg::capture cap;
  EXPECT_EQ(lg::primary_level(), level::notice);
  lg::debug("d");
  lg::info("i");
  lg::notice("n");
  lg::warning("w");
  lg::error("e");
  lg::emergency("em");
  EXPECT_EQ(messages(cap.events()), (std::vector<std::string>{"n", "w", "e", "em"}));
}

TEST_F(LoggerTest, WouldLogFollowsThePrimaryLevelSetAtRuntime) {
  lg::capture cap;
  EXPECT_TRUE(lg::would_log(level::notice));
  EXPECT_FALSE(lg::would_log(level::info));
  lg::set_primary_level(level::debug);
  EXPECT_TRUE(lg::would_log(level::debug));
  lg::debug("now {}", "visible");
  lg::set_primary_level(level::error);
  EXPECT_FALSE(lg::would_log(level::warning));
  lg::warning("hidden");
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"now visible"});
}

TEST_F(LoggerTest, ArgumentsOfAFilteredOutMessageAreNeverFormatted) {
  lg::capture cap;
  int calls = 0;
  lg::debug("value {}", counted{&calls});
  lg::info("value {}", counted{&calls});
  EXPECT_EQ(calls, 0);
  lg::error("value {}", counted{&calls});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"value 1"});
}

TEST_F(LoggerTest, LazyValuesAreComputedOnlyWhenTheMessageIsLogged) {
  lg::capture cap;
  int computed = 0;
  auto expensive = [&] { return std::to_string(++computed); };
  lg::debug("state {}", lg::lazy(expensive));
  EXPECT_EQ(computed, 0);
  lg::warning("state {}", lg::lazy(expensive));
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"state 1"});
}

TEST_F(LoggerTest, NoHandlerAtTheLevelMeansNothingIsFormatted) {
  // would_log also considers handler levels: with every handler at error, warnings are
  // not worth formatting.
  lg::capture cap({.level = level::error});
  int calls = 0;
  EXPECT_FALSE(lg::would_log(level::warning));
  lg::warning("{}", counted{&calls});
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(cap.events().empty());
}

TEST_F(LoggerTest, OtpTermsAtomsAndPidsFormatAsErlangPrintsThem) {
  lg::capture cap;
  lg::error("{} {} {}", otp::tuple(atoms::ok, 1, term::binary("x")), atom("Quoted atom"),
            pid::local(80));
  EXPECT_EQ(messages(cap.events()),
            std::vector<std::string>{"{ok,1,<<\"x\">>} 'Quoted atom' <0.80.0>"});
}

TEST_F(LoggerTest, AnEventOutsideAProcessHasTimeLocationAndMetadataButNoPid) {
  lg::capture cap;
  int64_t before = now_us();
  lg::error({{atom("user"), term::binary("ann")}, {atom("attempt"), 3}}, "login failed");
  int line = __LINE__ - 1;
  auto events = cap.events();
  ASSERT_EQ(events.size(), 1u);
  const lg::event& e = events[0];
  EXPECT_EQ(e.level, level::error);
  EXPECT_FALSE(e.is_report());
  EXPECT_TRUE(e.pid.is_null());
  EXPECT_GE(e.time_us, before);
  EXPECT_LE(e.time_us, now_us());
  EXPECT_EQ(int(e.location.line()), line);
  EXPECT_NE(std::string(e.location.file_name()).find("levels_test.cpp"), std::string::npos);
  EXPECT_NE(std::string(e.location.function_name()).find("TestBody"), std::string::npos);
  ASSERT_EQ(e.meta.size(), 2u);
  EXPECT_EQ(e.meta[0].first, atom("user"));
  EXPECT_EQ(e.meta[0].second, term::binary("ann"));
  EXPECT_EQ(e.meta[1].second, term(3));
}

TEST_F(LoggerTest, AnEventFromAProcessCarriesThatProcessesPid) {
  lg::capture cap;
  node n({.schedulers = 1});
  pid p = n.run([] {
    lg::warning("from a process");
    return self();
  });
  auto events = cap.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].pid, p);
}

TEST_F(LoggerTest, ADomainInTheMetadataBecomesTheEventsDomain) {
  lg::capture cap;
  lg::error({{atom("domain"), otp::list(atom("otp"), atom("sasl"))}, {atom("k"), 1}}, "x");
  lg::report(level::error, atom("crash_report"), otp::list(otp::tuple(atom("pid"), 1)));
  lg::report(level::error, atom("my_report"), otp::list(otp::tuple(atom("a"), 1)));
  auto events = cap.events();
  ASSERT_EQ(events.size(), 3u);
  std::vector<atom> sasl{atom("otp"), atom("sasl")};
  EXPECT_EQ(events[0].domain, sasl);
  EXPECT_EQ(events[0].meta.size(), 1u);
  EXPECT_EQ(events[1].domain, sasl) << "SASL report kinds get [otp, sasl]";
  EXPECT_TRUE(events[2].domain.empty());
}

TEST_F(LoggerTest, EachHandlerWritesOnlyEventsAtOrAboveItsOwnLevel) {
  lg::set_primary_level(level::debug);
  lg::capture all;
  lg::capture errors({.level = level::error});
  lg::info("i");
  lg::error("e");
  lg::set_handler_level(all.id(), level::critical);
  lg::error("e2");
  lg::critical("c");
  EXPECT_EQ(messages(all.events()), (std::vector<std::string>{"i", "e", "c"}));
  EXPECT_EQ(messages(errors.events()), (std::vector<std::string>{"e", "e2", "c"}));
}

TEST_F(LoggerTest, AFilterReturningStopDropsTheEventForItsHandlerOnly) {
  lg::capture filtered, other;
  lg::add_handler_filter(filtered.id(), atom("no_secrets"), [](const lg::event& e) {
    return e.message.find("secret") != std::string::npos ? lg::filter_result::stop
                                                         : lg::filter_result::ignore;
  });
  lg::error("public");
  lg::error("secret");
  EXPECT_EQ(messages(filtered.events()), std::vector<std::string>{"public"});
  EXPECT_EQ(messages(other.events()), (std::vector<std::string>{"public", "secret"}));
  EXPECT_TRUE(lg::remove_handler_filter(filtered.id(), atom("no_secrets")));
  EXPECT_FALSE(lg::remove_handler_filter(filtered.id(), atom("no_secrets")));
  lg::error("secret");
  EXPECT_EQ(filtered.events().size(), 2u);
}

TEST_F(LoggerTest, APrimaryFilterAppliesToEveryHandler) {
  lg::capture a, b;
  lg::add_primary_filter(atom("only_important"), [](const lg::event& e) {
    return e.message.starts_with("!") ? lg::filter_result::log : lg::filter_result::ignore;
  });
  lg::set_primary_filter_default(lg::filter_result::stop);
  lg::error("!yes");
  lg::error("no");
  lg::set_primary_filter_default(lg::filter_result::log);
  EXPECT_TRUE(lg::remove_primary_filter(atom("only_important")));
  lg::error("again");
  EXPECT_EQ(messages(a.events()), (std::vector<std::string>{"!yes", "again"}));
  EXPECT_EQ(messages(b.events()), (std::vector<std::string>{"!yes", "again"}));
}

TEST_F(LoggerTest, TheDomainFilterComparesDomainsAsErlangsDoes) {
  using lg::domain_compare;
  auto ev = [](std::vector<atom> d) {
    lg::event e;
    e.domain = std::move(d);
    return e;
  };
  atom otp_("otp"), sasl("sasl"), app("app");
  auto check = [&](domain_compare c, std::vector<atom> match, std::vector<atom> domain) {
    return lg::domain_filter(lg::filter_result::stop, c, std::move(match))(ev(std::move(domain))) ==
           lg::filter_result::stop;
  };
  EXPECT_TRUE(check(domain_compare::sub, {otp_}, {otp_, sasl}));
  EXPECT_TRUE(check(domain_compare::sub, {otp_}, {otp_}));
  EXPECT_FALSE(check(domain_compare::sub, {otp_, sasl}, {otp_}));
  EXPECT_FALSE(check(domain_compare::sub, {otp_}, {}));
  EXPECT_TRUE(check(domain_compare::super, {otp_, sasl}, {otp_}));
  EXPECT_FALSE(check(domain_compare::super, {otp_}, {otp_, sasl}));
  EXPECT_TRUE(check(domain_compare::equal, {otp_, sasl}, {otp_, sasl}));
  EXPECT_FALSE(check(domain_compare::equal, {otp_}, {otp_, sasl}));
  EXPECT_TRUE(check(domain_compare::not_equal, {otp_}, {app}));
  EXPECT_TRUE(check(domain_compare::not_equal, {otp_}, {}));
  EXPECT_FALSE(check(domain_compare::not_equal, {otp_}, {otp_}));
  EXPECT_TRUE(check(domain_compare::undefined, {}, {}));
  EXPECT_FALSE(check(domain_compare::undefined, {}, {app}));
  // Not matching means ignore, leaving the decision to others.
  EXPECT_EQ(lg::domain_filter(lg::filter_result::log, domain_compare::equal, {app})(ev({otp_})),
            lg::filter_result::ignore);
}

TEST_F(LoggerTest, TheDomainFilterKeepsSaslReportsOutOfAHandler) {
  lg::capture cap;
  lg::add_handler_filter(cap.id(), atom("no_sasl"),
                         lg::domain_filter(lg::filter_result::stop, lg::domain_compare::sub,
                                           {atom("otp"), atom("sasl")}));
  lg::report(level::error, atom("supervisor_report"), otp::list(otp::tuple(atom("a"), 1)));
  lg::error("plain");
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"plain"});
}

TEST_F(LoggerTest, HandlersAreAddedAndRemovedByIdAtRuntime) {
  struct counter : lg::handler {
    int* n;
    explicit counter(int* c) : n(c) {}
    void write(const lg::event&, std::string_view) override { ++*n; }
  };
  int n = 0;
  lg::add_handler(atom("counter"), std::make_unique<counter>(&n));
  auto ids = lg::handler_ids();
  EXPECT_NE(std::find(ids.begin(), ids.end(), atom("counter")), ids.end());
  EXPECT_THROW(lg::add_handler(atom("counter"), std::make_unique<counter>(&n)),
               std::invalid_argument);
  EXPECT_THROW(lg::set_handler_level(atom("nobody"), level::info), std::invalid_argument);
  lg::error("one");
  lg::flush();
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(lg::remove_handler(atom("counter")));
  EXPECT_FALSE(lg::remove_handler(atom("counter")));
  lg::error("two");
  lg::flush();
  EXPECT_EQ(n, 1);
}

TEST_F(LoggerTest, ConfigurationChangesApplyOnlyToEventsLoggedAfterThem) {
  lg::capture cap;
  lg::error("before");
  lg::set_handler_level(cap.id(), level::emergency);
  lg::error("after");
  EXPECT_EQ(messages(cap.events()), std::vector<std::string>{"before"});
}

TEST_F(LoggerTest, AHandlerThatThrowsIsRemovedAndTheRemovalIsLogged) {
  struct bad : lg::handler {
    void write(const lg::event&, std::string_view) override { throw std::runtime_error("disk"); }
  };
  lg::capture cap;
  lg::add_handler(atom("bad"), std::make_unique<bad>());
  lg::error("first");
  lg::flush();  // the removal notice is logged by the logger thread after this batch
  auto msgs = messages(cap.events());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0], "first");
  EXPECT_EQ(msgs[1], "otpp logger: handler bad removed: disk");
  auto ids = lg::handler_ids();
  EXPECT_EQ(std::find(ids.begin(), ids.end(), atom("bad")), ids.end());
}

TEST_F(LoggerTest, AFilterThatThrowsIsRemovedAndTheEventGoesOn) {
  lg::capture cap;
  lg::add_handler_filter(cap.id(), atom("broken"),
                         [](const lg::event&) -> lg::filter_result { throw 42; });
  lg::error("survives");
  lg::error("again");
  auto msgs = messages(cap.events());
  ASSERT_GE(msgs.size(), 3u);
  EXPECT_EQ(msgs[0], "survives");
  EXPECT_NE(std::find(msgs.begin(), msgs.end(), "again"), msgs.end());
  EXPECT_NE(std::find_if(msgs.begin(), msgs.end(),
                         [](const std::string& m) { return m.find("filter broken") != m.npos; }),
            msgs.end());
}

TEST_F(LoggerTest, HandlersMustNotChangeTheConfiguration) {
  struct meddler : lg::handler {
    bool threw = false;
    void write(const lg::event&, std::string_view) override {
      try {
        lg::set_primary_level(level::debug);
      } catch (const std::logic_error&) {
        threw = true;
      }
      lg::flush();  // returns at once on the logger thread instead of waiting for itself
    }
  };
  auto m = std::make_unique<meddler>();
  meddler* raw = m.get();
  lg::add_handler(atom("meddler"), std::move(m));
  lg::error("x");
  lg::flush();
  EXPECT_TRUE(raw->threw);
  lg::remove_handler(atom("meddler"));
}

TEST_F(LoggerTest, ACaptureRestoresThePrimaryLevelItSet) {
  {
    lg::capture cap({.primary_level = level::debug});
    EXPECT_EQ(lg::primary_level(), level::debug);
    lg::debug("seen");
    EXPECT_EQ(cap.events().size(), 1u);
    cap.clear();
    EXPECT_TRUE(cap.events().empty());
  }
  EXPECT_EQ(lg::primary_level(), level::notice);
}
