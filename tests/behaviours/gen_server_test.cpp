// gen_server: starting, calls, casts, infos, timeouts, continue, stop and terminate, errors.

#include <otp/gen_server.hpp>

#include "../runtime/fixture.hpp"

using namespace otp;
using namespace otp_test;
using namespace std::chrono_literals;
namespace gs = otp::gen_server;

namespace {

// Where servers tell the test what happened (terminate reasons, ...).
struct event {
  std::string what;
  term detail;
};

struct counter {
  struct get {
    using reply = int;
  };
  struct add {
    int n;
  };
  struct slow_get {  // replies later, from another process
    using reply = int;
  };
  struct crash {};
  struct stop_with {
    using reply = std::string;
    term reason;
  };
  using calls = types<get, slow_get, stop_with>;
  using casts = types<add, crash>;
  using infos = types<term>;

  counter(int start, pid obs) : value(start), observer(obs) {}

  int handle_call(get, const from&) { return value; }
  gs::call_result<int> handle_call(slow_get, const from& f) {
    spawn([f, v = value] { gs::reply(f, v); });
    return gs::noreply();
  }
  gs::call_result<std::string> handle_call(stop_with s, const from&) {
    return gs::call_result<std::string>::stop_with(s.reason, "bye");
  }
  void handle_cast(add a) { value += a.n; }
  void handle_cast(crash) { throw std::runtime_error("cast crash"); }
  gs::result handle_info(const term& t) {
    if (t.is_tuple(2) && t[0].is_atom(atom("stop"))) return gs::result::stop(t[1]);
    if (!observer.is_null()) send(observer, event{"info", t});
    return gs::noreply();
  }
  void terminate(const term& reason) {
    if (!observer.is_null()) send(observer, event{"terminate", reason});
  }

  int value;
  pid observer;
};

term reason_of_call(std::function<void()> f) {
  try {
    f();
  } catch (const exit_exception& e) {
    return e.reason();
  }
  return term(atom("no_exit"));
}

}  // namespace

TEST_F(RuntimeTest, StartLinkReturnsTheServerReadyForCalls) {
  int v = node.run([] {
    auto r = gs::start_link<counter>(10, pid());
    EXPECT_TRUE(r.is_ok());
    return gs::call(r.child(), counter::get{});
  });
  EXPECT_EQ(v, 10);
}

TEST_F(RuntimeTest, CastsChangeStateAndCallsSeeItInOrder) {
  int v = node.run([] {
    pid s = gs::start_link<counter>(0, pid()).child();
    for (int i = 1; i <= 100; ++i) gs::cast(s, counter::add{i});
    return gs::call(s, counter::get{});
  });
  EXPECT_EQ(v, 5050);
}

TEST_F(RuntimeTest, AReplyCanBeDeferredAndSentFromAnotherProcess) {
  int v = node.run([] {
    pid s = gs::start_link<counter>(7, pid()).child();
    return gs::call(s, counter::slow_get{});
  });
  EXPECT_EQ(v, 7);
}

namespace {
struct throws_in_constructor {
  explicit throws_in_constructor(int) { throw std::invalid_argument("bad config"); }
};
struct init_ignores {
  gs::init_result init() { return gs::ignore(); }
};
struct init_stops {
  gs::init_result init() { return gs::init_result::stop(atom("no_database")); }
};
}  // namespace

TEST_F(RuntimeTest, AConstructorThatThrowsMakesStartReturnTheErrorWithoutKillingTheCaller) {
  node.run([] {
    auto r = gs::start_link<throws_in_constructor>(1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.reason(),
              tuple(atoms::cpp_exception, A("std::invalid_argument"), term::binary("bad config")));
    EXPECT_FALSE(receive_for<exit_msg>(0ms).has_value());
  });
}

TEST_F(RuntimeTest, InitCanIgnoreOrStop) {
  node.run([] {
    EXPECT_TRUE(gs::start_link<init_ignores>().is_ignore());
    auto r = gs::start_link<init_stops>();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.reason(), A("no_database"));
    EXPECT_EQ(r.to_term(), tuple(atoms::error, A("no_database")));
  });
}

TEST_F(RuntimeTest, ANamedServerIsRegisteredAndASecondOneFailsWithAlreadyStarted) {
  node.run([] {
    auto a = gs::start_link<counter>(gs::start_options{.name = atom("the_counter")}, 1, pid());
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(whereis(atom("the_counter")), a.child());
    EXPECT_EQ(gs::call(atom("the_counter"), counter::get{}), 1);
    auto b = gs::start_link<counter>(gs::start_options{.name = atom("the_counter")}, 2, pid());
    ASSERT_TRUE(b.is_error());
    EXPECT_EQ(b.reason(), tuple(A("already_started"), a.child()));
  });
}

TEST_F(RuntimeTest, CallingADeadServerExitsWithNoproc) {
  node.run([] {
    pid s = gs::start<counter>(0, pid()).child();
    gs::stop(s);
    term why = reason_of_call([&] { gs::call(s, counter::get{}); });
    EXPECT_EQ(why, tuple(atoms::noproc,
                         tuple(A("gen_server"), atoms::call,
                               list(s, term::binary("(anonymous namespace)::counter::get")))));
    term why2 = reason_of_call([] { gs::call(atom("nobody_by_that_name"), counter::get{}); });
    EXPECT_EQ(why2[0], term(atoms::noproc));
  });
}

namespace {
struct dies_on_call {
  struct boom {
    using reply = int;
  };
  using calls = types<boom>;
  int handle_call(boom, const from&) { otp::exit(atom("died_in_call")); }
};
struct never_answers {
  struct ask {
    using reply = int;
  };
  struct answer_late {};
  using calls = types<ask>;
  using casts = types<answer_late>;
  gs::call_result<int> handle_call(ask, const from& f) {
    pending = f;
    return gs::noreply();
  }
  void handle_cast(answer_late) { gs::reply(pending, 42); }
  from pending;
};
}  // namespace

TEST_F(RuntimeTest, AServerDyingDuringACallMakesTheCallerExitWithItsReason) {
  node.run([] {
    pid s = gs::start<dies_on_call>().child();
    term why = reason_of_call([&] { gs::call(s, dies_on_call::boom{}); });
    EXPECT_EQ(why[0], A("died_in_call"));
  });
}

TEST_F(DeterministicTest, ACallTimesOutAndTheLateReplyNeverReachesTheMailbox) {
  term why;
  size_t queued = 99;
  node.spawn([&] {
    pid s = gs::start<never_answers>().child();
    why = reason_of_call([&] { gs::call(s, never_answers::ask{}, 100ms); });
    gs::cast(s, never_answers::answer_late{});  // the reply now comes, too late
    reason_of_call(
        [&] { gs::call(s, never_answers::ask{}, 1000ms); });  // the late reply came meanwhile
    queued = get_process_info(self())->message_queue_len;
  });
  node.wait_idle();
  node.advance_time(100ms);
  node.wait_idle();
  node.advance_time(1000ms);
  node.wait_idle();
  EXPECT_EQ(why[0], term(atoms::timeout));
  EXPECT_EQ(why[1][2].list_length(), 3u);  // [Server, Request, Timeout]
  EXPECT_EQ(queued, 0u);                   // the late reply was dropped on arrival
}

TEST_F(RuntimeTest, StoppingADeadServerExitsWithNoprocAsOtpDoes) {
  node.run([] {
    pid s = gs::start<counter>(0, pid()).child();
    gs::stop(s);
    EXPECT_EQ(reason_of_call([&] { gs::stop(s); }), term(atoms::noproc));
    EXPECT_EQ(reason_of_call([] { gs::stop(atom("no_such_server")); }), term(atoms::noproc));
  });
}

TEST_F(RuntimeTest, StopWithAnAbnormalReasonStillReturnsAsOtpDoes) {
  node.run([] {
    pid s = gs::start<counter>(0, self()).child();
    EXPECT_EQ(reason_of_call([&] { gs::stop(s, tuple(A("crash"), 2)); }), A("no_exit"));
    EXPECT_EQ(receive<event>().detail, tuple(A("crash"), 2));
  });
}

TEST_F(RuntimeTest, CallingYourselfIsAnErrorNotADeadlock) {
  node.run([] {
    term why = reason_of_call([] { gs::call(self(), counter::get{}); });
    EXPECT_EQ(why[0], A("calling_self"));
  });
}

TEST_F(RuntimeTest, StopRunsTerminateWithTheReason) {
  node.run([] {
    pid s = gs::start<counter>(0, self()).child();
    gs::stop(s, A("maintenance"));
    auto e = receive<event>();
    EXPECT_EQ(e.what, "terminate");
    EXPECT_EQ(e.detail, A("maintenance"));
    EXPECT_FALSE(is_process_alive(s));
  });
}

TEST_F(RuntimeTest, AStopResultFromHandleCallRepliesThenTerminates) {
  node.run([] {
    pid srv = gs::start<counter>(0, self()).child();
    reference m = monitor(srv);
    EXPECT_EQ(gs::call(srv, counter::stop_with{A("done")}), "bye");
    auto e = receive<event>();
    EXPECT_EQ(e.detail, A("done"));
    auto d =
        receive(when([&](const down_msg& x) { return x.ref == m; }, [](down_msg x) { return x; }));
    EXPECT_EQ(d.reason, A("done"));
  });
}

TEST_F(RuntimeTest, ACrashInACallbackRunsTerminateAndEndsTheServerWithTheReason) {
  node.run([] {
    pid s = gs::start<counter>(0, self()).child();
    reference m = monitor(s);
    gs::cast(s, counter::crash{});
    auto e = receive<event>();
    EXPECT_EQ(e.what, "terminate");
    term expected =
        tuple(atoms::cpp_exception, A("std::runtime_error"), term::binary("cast crash"));
    EXPECT_EQ(e.detail, expected);
    auto d =
        receive(when([&](const down_msg& x) { return x.ref == m; }, [](down_msg x) { return x; }));
    EXPECT_EQ(d.reason, expected);
  });
}

TEST_F(RuntimeTest, HandleInfoGetsPlainMessagesAndCanStop) {
  node.run([] {
    pid s = gs::start<counter>(0, self()).child();
    send(s, tuple(A("hello"), 1));
    auto e = receive<event>();
    EXPECT_EQ(e.what, "info");
    EXPECT_EQ(e.detail, tuple(A("hello"), 1));
    reference m = monitor(s);
    send(s, tuple(A("stop"), A("asked")));
    EXPECT_EQ(receive<event>().detail, A("asked"));
    EXPECT_EQ(receive<down_msg>().reason, A("asked"));
    (void)m;
  });
}

TEST_F(RuntimeTest, MessagesOfUnlistedTypesAreDroppedAndTheServerCarriesOn) {
  node.run([] {
    pid s = gs::start<counter>(3, pid()).child();
    send(s, 3.5);  // a double: counter has no handler for it
    EXPECT_EQ(gs::call(s, counter::get{}), 3);
    EXPECT_EQ(get_process_info(s)->message_queue_len, 0u);
  });
}

namespace {
struct other_request {
  using reply = int;
};
}  // namespace

TEST_F(RuntimeTest, ACallOfAnUnlistedRequestTypeCrashesTheServerWithBadCall) {
  node.run([] {
    pid s = gs::start<counter>(3, pid()).child();
    term why = reason_of_call([&] { gs::call(s, other_request{}); });
    EXPECT_EQ(why[0][0], A("bad_call"));
  });
}

TEST_F(RuntimeTest, ATrappingServerTerminatesWhenItsParentExits) {
  node.run([] {
    pid me = self();
    struct trapper {
      explicit trapper(pid o) : observer(o) { trap_exit(true); }
      void terminate(const term& r) { send(observer, event{"terminate", r}); }
      pid observer;
    };
    pid parent = spawn([me] {
      auto r = gs::start_link<trapper>(me);
      send(me, r.child());
      receive<std::string>();  // wait to be told to die
      otp::exit(A("parent_gone"));
    });
    pid srv = receive<pid>();
    send(parent, std::string("die"));
    auto e = receive<event>();
    EXPECT_EQ(e.detail, A("parent_gone"));
    (void)srv;
  });
}

namespace {
struct relay {  // a callback that calls another server
  struct ask {
    using reply = int;
  };
  using calls = types<ask>;
  explicit relay(pid t) : target(t) {}
  int handle_call(ask, const from&) { return gs::call(target, counter::get{}) * 2; }
  pid target;
};
}  // namespace

TEST_F(RuntimeTest, ACallbackMayCallAnotherServer) {
  int v = node.run([] {
    pid c = gs::start_link<counter>(21, pid()).child();
    pid r = gs::start_link<relay>(c).child();
    return gs::call(r, relay::ask{});
  });
  EXPECT_EQ(v, 42);
}

namespace {
struct with_timeout {
  struct arm {
    using reply = bool;
  };
  using calls = types<arm>;
  using casts = types<int>;
  explicit with_timeout(pid o) : observer(o) {}
  gs::call_result<bool> handle_call(arm, const from&) { return gs::reply_with(true).timeout(50ms); }
  void handle_cast(int) {}
  void handle_timeout() { send(observer, event{"timeout", term()}); }
  pid observer;
};
struct with_continue {
  struct get {
    using reply = std::string;
  };
  using calls = types<get>;
  gs::init_result init() { return gs::ok().continue_with(A("warm_up")); }
  void handle_continue(const term& c) { log += to_string(c) + ";"; }
  std::string handle_call(get, const from&) { return log; }
  std::string log;
};
}  // namespace

TEST_F(DeterministicTest, ATimeoutResultCallsHandleTimeoutWhenNothingArrives) {
  std::vector<std::string> seen;
  node.spawn([&] {
    pid s = gs::start<with_timeout>(self()).child();
    EXPECT_TRUE(gs::call(s, with_timeout::arm{}));
    seen.push_back(receive<event>().what);
  });
  node.wait_idle();
  node.advance_time(49ms);
  node.wait_idle();
  EXPECT_TRUE(seen.empty());
  node.advance_time(1ms);
  node.wait_idle();
  EXPECT_EQ(seen, std::vector<std::string>{"timeout"});
}

TEST_F(DeterministicTest, AMessageBeforeTheTimeoutCancelsIt) {
  bool got_timeout = false;
  node.spawn([&] {
    pid s = gs::start<with_timeout>(self()).child();
    gs::call(s, with_timeout::arm{});
    gs::cast(s, 1);
    got_timeout = receive_for<event>(200ms).has_value();
  });
  node.wait_idle();
  node.advance_time(300ms);
  node.wait_idle();
  EXPECT_FALSE(got_timeout);
}

TEST_F(RuntimeTest, ContinueRunsBeforeAnyOtherMessage) {
  std::string log = node.run([] {
    pid s = gs::start<with_continue>().child();
    return gs::call(s, with_continue::get{});
  });
  EXPECT_EQ(log, "warm_up;");
}

TEST_F(RuntimeTest, AnIdleServerHoldsNoStack) {
  node.run([] {
    pid s = gs::start<counter>(0, pid()).child();
    gs::call(s, counter::get{});
    EXPECT_EQ(get_process_info(s)->stack_bytes, 0u);
  });
}

TEST_F(RuntimeTest, ACallReachesAServerWith100kQueuedMessages) {
  node.run([] {
    pid s = gs::start<counter>(0, pid()).child();
    sys::suspend(s);
    for (int i = 0; i < 100000; ++i) send(s, tuple(A("noise"), i));
    sys::resume(s);
    EXPECT_EQ(gs::call(s, counter::get{}, 60s), 0);
  });
}

namespace {
struct sleepy {
  struct nap {
    using reply = bool;
  };
  struct naps {
    using reply = int;
  };
  using calls = types<nap, naps>;
  gs::call_result<bool> handle_call(nap, const from&) { return gs::reply_with(true).hibernate(); }
  int handle_call(naps, const from&) { return hibernated; }
  void hibernate() {
    ++hibernated;
    cache.clear();
    cache.shrink_to_fit();
  }
  std::vector<int> cache = std::vector<int>(1000);
  int hibernated = 0;
};
}  // namespace

TEST_F(RuntimeTest, HibernateLetsTheServerDropTransientMemory) {
  node.run([] {
    pid s = gs::start<sleepy>().child();
    EXPECT_TRUE(gs::call(s, sleepy::nap{}));
    EXPECT_EQ(gs::call(s, sleepy::naps{}), 1);
    EXPECT_TRUE(sys::get_state<sleepy>(s).cache.empty());
  });
}

namespace {
struct echo_terms {  // accepts Erlang-form calls and casts
  using calls = types<term>;
  using casts = types<term>;
  term handle_call(const term& t, const from&) { return t; }
  void handle_cast(const term& t) { last = t; }
  term to_term() const { return tuple(A("last"), last); }
  term last;
};
}  // namespace

TEST_F(RuntimeTest, ACallInErlangFormIsAnsweredAsErlangExpects) {
  node.run([] {
    pid s = gs::start<echo_terms>().child();
    reference tag = reference::make();
    send(s, tuple(A("$gen_call"), tuple(self(), tag), tuple(A("hi"), 1)));
    EXPECT_EQ(receive<term>(), tuple(tag, tuple(A("hi"), 1)));
  });
}

TEST_F(RuntimeTest, AReplyToAnAliasTagGoesToTheAliasWhileItIsActive) {
  node.run([] {
    pid s = gs::start<echo_terms>().child();
    reference alias = reference::make();
    detail::activate_alias(alias);
    term tag = term::cons(A("alias"), alias);  // OTP 24+ call tags: [alias | Ref]
    send(s, tuple(A("$gen_call"), tuple(self(), tag), A("first")));
    EXPECT_EQ(receive<term>(), tuple(tag, A("first")));
    detail::deactivate_alias(alias);
    send(s, tuple(A("$gen_call"), tuple(self(), tag), A("late")));
    gs::cast(s, term(A("sync")));
    sys::get_status(s);  // a round trip: the late reply would have arrived by now
    EXPECT_FALSE(receive_for<term>(0ms).has_value());
  });
}

TEST_F(RuntimeTest, ErlangFormCastsAndSystemMessagesWork) {
  node.run([] {
    pid s = gs::start<echo_terms>().child();
    send(s, tuple(A("$gen_cast"), A("noted")));
    reference tag = reference::make();
    send(s, tuple(A("system"), tuple(self(), tag), A("get_state")));
    EXPECT_EQ(receive<term>(), tuple(tag, tuple(A("last"), A("noted"))));
    send(s, tuple(A("system"), tuple(self(), tag), A("suspend")));
    EXPECT_EQ(receive<term>(), tuple(tag, atoms::ok));
    send(s, tuple(A("system"), tuple(self(), tag), A("get_status")));
    term st = receive<term>()[1];
    EXPECT_EQ(st[0], term(atoms::status));
    EXPECT_EQ(st[2], tuple(A("module"), A("gen_server")));
    EXPECT_EQ(st[3].list_elements()[1], term(atoms::suspended));
    send(s, tuple(A("system"), tuple(self(), tag), A("resume")));
    EXPECT_EQ(receive<term>(), tuple(tag, atoms::ok));
  });
}
