// The shell's built-ins against a running node: sends and flush, calls to C++ servers,
// sys, names, exit/2, i() and regs(), rpc-registered functions, registered builtins.

#include <otp/gen_server.hpp>
#include <otp/logger.hpp>
#include <otp/rpc.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace shell_test;
using namespace std::chrono_literals;

namespace {

// A server speaking Erlang terms: {put, K, V} and {get, K}, by call or cast.
struct kv {
  using calls = types<term>;
  using casts = types<term>;

  term handle_call(const term& req, const from&) {
    if (req.is_tuple(2) && req[0].is_atom(atom("get"))) {
      const term* v = data.map_find(req[1]);
      return v ? *v : term(atoms::undefined);
    }
    handle_cast(req);
    return term(atoms::ok);
  }
  void handle_cast(const term& msg) {
    if (!msg.is_tuple(3) || !msg[0].is_atom(atom("put"))) return;
    std::vector<std::pair<term, term>> kvs(data.map_entries().begin(), data.map_entries().end());
    kvs.emplace_back(msg[1], msg[2]);
    data = term::map(std::move(kvs));
  }
  term to_term() const { return data; }  // what sys:get_state shows

  term data = term::map({});
};

pid start_kv() {
  auto r = gen_server::start_link<kv>(gen_server::start_options{.name = atom("kv")});
  EXPECT_TRUE(r.is_ok());
  return r.child();
}

// A process that waits until it is killed, registered as `name`.
pid idle_process(atom name) {
  pid p = spawn([] { receive([](const term&) {}); });
  register_name(name, p);
  return p;
}

struct no_term_form {
  int x = 0;
};

}  // namespace

TEST_F(ShellTest, SendsArriveAndFlushPrintsThem) {
  node.run([] {
    shell::session s;
    EXPECT_EQ(s.eval("self() ! hello, self() ! {x, 1}.").output, "{x,1}\n");
    send(self(), std::string("text"));  // C++ messages show their term form
    send(self(), no_term_form{});
    EXPECT_EQ(s.eval("flush().").output,
              "Shell got hello\nShell got {x,1}\nShell got <<\"text\">>\n"
              "Shell got {cpp_value,<<\"(anonymous namespace)::no_term_form\">>}\nok\n");
    EXPECT_EQ(s.eval("flush().").output, "ok\n");
    EXPECT_EQ(s.eval("register(me, self()), me ! by_name, {me, node()} ! by_pair.").output,
              "by_pair\n");
    EXPECT_EQ(s.eval("erlang:send(me, by_send), flush().").output,
              "Shell got by_name\nShell got by_pair\nShell got by_send\nok\n");
  });
}

TEST_F(ShellTest, GenServerCallsAndCastsReachACxxServerAsTerms) {
  node.run([] {
    start_kv();
    shell::session s;
    EXPECT_EQ(s.eval("gen_server:call(kv, {put, a, 1}).").output, "ok\n");
    EXPECT_EQ(s.eval("gen_server:call(kv, {get, a}).").output, "1\n");
    EXPECT_EQ(s.eval("gen_server:cast(kv, {put, b, [2]}).").output, "ok\n");
    EXPECT_EQ(s.eval("gen_server:call(whereis(kv), {get, b}, infinity).").output, "[2]\n");
    EXPECT_EQ(s.eval("sys:get_state(kv).").output, "#{a => 1,b => [2]}\n");
    EXPECT_EQ(s.eval("gen_server:call(nobody, x).").output,
              "** exception exit: {noproc,{gen_server,call,[nobody,x]}}\n");
    EXPECT_EQ(s.eval("gen_server:cast(nobody, x).").output, "ok\n");
  });
}

TEST_F(ShellTest, SysSuspendsResumesAndReportsStatusInErlangsShape) {
  node.run([] {
    pid server = start_kv();
    shell::session s;
    EXPECT_EQ(s.eval("sys:suspend(kv).").output, "ok\n");
    EXPECT_EQ(s.eval("gen_server:call(kv, {get, a}, 50).").output,
              "** exception exit: {timeout,{gen_server,call,[kv,{get,a},50]}}\n");
    EXPECT_EQ(s.eval("sys:resume(kv).").output, "ok\n");
    EXPECT_EQ(s.eval("gen_server:call(kv, {get, a}).").output, "undefined\n");
    std::string me = to_string(self()), it = to_string(server);
    EXPECT_EQ(s.eval("sys:get_status(kv).").output,
              "{status," + it + ",{module,gen_server},[[],running," + me +
                  ",[],[{header,\"Status for generic server kv\"},{data,[{\"Status\",running},"
                  "{\"Parent\"," +
                  me + "},{\"Logged events\",[]}]},{data,[{\"State\",#{}}]}]]}\n");
  });
}

TEST_F(ShellTest, NamesRegisterAndResolve) {
  node.run([] {
    shell::session s;
    EXPECT_EQ(s.eval("register(me, self()).").output, "true\n");
    EXPECT_EQ(s.eval("whereis(me) =:= self().").output, "true\n");
    EXPECT_EQ(s.eval("register(me, self()).").output,
              "** exception error: bad argument\n     in function  register/2\n"
              "        called as register(me," +
                  to_string(self()) + ")\n");
    EXPECT_EQ(s.eval("unregister(me).").output, "true\n");
    EXPECT_EQ(s.eval("whereis(me).").output, "undefined\n");
  });
}

TEST_F(ShellTest, ExitTwoKillsAProcessAMonitorSeesDie) {
  node.run([] {
    pid victim = idle_process(atom("victim"));
    shell::session s;
    shell::eval_result r =
        s.eval("P = whereis(victim), Ref = erlang:monitor(process, P), exit(P, kill), Ref.");
    ASSERT_TRUE(r.value.is_reference()) << r.output;
    // The kill is asynchronous: wait for the DOWN here, then hand it back for flush().
    reference ref = r.value.as_reference();
    down_msg down = receive(
        when([&](const down_msg& d) { return d.ref == ref; }, [](down_msg d) { return d; }));
    EXPECT_EQ(down.reason, term(atoms::killed));
    send(self(), down.to_term());
    std::string out = s.eval("flush().").output;
    EXPECT_EQ(out.rfind("Shell got {'DOWN',#Ref<", 0), 0u) << out;
    EXPECT_NE(out.find(",process," + to_string(victim) + ",killed}\nok\n"), std::string::npos)
        << out;
    EXPECT_EQ(s.eval("is_process_alive(P).").output, "false\n");
    EXPECT_EQ(s.eval("process_info(P).").output, "undefined\n");
  });
}

TEST_F(ShellTest, ExitSignalsToTheShellProcessEndItAsInErlang) {
  term reason = node.run([] {
    spawn_monitor([] {
      shell::session s;
      s.eval("exit(self(), kill).");  // does not return: the kill ends this process
      ADD_FAILURE() << "the session swallowed the kill";
    });
    return receive([](down_msg d) { return d.reason; });
  });
  EXPECT_EQ(reason, term(atoms::killed));
}

TEST_F(ShellTest, IListsProcessesWithTheirNames) {
  std::string out = node.run([] {
    idle_process(atom("shell_test_idle"));
    start_kv();
    shell::session s;
    return s.eval("i().").output;
  });
  EXPECT_EQ(out.rfind("Pid                   Initial Call                        Memory    Links "
                      "Msgs\nRegistered            Status                               Stack"
                      "              \n",
                      0),
            0u)
      << out;
  // Spawned lambdas show the function that spawned them, behaviours their label, cut to
  // the column's 33 characters as erl cuts them.
  EXPECT_NE(out.find(" (anonymous namespace)::idle_proce "), std::string::npos) << out;
  EXPECT_NE(out.find("\nshell_test_idle       waiting"), std::string::npos) << out;
  EXPECT_NE(out.find(" gen_server (anonymous namespace): "), std::string::npos) << out;
  EXPECT_NE(out.find("\nkv                    "), std::string::npos) << out;
  EXPECT_NE(out.find("\nTotal "), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 3), "ok\n");
}

TEST_F(ShellTest, RegsListsRegisteredNames) {
  std::string out, name;
  node.run([&] {
    pid p = idle_process(atom("shell_test_regs"));
    name = "shell_test_regs       " + to_string(p);
    shell::session s;
    out = s.eval("regs().").output;
  });
  EXPECT_EQ(out.rfind("\n** Registered procs on node nonode@nohost **\n"
                      "Name                  Pid          Initial Call                    "
                      "Memory Msgs\n",
                      0),
            0u)
      << out;
  EXPECT_NE(out.find("\n" + name), std::string::npos) << out;
}

TEST_F(ShellTest, ProcessInfoIsAProplist) {
  node.run([] {
    shell::session s;
    EXPECT_EQ(s.eval("process_info(self(), message_queue_len).").output, "{message_queue_len,0}\n");
    EXPECT_EQ(s.eval("process_info(self(), registered_name).").output, "[]\n");
    std::string all = s.eval("process_info(self()).").output;
    EXPECT_EQ(all.rfind("[{current_function,", 0), 0u) << all;
    EXPECT_NE(all.find("{status,running},{message_queue_len,0},{links,[]}"), std::string::npos)
        << all;
  });
}

TEST_F(ShellTest, FunctionsRegisteredForRpcAreCallable) {
  rpc::register_function(atom("calc"), atom("add"), 2, [](const std::vector<term>& a) {
    if (!a[0].is_integer()) throw rpc::error(term(atoms::badarg));
    if (a[0].as_int() < 0) throw term(atom("negative"));
    return term(a[0].as_int() + a[1].as_int());
  });
  auto out = outputs({"calc:add(1, 2).", "calc:add(x, 2).", "calc:add(-1, 2).", "calc:add(1)."});
  rpc::unregister_function(atom("calc"), atom("add"));
  EXPECT_EQ(out[0], "3\n");
  EXPECT_EQ(out[1], "** exception error: bad argument\n     in function  calc:add/2\n");
  EXPECT_EQ(out[2], "** exception throw: negative\n");
  EXPECT_EQ(out[3], "** exception error: undefined function calc:add/1\n");
}

TEST_F(ShellTest, WhichApplicationsAsksTheRpcRegistryAtCallTime) {
  EXPECT_EQ(output("which_applications()."),
            "** exception error: undefined function application:which_applications/0\n");
  rpc::register_function(
      atom("application"), atom("which_applications"), 0, [](const std::vector<term>&) {
        return otp::list(
            otp::tuple(atom("kernel"), term::string("ERTS  CXC"), term::string("8.5")));
      });
  EXPECT_EQ(output("which_applications()."), "[{kernel,\"ERTS  CXC\",\"8.5\"}]\n");
  rpc::unregister_function(atom("application"), atom("which_applications"));
}

TEST_F(ShellTest, RegisteredBuiltinsComeBeforeTheRpcRegistry) {
  shell::register_builtin(atom("greeter"), atom("hello"), 1,
                          [](const std::vector<term>& a, shell::output& out) {
                            out.write("hello, " + to_string(a[0]) + "\n");
                            return term(atoms::ok);
                          });
  shell::register_builtin(atom(), atom("answer"), 0,
                          [](const std::vector<term>&, shell::output&) { return term(42); });
  EXPECT_EQ(output("greeter:hello(world)."), "hello, world\nok\n");
  EXPECT_EQ(output("answer() + 1."), "43\n");
}

TEST_F(ShellTest, LoggerPrimaryLevelIsSetAndRead) {
  auto out =
      outputs({"logger:set_primary_config(level, debug).", "logger:get_primary_config().",
               "logger:set_primary_config(level, foo).", "logger:set_primary_config(foo, 1).",
               "logger:set_primary_config(level, notice)."});
  EXPECT_EQ(out[0], "ok\n");
  EXPECT_EQ(out[1], "#{filter_default => log,filters => [],level => debug,metadata => #{}}\n");
  EXPECT_EQ(out[2], "{error,{invalid_level,foo}}\n");
  EXPECT_EQ(out[3], "{error,{invalid_primary_config,{foo,1}}}\n");
  EXPECT_EQ(out[4], "ok\n");
}

TEST_F(ShellTest, NodeBuiltinsDescribeANonDistributedNode) {
  auto out = outputs({"node().", "nodes().", "help().", "length(processes()) >= 1."});
  EXPECT_EQ(out[0], "nonode@nohost\n");
  EXPECT_EQ(out[1], "[]\n");
  EXPECT_EQ(out[2].rfind("** shell internal commands **\n", 0), 0u);
  EXPECT_EQ(out[2].substr(out[2].size() - 5), "true\n");
  EXPECT_EQ(out[3], "true\n");
}
