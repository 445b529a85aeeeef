// otpp side of the comparison benchmarks. The workloads are defined in the header of
// bench/erlang/otpp_bench.erl; this file implements exactly the same, idiomatically.
//
//   otpp_bench WORKLOAD     (spawn | skynet | memory | pingpong | ring | fanin2 | fanin4 |
//                            call | idle_server | dist_send | dist_call,
//                            and spawn_scaling, dist_send_beam, dist_call_beam: otpp only)
//   otpp_bench dist_peer --name NAME@HOST --cookie COOKIE
//                           (node B of the dist workloads; started by otpp_bench itself)
//
// prints `RESULT <metric> <value> <unit>`. Runs on a node with 2 schedulers and room for
// 2,000,000 processes (as erl +S 2 +P 2000000).
//
// The dist_* workloads need a second node, and there is one distributed otpp node per OS
// process: otpp_bench starts it as a child process (`otpp_bench dist_peer`, or for the *_beam
// variants the erl dist_peer of otpp_bench.erl), waits for its ready line, and closes its
// stdin when done. EPMD: $ERL_EPMD_PORT (bench/run.py starts a private one), else 4369.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <otp/dist.hpp>
#include <otp/gen_server.hpp>
#include <otp/otp.hpp>

extern char** environ;  // NOLINT: POSIX

using namespace otp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "otpp_bench: FAILED: %s\n", why.c_str());
  std::exit(1);
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void result(const char* metric, double value, const char* unit) {
  std::printf("RESULT %s %.1f %s\n", metric, value, unit);
  std::fflush(stdout);
}

long rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb;
      in >> kb;
      return kb * 1024;
    }
    in.ignore(1 << 20, '\n');
  }
  fail("no VmRSS in /proc/self/status");
}

// ---- spawn --------------------------------------------------------------------------

void spawn_bench(otp::node& n) {
  size_t baseline = n.process_count();
  auto t0 = clock_type::now();
  for (int i = 0; i < 1'000'000; ++i) spawn([] {});
  while (n.process_count() > baseline) otp::sleep(1ms);
  result("spawn_exit_total", ms_since(t0), "ms");
}

// Spawn cost per process at growing N: flat means linear scaling (CAF 0.17's is quadratic).
void spawn_scaling_bench(otp::node& n) {
  for (int count : {250'000, 500'000, 1'000'000}) {
    size_t baseline = n.process_count();
    auto t0 = clock_type::now();
    for (int i = 0; i < count; ++i) spawn([] {});
    while (n.process_count() > baseline) otp::sleep(1ms);
    double ns = ms_since(t0) * 1e6 / count;
    std::string metric = "spawn_" + std::to_string(count / 1000) + "k_per_proc";
    result(metric.c_str(), ns, "ns");
  }
}

// ---- skynet -------------------------------------------------------------------------

void skynet(pid parent, long num, long size) {
  if (size == 1) {
    send(parent, num);
    return;
  }
  pid me = self();
  long sub = size / 10;
  for (long i = 0; i < 10; ++i) spawn(skynet, me, num + i * sub, sub);
  long sum = 0;
  for (int i = 0; i < 10; ++i) sum += receive<long>();
  send(parent, sum);
}

void skynet_bench(otp::node&) {
  pid me = self();
  auto t0 = clock_type::now();
  spawn(skynet, me, 0L, 1'000'000L);
  long sum = receive<long>();
  double ms = ms_since(t0);
  if (sum != 499999500000L) fail("skynet sum " + std::to_string(sum));
  result("skynet_total", ms, "ms");
}

// ---- memory -------------------------------------------------------------------------

struct ready {};
struct never_sent {};

void memory_bench(otp::node& n) {
  constexpr int count = 100'000, batch = 1'000;
  size_t baseline = n.process_count();
  std::vector<pid> sleepers(count);  // teardown bookkeeping, allocated and touched first
  pid me = self();
  long before = rss_bytes();
  for (int done = 0; done < count; done += batch) {
    for (int i = 0; i < batch; ++i) {
      sleepers[done + i] = spawn([me] {
        send(me, ready{});
        receive<never_sent>();
      });
    }
    for (int i = 0; i < batch; ++i) receive<ready>();
  }
  long after = rss_bytes();
  result("mem_rss_per_proc", double(after - before) / count, "bytes");
  for (pid p : sleepers) otp::exit(p, atoms::kill);
  while (n.process_count() > baseline) otp::sleep(1ms);
}

// ---- pingpong -----------------------------------------------------------------------

struct ping {
  pid from;
  int n;
};
struct pong {
  int n;
};

void pingpong_bench(otp::node&) {
  constexpr int rounds = 1'000'000;
  pid pong_pid = spawn([] {
    for (;;) {
      ping p = receive<ping>();
      send(p.from, pong{p.n});
    }
  });
  pid me = self();
  auto t0 = clock_type::now();
  for (int n = rounds; n > 0; --n) {
    send(pong_pid, ping{me, n});
    receive<pong>([n](const pong& r) { return r.n == n; });
  }
  double secs = seconds_since(t0);
  otp::exit(pong_pid, atoms::kill);
  result("pingpong_rate", rounds / secs, "roundtrips/s");
}

// ---- ring ---------------------------------------------------------------------------

struct next_node {
  pid next;
};
struct ring_ack {};
struct ring_done {};

void ring_node(pid reporter) {
  pid next = receive<next_node>().next;
  send(reporter, ring_ack{});
  for (;;) {
    int token = receive<int>();
    if (token == 0) {
      send(reporter, ring_done{});
    } else {
      send(next, token - 1);
    }
  }
}

void ring_bench(otp::node&) {
  constexpr int size = 1000, hops = 1'000'000;
  pid me = self();
  std::vector<pid> nodes;
  for (int i = 0; i < size; ++i) nodes.push_back(spawn(ring_node, me));
  for (int i = 0; i < size; ++i) send(nodes[i], next_node{nodes[(i + 1) % size]});
  for (int i = 0; i < size; ++i) receive<ring_ack>();
  auto t0 = clock_type::now();
  send(nodes[0], hops);
  receive<ring_done>();
  double secs = seconds_since(t0);
  for (pid p : nodes) otp::exit(p, atoms::kill);
  result("ring_rate", hops / secs, "hops/s");
}

// ---- fan-in -------------------------------------------------------------------------

struct fanin_ready {};
struct go {};
struct fanin_done {};

void fanin_bench(int senders) {
  constexpr long per_sender = 1'000'000;
  long total = senders * per_sender;
  pid me = self();
  pid receiver = spawn([me, total] {
    for (long i = 0; i < total; ++i) receive<long>();
    send(me, fanin_done{});
  });
  std::vector<pid> ss;
  for (int i = 0; i < senders; ++i) {
    ss.push_back(spawn([me, receiver] {
      send(me, fanin_ready{});
      receive<go>();
      for (long n = per_sender; n > 0; --n) send(receiver, n);
    }));
  }
  for (int i = 0; i < senders; ++i) receive<fanin_ready>();
  auto t0 = clock_type::now();
  for (pid s : ss) send(s, go{});
  receive<fanin_done>();
  double secs = seconds_since(t0);
  std::string metric = "fanin" + std::to_string(senders) + "_rate";
  result(metric.c_str(), total / secs, "msgs/s");
}

// ---- gen_server call ----------------------------------------------------------------

struct call_counter {
  struct incr {
    using reply = long;
  };
  using calls = otp::types<incr>;
  long handle_call(incr, const otp::from&) { return ++n; }
  long n = 0;
};

void call_bench(otp::node&) {
  constexpr long calls = 1'000'000;
  pid server = gen_server::start_link<call_counter>().child();
  auto t0 = clock_type::now();
  long last = 0;
  for (long i = 0; i < calls; ++i) last = gen_server::call(server, call_counter::incr{});
  double secs = seconds_since(t0);
  if (last != calls) fail("call counter ended at " + std::to_string(last));
  gen_server::stop(server);
  result("call_rate", calls / secs, "calls/s");
}

// ---- idle gen_servers -----------------------------------------------------------------

struct idle_server {
  explicit idle_server(long v) : value(v) {}
  long value;
};

void idle_server_bench(otp::node& n) {
  constexpr int count = 100'000;
  size_t baseline = n.process_count();
  std::vector<pid> servers(count);  // teardown bookkeeping, allocated and touched first
  long before = rss_bytes();
  for (int i = 0; i < count; ++i) servers[i] = gen_server::start<idle_server>(long(i)).child();
  long after = rss_bytes();
  result("mem_gen_server_per_proc", double(after - before) / count, "bytes");
  for (pid p : servers) otp::exit(p, atoms::kill);
  while (n.process_count() > baseline) otp::sleep(1ms);
}

// ---- distribution ---------------------------------------------------------------------
//
// Node B ("dist_peer") runs `sink` and `echo`; node A (the workload) talks to it. See the
// header of bench/erlang/otpp_bench.erl.

constexpr long dist_send_count = 1'000'000;
constexpr long dist_call_count = 100'000;

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s += letters[rng() % 36];
  return s;
}

// Counts {seq, N}; answers {count, From} with {count, Counted} and starts again from 0.
void dist_sink() {
  const atom seq("seq"), count("count");
  long counted = 0;
  for (;;) {
    term m = receive<term>();
    if (m.is_tuple(2) && m[0].is_atom(seq)) {
      ++counted;
    } else if (m.is_tuple(2) && m[0].is_atom(count) && m[1].is_pid()) {
      send(m[1].as_pid(), otp::tuple(count, counted));
      counted = 0;
    }
  }
}

// gen_server:call(echo, T) -> T.
struct dist_echo {
  using calls = otp::types<term>;
  term handle_call(term req, const otp::from&) { return req; }
};

// otpp_bench dist_peer --name NAME --cookie COOKIE: runs until stdin closes.
int dist_peer_main(int argc, char** argv) {
  dist_options opts;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--name") {
      opts.name = argv[i + 1];
    } else if (a == "--cookie") {
      opts.cookie = argv[i + 1];
    } else {
      fail("dist_peer: unknown argument " + a);
    }
  }
  if (opts.name.empty() || opts.cookie.empty() || argc % 2 != 0)
    fail("usage: otpp_bench dist_peer --name NAME@HOST --cookie COOKIE");
  otp::node n({.schedulers = 2, .max_processes = 2'000'000});
  try {
    start_distribution(n, opts);
    n.run([] {
      register_name(atom("sink"), spawn(dist_sink));
      auto r = gen_server::start<dist_echo>(gen_server::start_options{.name = atom("echo")});
      if (!r) fail("dist_peer: echo did not start: " + to_string(r.reason()));
    });
  } catch (const std::exception& e) {
    fail(std::string("dist_peer: ") + e.what());
  }
  std::printf("dist_peer ready %s\n", std::string(node_name().name()).c_str());
  std::fflush(stdout);
  char buf[256];
  for (;;) {
    ssize_t r = ::read(0, buf, sizeof buf);
    if (r == 0 || (r < 0 && errno != EINTR)) break;
  }
  n.shutdown();
  return 0;
}

// A child OS process (node B) with its stdin and stdout on pipes. After its ready line, what
// it prints is forwarded to our stderr by a thread (so its stdout never fills up).
class peer_process {
 public:
  explicit peer_process(std::vector<std::string> argv) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
      fail("pipe: " + std::string(std::strerror(errno)));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, argv[0].c_str(), &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    if (rc != 0) fail("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;
  ~peer_process() { stop(); }

  // Reads stdout until the line "dist_peer ready ..." (earlier lines go to stderr).
  void wait_ready(std::chrono::seconds timeout) {
    auto deadline = clock_type::now() + timeout;
    std::string buf;
    for (;;) {
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        if (line.rfind("dist_peer ready", 0) == 0) {
          forwarder_ = std::thread([this, rest = buf] { forward(rest); });
          return;
        }
        std::fprintf(stderr, "peer: %s\n", line.c_str());
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, int(left.count())) <= 0)
        fail("the peer node printed no ready line");
      char tmp[4096];
      ssize_t n = ::read(out_, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("the peer node exited before it was ready");
      buf.append(tmp, size_t(n));
    }
  }

  // Closes the peer's stdin (it then stops) and waits for it to exit; killed after 10 s.
  void stop() {
    if (pid_ <= 0) return;
    if (in_ >= 0) ::close(std::exchange(in_, -1));
    int pidfd = int(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) {
        std::fprintf(stderr, "otpp_bench: the peer node did not stop within 10 s: killed\n");
        ::kill(pid_, SIGKILL);
      }
      ::close(pidfd);
    } else {
      ::kill(pid_, SIGKILL);
    }
    int st;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    stopping_ = true;
    if (forwarder_.joinable()) forwarder_.join();
    ::close(out_);
  }

 private:
  void forward(std::string pending) {
    std::string buf = std::move(pending);
    for (;;) {
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        std::fprintf(stderr, "peer: %s\n", buf.substr(0, nl).c_str());
        buf.erase(0, nl + 1);
      }
      pollfd p{out_, POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      if (r == 0) {
        if (stopping_) return;  // the peer is gone (a grandchild may keep the pipe open)
        continue;
      }
      char tmp[4096];
      ssize_t n = ::read(out_, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      buf.append(tmp, size_t(n));
    }
  }

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::thread forwarder_;
  std::atomic<bool> stopping_{false};
};

// Where run.py compiled bench/erlang: $OTPP_BENCH_ERL_DIR, else <this binary's dir>/../erlang.
std::string erl_beam_dir() {
  if (const char* d = std::getenv("OTPP_BENCH_ERL_DIR"); d && *d) return d;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) fail("cannot find this executable: " + ec.message());
  return (exe.parent_path().parent_path() / "erlang").string();
}

void dist_send_bench(atom peer, const char* metric) {
  const atom seq("seq"), count("count");
  const atom sink("sink");
  auto t0 = clock_type::now();
  for (long n = dist_send_count; n > 0; --n) send(sink, peer, otp::tuple(seq, n));
  send(sink, peer, otp::tuple(count, self()));
  std::optional<term> reply =
      receive(when([count](const term& t) { return t.is_tuple(2) && t[0].is_atom(count); },
                   [](term t) -> std::optional<term> { return t; }),
              after(60s, []() -> std::optional<term> { return std::nullopt; }));
  if (!reply) fail("no count from the sink within 60 s");
  double secs = seconds_since(t0);
  long counted = (*reply)[1].as_int();
  if (counted != dist_send_count) fail("the sink counted " + std::to_string(counted) + " messages");
  result(metric, dist_send_count / secs, "msgs/s");
}

void dist_call_bench(atom peer, const char* metric) {
  const atom req("req");
  server_ref echo(atom("echo"), peer);
  auto t0 = clock_type::now();
  for (long n = dist_call_count; n > 0; --n) {
    term request = otp::tuple(req, n);
    term reply = gen_server::call(echo, request);
    if (reply != request) fail("reply " + to_string(reply) + " to " + to_string(request));
  }
  double secs = seconds_since(t0);
  result(metric, dist_call_count / secs, "calls/s");
}

// Node A: this process, distributed; node B: a child process (otpp or erl dist_peer).
int dist_main(const std::string& workload, const char* self_exe) {
  bool to_beam = workload.ends_with("_beam");
  std::string suffix = random_suffix();
  std::string cookie = "otppbench_" + random_suffix();
  std::string peer_name = "otppbench_b_" + suffix + "@127.0.0.1";
  otp::node n({.schedulers = 2, .max_processes = 2'000'000});
  try {
    start_distribution(n, {.name = "otppbench_a_" + suffix + "@127.0.0.1", .cookie = cookie});
  } catch (const std::exception& e) {
    fail(std::string("cannot start distribution: ") + e.what());
  }
  std::vector<std::string> argv;
  if (to_beam) {
    std::string dir = erl_beam_dir();
    if (!std::filesystem::exists(dir + "/otpp_bench.beam"))
      fail("no otpp_bench.beam in " + dir +
           " (compile bench/erlang/*.erl there, or set OTPP_BENCH_ERL_DIR)");
    argv = {"erl", "-noshell", "+S", "2", "+P", "2000000"};  // bench/run.py's ERL_FLAGS
    argv.insert(argv.end(), {"-name", peer_name, "-setcookie", cookie, "-start_epmd", "false"});
    argv.insert(argv.end(), {"-pa", dir, "-run", "otpp_bench", "main", "dist_peer"});
  } else {
    argv = {self_exe, "dist_peer", "--name", peer_name, "--cookie", cookie};
  }
  peer_process peer(argv);
  peer.wait_ready(60s);
  atom peer_node(peer_name);
  try {
    n.run([&] {
      if (!otp::ping(peer_node)) fail("cannot connect to " + peer_name);
      if (workload.starts_with("dist_send")) {
        dist_send_bench(peer_node, to_beam ? "dist_send_beam_rate" : "dist_send_rate");
      } else {
        dist_call_bench(peer_node, to_beam ? "dist_call_beam_rate" : "dist_call_rate");
      }
    });
  } catch (const exit_exception& e) {
    fail(workload + " crashed: " + to_string(e.reason()));
  } catch (const std::exception& e) {
    fail(workload + " crashed: " + e.what());
  }
  peer.stop();
  n.shutdown();
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::function<void(otp::node&)>> workloads = {
      {"spawn", spawn_bench},
      {"spawn_scaling", spawn_scaling_bench},
      {"skynet", skynet_bench},
      {"memory", memory_bench},
      {"pingpong", pingpong_bench},
      {"ring", ring_bench},
      {"fanin2", [](otp::node&) { fanin_bench(2); }},
      {"fanin4", [](otp::node&) { fanin_bench(4); }},
      {"call", call_bench},
      {"idle_server", idle_server_bench},
  };
  if (argc >= 2 && std::string(argv[1]) == "dist_peer") return dist_peer_main(argc, argv);
  if (argc == 2) {
    std::string w = argv[1];
    if (w == "dist_send" || w == "dist_call" || w == "dist_send_beam" || w == "dist_call_beam")
      return dist_main(w, argv[0]);
  }
  if (argc != 2 || !workloads.count(argv[1])) {
    std::fprintf(stderr,
                 "usage: otpp_bench "
                 "spawn|spawn_scaling|skynet|memory|pingpong|ring|fanin2|fanin4|call|idle_server|"
                 "dist_send|dist_call|dist_send_beam|dist_call_beam\n"
                 "       otpp_bench dist_peer --name NAME@HOST --cookie COOKIE\n");
    return 2;
  }
  otp::node n({.schedulers = 2, .max_processes = 2'000'000});
  try {
    n.run([&] { workloads[argv[1]](n); });
  } catch (const exit_exception& e) {
    fail(std::string(argv[1]) + " crashed: " + to_string(e.reason()));
  } catch (const std::exception& e) {
    fail(std::string(argv[1]) + " crashed: " + e.what());
  }
  return 0;
}
