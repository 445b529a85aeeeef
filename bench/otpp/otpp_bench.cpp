// otpp side of the comparison benchmarks. The workloads are defined in the header of
// bench/erlang/otpp_bench.erl; this file implements exactly the same, idiomatically.
//
//   otpp_bench WORKLOAD     (spawn | skynet | memory | pingpong | ring | fanin2 | fanin4 |
//                            call | idle_server,
//                            and spawn_scaling, otpp only)
//
// prints `RESULT <metric> <value> <unit>`. Runs on a node with 2 schedulers and room for
// 2,000,000 processes (as erl +S 2 +P 2000000).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <otp/gen_server.hpp>
#include <otp/otp.hpp>

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
  if (argc != 2 || !workloads.count(argv[1])) {
    std::fprintf(
        stderr,
        "usage: otpp_bench "
        "spawn|spawn_scaling|skynet|memory|pingpong|ring|fanin2|fanin4|call|idle_server\n");
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
