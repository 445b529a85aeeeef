// The application controller: dependency order, start errors and what they leave behind,
// library applications, stop order with the prep_stop and stop callbacks, load and unload.
// Error shapes follow OTP 25's application:ensure_all_started (checked with erl).

#include <otp/term_parse.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace app_test;

namespace {

// Registered during static initialization, as application code does.
OTP_APPLICATION_MODULE(static_app, {
                                       .start =
                                           [](const term&) {
                                             journal::add("start:static");
                                             return supervisor::start_link(supervisor::spec{});
                                           },
                                       .stop = [] { journal::add("stop:static"); },
                                   });

term parse(const char* text) {
  return parse_term(text);
}

void load_all(std::initializer_list<app::descriptor> ds) {
  for (const app::descriptor& d : ds) ASSERT_EQ(app::load(d), term(atoms::ok)) << d.name.name();
}

}  // namespace

TEST_F(ApplicationTest, DependenciesStartFirstDepthFirstWithKernelBeforeEverything) {
  node.run([] {
    load_all({test_app("a"), test_app("b", {.deps = {"a"}}),
              test_app("c", {.deps = {"b"}, .optional = {"e", "not_loaded"}}), test_app("e")});
    EXPECT_EQ(app::ensure_all_started(atom("c")), parse("{ok, [kernel, a, b, e, c]}"));
    EXPECT_EQ(running(), (std::vector<std::string>{"c", "e", "b", "a", "kernel"}));
  });
  std::vector<std::string> starts;
  for (const auto& e : journal::entries())
    if (e.rfind("start:", 0) == 0) starts.push_back(e);
  EXPECT_EQ(starts, (std::vector<std::string>{"start:a", "start:b", "start:e", "start:c"}));
}

TEST_F(ApplicationTest, StartingARunningApplicationIsOkAndStartsNothing) {
  node.run([] {
    load_all({test_app("a")});
    EXPECT_EQ(app::start(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::start(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::ensure_all_started(atom("a")), parse("{ok, []}"));
  });
  EXPECT_EQ(journal::entries().front(), "start:a");
}

TEST_F(ApplicationTest, AMissingDependencyIsAnErrorNamingItAndWhoNeedsItAndStartsNothing) {
  node.run([] {
    load_all({test_app("a"), test_app("b", {.deps = {"a", "zz"}})});
    EXPECT_EQ(app::start(atom("b")), parse("{error, {zz, {not_loaded, {needed_by, b}}}}"));
    EXPECT_EQ(app::start(atom("nope")), parse("{error, {nope, not_loaded}}"));
    EXPECT_TRUE(running().empty());
  });
  EXPECT_TRUE(journal::entries().empty());
}

TEST_F(ApplicationTest, CircularDependenciesAreRefusedBeforeAnythingStarts) {
  node.run([] {
    load_all({test_app("x", {.deps = {"y"}}), test_app("y", {.deps = {"x"}})});
    EXPECT_EQ(app::start(atom("x")), parse("{error, {x, {circular_dependencies, [x, y, x]}}}"));
    EXPECT_TRUE(running().empty());
  });
}

TEST_F(ApplicationTest, AFailingStartStopsEverythingThatCallStartedAndLeavesNoProcess) {
  node.run([this] {
    load_all({test_app("a"), test_app("b", {.deps = {"a"}, .mode = "half"})});
    (void)app::loaded_applications();  // the controller exists before the snapshot
    std::vector<pid> before = node.processes();
    EXPECT_EQ(app::ensure_all_started(atom("b")),
              parse("{error, {b, {half_done, {b_app, start, [normal, half]}}}}"));
    EXPECT_TRUE(running().empty());
    EXPECT_EQ(new_processes(node, before), std::vector<pid>{});
  });
  EXPECT_EQ(journal::entries(),
            (std::vector<std::string>{"start:a", "start:b", "prep_stop:a", "terminate:a_w2",
                                      "terminate:a_w1", "stop:a"}));
}

TEST_F(ApplicationTest, AFailingStartLeavesApplicationsStartedEarlierRunning) {
  node.run([] {
    load_all({test_app("a"), test_app("b", {.deps = {"a"}, .mode = "error"})});
    ASSERT_EQ(app::start(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::start(atom("b")),
              parse("{error, {b, {because, {b_app, start, [normal, error]}}}}"));
    EXPECT_EQ(running(), (std::vector<std::string>{"a", "kernel"}));
  });
}

TEST_F(ApplicationTest, AStartCallbackThatThrowsOrReturnsNoSupervisorIsABadReturn) {
  node.run([] {
    load_all({test_app("t", {.mode = "throw_term"}), test_app("c", {.mode = "throw_cpp"}),
              test_app("x", {.mode = "exit"}), test_app("i", {.mode = "ignore"})});
    app::descriptor unknown = test_app("u", {.library = true});
    unknown.mod = std::pair<atom, term>(atom("no_such_module"), term());
    ASSERT_EQ(app::load(unknown), term(atoms::ok));

    EXPECT_EQ(app::start(atom("t")),
              parse("{error, {t, {bad_return, {{t_app, start, [normal, throw_term]}, ball}}}}"));
    EXPECT_EQ(app::start(atom("c")),
              parse("{error, {c, {bad_return, {{c_app, start, [normal, throw_cpp]}, "
                    "{'EXIT', {cpp_exception, 'std::runtime_error', <<\"boom\">>}}}}}}"));
    EXPECT_EQ(
        app::start(atom("x")),
        parse("{error, {x, {bad_return, {{x_app, start, [normal, exit]}, {'EXIT', gone}}}}}"));
    EXPECT_EQ(app::start(atom("i")),
              parse("{error, {i, {bad_return, {{i_app, start, [normal, ignore]}, ignore}}}}"));
    EXPECT_EQ(app::start(atom("u")),
              parse("{error, {u, {bad_return, {{no_such_module, start, [normal, []]}, "
                    "{'EXIT', {undef, [{no_such_module, start, [normal, []], []}]}}}}}}"));
    EXPECT_TRUE(running().empty());
  });
}

TEST_F(ApplicationTest, ALibraryApplicationStartsAndStopsWithoutProcesses) {
  node.run([this] {
    load_all({test_app("lib", {.library = true})});
    ASSERT_EQ(app::start(atom("kernel")), term(atoms::ok));
    std::vector<pid> before = node.processes();
    EXPECT_EQ(app::start(atom("lib")), term(atoms::ok));
    EXPECT_EQ(running(), (std::vector<std::string>{"lib", "kernel"}));
    EXPECT_TRUE(top_of("lib").is_null());
    EXPECT_EQ(new_processes(node, before), std::vector<pid>{});
    EXPECT_EQ(app::stop(atom("lib")), term(atoms::ok));
    EXPECT_EQ(running(), std::vector<std::string>{"kernel"});
  });
}

TEST_F(ApplicationTest, StopRunsPrepStopThenStopsTheTreeInReverseThenRunsStop) {
  node.run([] {
    load_all({test_app("a")});
    ASSERT_EQ(app::start(atom("a")), term(atoms::ok));
    pid top = top_of("a");
    journal::clear();
    EXPECT_EQ(app::stop(atom("a")), term(atoms::ok));
    EXPECT_FALSE(is_process_alive(top));
    EXPECT_EQ(running(), std::vector<std::string>{"kernel"});
    EXPECT_EQ(app::stop(atom("a")), parse("{error, {not_started, a}}"));
  });
  EXPECT_EQ(journal::entries(), (std::vector<std::string>{"prep_stop:a", "terminate:a_w2",
                                                          "terminate:a_w1", "stop:a"}));
}

TEST_F(ApplicationTest, StopAllStopsEveryApplicationNewestFirstAndKernelLast) {
  node.run([] {
    load_all({test_app("a"), test_app("b", {.deps = {"a"}})});
    ASSERT_EQ(app::start(atom("b")), term(atoms::ok));
    journal::clear();
    app::stop_all();
    EXPECT_TRUE(running().empty());
    EXPECT_EQ(whereis(atom("kernel_sup")), pid());
  });
  EXPECT_EQ(journal::entries(), (std::vector<std::string>{
                                    "prep_stop:b", "terminate:b_w2", "terminate:b_w1", "stop:b",
                                    "prep_stop:a", "terminate:a_w2", "terminate:a_w1", "stop:a"}));
}

TEST_F(ApplicationTest, StoppingTheNodeStopsApplicationsInOrderWithTheirCallbacks) {
  node.run([] {
    load_all({test_app("a"), test_app("b", {.deps = {"a"}})});
    ASSERT_EQ(app::start(atom("b"), app::permanent), term(atoms::ok));
    journal::clear();
  });
  node.shutdown();
  EXPECT_EQ(journal::entries(), (std::vector<std::string>{
                                    "prep_stop:b", "terminate:b_w2", "terminate:b_w1", "stop:b",
                                    "prep_stop:a", "terminate:a_w2", "terminate:a_w1", "stop:a"}));
  EXPECT_EQ(init::stop_requested(), std::nullopt);  // a node shutdown is not a failure
}

TEST_F(ApplicationTest, LoadAndUnloadAnswerAsErlangDoes) {
  node.run([] {
    EXPECT_EQ(app::load(test_app("a")), term(atoms::ok));
    EXPECT_EQ(app::load(test_app("a")), parse("{error, {already_loaded, a}}"));
    ASSERT_EQ(app::start(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::unload(atom("a")), parse("{error, {running, a}}"));
    ASSERT_EQ(app::stop(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::unload(atom("a")), term(atoms::ok));
    EXPECT_EQ(app::unload(atom("a")), parse("{error, {not_loaded, a}}"));
    std::vector<std::string> loaded;
    for (const auto& i : app::loaded_applications()) loaded.emplace_back(i.name.name());
    EXPECT_EQ(loaded, std::vector<std::string>{"kernel"});
  });
}

TEST_F(ApplicationTest, WhichApplicationsDescribesEachRunningApplication) {
  node.run([] {
    load_all({test_app("a")});
    ASSERT_EQ(app::start(atom("a"), app::transient), term(atoms::ok));
    std::vector<app::app_info> apps = app::which_applications();
    ASSERT_EQ(apps.size(), 2u);
    EXPECT_EQ(apps[0].name, atom("a"));
    EXPECT_EQ(apps[0].description, "test application a");
    EXPECT_EQ(apps[0].vsn, "1.0");
    EXPECT_EQ(apps[0].type, app::transient);
    EXPECT_TRUE(is_process_alive(apps[0].top));
    EXPECT_EQ(apps[1].name, atom("kernel"));
    EXPECT_EQ(apps[1].type, app::permanent);  // whoever starts it
    EXPECT_EQ(apps[1].top, whereis(atom("kernel_sup")));
  });
}

TEST_F(ApplicationTest, ConcurrentFirstUsesShareOneController) {
  node.run([] {
    constexpr int n = 8;
    pid me = self();
    for (int i = 0; i < n; ++i) {
      spawn([me] {
        (void)app::loaded_applications();
        send(me, whereis(atom("application_controller")));
      });
    }
    pid first = receive<pid>();
    EXPECT_FALSE(first.is_null());
    for (int i = 1; i < n; ++i) EXPECT_EQ(receive<pid>(), first);
  });
}

TEST_F(ApplicationTest, EachNodeHasItsOwnApplications) {
  node.run([] {
    load_all({test_app("a")});
    ASSERT_EQ(app::start(atom("a")), term(atoms::ok));
  });
  node.shutdown();
  otp::node second({.schedulers = 1});
  second.run([] {
    EXPECT_TRUE(running().empty());
    EXPECT_EQ(app::start(atom("a")), parse("{error, {a, not_loaded}}"));
  });
}

TEST_F(ApplicationTest, AModuleRegisteredDuringStaticInitializationCanBeStarted) {
  EXPECT_TRUE(app::is_module_registered(atom("static_app")));
  node.run([] {
    app::descriptor d = test_app("s", {.library = true});
    d.mod = std::pair<atom, term>(atom("static_app"), term());
    ASSERT_EQ(app::load(d), term(atoms::ok));
    EXPECT_EQ(app::start(atom("s")), term(atoms::ok));
    EXPECT_EQ(app::stop(atom("s")), term(atoms::ok));
  });
  EXPECT_EQ(journal::entries(), (std::vector<std::string>{"start:static", "stop:static"}));
}
