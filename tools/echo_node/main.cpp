// otpp_echo_node: the interop contract of docs/distribution.md. A node that erl talks to:
//
//   otpp_echo_node --name echo@127.0.0.1 --cookie COOKIE [--ticktime SECONDS]
//                  [--tls-cert PEM --tls-key PEM --tls-ca PEM]   (TLS distribution)
//
// It registers with EPMD and runs a supervisor (echo_sup) with one gen_server, `echo`:
//   gen_server:call({echo, Node}, Term)        -> Term (unchanged)
//   gen_server:call({echo, Node}, whoami)      -> {pid, EchoPid}
//   gen_server:call({echo, Node}, {stop, R})   -> ok, then echo exits with R
//   gen_server:cast({echo, Node}, {send, Pid, Msg})  sends Msg to Pid
// The node runs until it is killed (SIGINT/SIGTERM stop it cleanly).

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/logger.hpp>
#include <otp/otp.hpp>
#include <otp/supervisor.hpp>

using namespace otp;
namespace sv = otp::supervisor;

namespace {

struct echo {
  using calls = types<term>;
  using casts = types<term>;

  gen_server::call_result<term> handle_call(term req, const from&) {
    if (req.is_atom(atom("whoami")))
      return gen_server::call_result<term>::reply(otp::tuple(atom("pid"), self()));
    if (req.is_tuple(2) && req[0].is_atom(atoms::stop))
      return gen_server::call_result<term>::stop_with(req[1], term(atoms::ok));
    return gen_server::call_result<term>::reply(std::move(req));
  }

  void handle_cast(term msg) {
    if (msg.is_tuple(3) && msg[0].is_atom(atom("send")) && msg[1].is_pid())
      send(msg[1].as_pid(), msg[2]);
  }
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "otpp_echo_node: %s\nusage: otpp_echo_node (--name NAME@HOST | --sname NAME) "
      "[--cookie COOKIE] [--ticktime SECONDS] [--port PORT]\n"
      "       [--tls-cert PEM --tls-key PEM --tls-ca PEM]  (TLS distribution, as inet_tls)\n",
      why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  dist_options opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--name") {
      opts.name = value();
      opts.long_names = true;
    } else if (a == "--sname") {
      opts.name = value();
      opts.long_names = false;
    } else if (a == "--cookie") {
      opts.cookie = value();
    } else if (a == "--ticktime") {
      opts.net_ticktime = std::chrono::seconds(std::stoi(value()));
    } else if (a == "--tls-cert") {
      if (!opts.tls) opts.tls.emplace();
      opts.tls->certfile = value();
    } else if (a == "--tls-key") {
      if (!opts.tls) opts.tls.emplace();
      opts.tls->keyfile = value();
    } else if (a == "--tls-ca") {
      if (!opts.tls) opts.tls.emplace();
      opts.tls->cacertfile = value();
    } else if (a == "--port") {
      opts.listen_port = uint16_t(std::stoi(value()));
    } else {
      usage(("unknown argument " + a).c_str());
    }
  }
  if (opts.name.empty()) usage("a node name is required");

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // threads started below inherit this

  otp::node n;
  try {
    start_distribution(n, opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otpp_echo_node: cannot start distribution: %s\n", e.what());
    return 1;
  }
  pid sup = n.spawn([] {
    sv::spec tree{
        {.strategy = sv::one_for_one, .intensity = 1000, .period = std::chrono::seconds(1)},
        {sv::worker<echo>(atom("echo"), gen_server::start_options{.name = atom("echo")})}};
    trap_exit(true);
    auto r = sv::start_link(tree, {.name = atom("echo_sup")});
    if (!r) exit(r.reason());
    receive(when([](const exit_msg&) { return true; }, [](const exit_msg& e) { exit(e.reason); }));
  });
  std::string me(node_name().name());
  std::printf("otpp_echo_node %s up (supervisor %s)\n", me.c_str(), to_string(sup).c_str());
  std::string host = me.substr(me.find('@') + 1);
  std::printf(
      "Talk to it from Erlang (Ctrl-C here stops it):\n"
      "  erl %s you@%s%s\n"
      "  1> gen_server:call({echo, '%s'}, {hello, [1, 2.5, <<\"bin\">>]}).\n"
      "  2> gen_server:call({echo, '%s'}, whoami).\n"
      "  3> gen_server:cast({echo, '%s'}, {send, self(), hi}), flush().\n"
      "  4> sys:get_status({echo, '%s'}).\n",
      opts.long_names ? "-name" : "-sname", host.c_str(),
      opts.cookie.empty() ? "" : (" -setcookie " + opts.cookie).c_str(), me.c_str(), me.c_str(),
      me.c_str(), me.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  // An orderly stop: the tree shuts down from the top (children in reverse order), then the node.
  n.run([sup] {
    reference m = monitor(sup);
    exit(sup, atoms::shutdown);
    receive(when([m](const down_msg& d) { return d.ref == m; }, [](const down_msg&) {}));
  });
  n.shutdown();
  logger::flush();
  return 0;
}
