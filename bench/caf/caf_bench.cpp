// CAF 0.17 implementations of the otpp comparison workloads.
//
//   caf_bench WORKLOAD    (spawn | skynet | memory | pingpong | ring | fanin2 | fanin4 | call |
//                          idle_server)
//
// Prints `RESULT <metric> <value> <unit>` lines, like bench/erlang/otpp_bench.erl, whose header
// comment is the authoritative definition of every workload. This file mirrors those definitions
// with idiomatic CAF: event-based actors (function-based, or stateful_actor where a handler needs
// state), plain async `send`, and an actor system with exactly 2 scheduler threads
// (`scheduler.max-threads = 2`, matching `erl +S 2`).
//
// Where a workload needs a coordinator that waits for the end of the run, the main thread uses a
// `scoped_actor` (CAF's blocking actor for non-actor threads). Everything that is *measured*
// (spawning, message passing) happens between event-based actors on the two scheduler threads.
//
// CAF specifics worth knowing when reading the numbers:
//  * spawn: "gone" = the actor object has been destroyed. `empty_actor`'s destructor increments
//    a global atomic; CAF runs it when the last strong reference is dropped, i.e. after the actor
//    terminated and the scheduler released it. The spawner polls the counter every 1 ms (a
//    delayed_send to itself), exactly like the Erlang version polls process_count.
//    The spawner spawns 1000 actors per message and sends itself a message to continue, and this
//    workload (only) runs with `scheduler.max-throughput = 1`, so the spawner gives its worker
//    back after every chunk -- CAF's analogue of BEAM preempting the spawning process. Without it
//    the 1M new actors pile up in the spawner's worker queue and CAF 0.17's work stealing, whose
//    take_tail() walks that singly linked queue from the head (O(n) per steal), turns the run
//    quadratic: a single 1M-iteration loop did not finish within 120 s on a 2-core machine.
//  * memory: the vector holding the 100k handles (needed only to kill the actors afterwards) is
//    allocated and touched *before* the baseline RSS is read, so it is not counted. The kill is
//    sent from the main thread, which spreads the exit work over both workers (sent from inside
//    an actor, it would queue 100k jobs on one worker and hit the same O(n) stealing).
//  * fanin: each sender sends its 1M messages in one tight loop inside one handler (the idiomatic
//    "as fast as it can"); CAF cannot preempt a running handler, so with 4 senders on 2 threads
//    the receiver starts draining only when a sender finishes.
//  * call: CAF's gen_server:call is request/response: the client actor sends
//    `request(server, 5 s, incr)` (5 s = gen_server's default call timeout) and issues the next
//    request from the `.then()` handler of the previous one, so exactly one request is in
//    flight. The server is a stateful_actor whose handler returns the new counter value (the
//    response). A finite timeout makes CAF 0.17 register a timeout with its actor clock for
//    every request, as gen_server:call arms a receive timeout for every call.
//  * idle_server: the same counter server as in call (a stateful_actor with an int32 state),
//    100k of them. gen_server:start is synchronous (returns after init/1), so each server sends
//    `ready` to the coordinator while it initialises and the coordinator spawns the next server
//    only on that `ready`: one start at a time, and all 100k are initialised and idle when the
//    last `ready` arrives. The handle vector is pre-allocated as in memory.

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using caf::actor;
using caf::actor_cast;
using caf::behavior;
using caf::event_based_actor;
using caf::stateful_actor;

// Atoms used as control messages; ping_atom / pong_atom come with CAF itself.
using go_atom = caf::atom_constant<caf::atom("go")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using next_atom = caf::atom_constant<caf::atom("next")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using incr_atom = caf::atom_constant<caf::atom("incr")>;

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// One `RESULT <metric> <value> <unit>` line; `decimals` digits after the point, no separators.
void print_result(const char* metric, double value, int decimals, const char* unit) {
  std::printf("RESULT %s %.*f %s\n", metric, decimals, value, unit);
  std::fflush(stdout);
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "caf_bench: FAILED: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

// Resident set size of this OS process in bytes (VmRSS in /proc/self/status).
long read_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) fail("cannot open /proc/self/status");
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      kb = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  if (kb < 0) fail("no VmRSS line in /proc/self/status");
  return kb * 1024;
}

// ---------------------------------------------------------------------------------------------
// spawn: one actor spawns 1,000,000 actors that terminate immediately; time until all are gone.

constexpr int spawn_count = 1'000'000;
constexpr int spawn_chunk = 1'000;  // spawns per message handled by the spawner
std::atomic<int> spawn_destroyed{0};

// An actor with an empty body: returning an empty behavior makes CAF terminate it right after
// initialization. Its destructor is the "gone" signal.
class empty_actor : public event_based_actor {
 public:
  explicit empty_actor(caf::actor_config& cfg) : event_based_actor(cfg) {}
  ~empty_actor() override { spawn_destroyed.fetch_add(1, std::memory_order_release); }
  behavior make_behavior() override { return {}; }
};

struct spawner_state {
  clock_type::time_point t0;
};

behavior spawner(stateful_actor<spawner_state>* self, actor reply_to) {
  return {
      [=](go_atom) {
        self->state.t0 = clock_type::now();
        self->send(self, next_atom::value, spawn_count);
      },
      // Spawns the next chunk; `left` actors remain to be spawned.
      [=](next_atom, int left) {
        const int n = left < spawn_chunk ? left : spawn_chunk;
        for (int i = 0; i < n; ++i) self->spawn<empty_actor>();
        if (left > n)
          self->send(self, next_atom::value, left - n);
        else
          self->send(self, poll_atom::value);
      },
      [=](poll_atom) {
        if (spawn_destroyed.load(std::memory_order_acquire) == spawn_count) {
          self->send(reply_to, ms_since(self->state.t0));
          self->quit();
        } else {
          self->delayed_send(self, std::chrono::milliseconds(1), poll_atom::value);
        }
      },
  };
}

void run_spawn(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  auto s = sys.spawn(spawner, actor_cast<actor>(self));
  self->send(s, go_atom::value);
  self->receive([](double ms) { print_result("spawn_exit_total", ms, 1, "ms"); });
}

// ---------------------------------------------------------------------------------------------
// skynet: 10-ary tree of actors, 1,000,000 leaves; every node sums its children's results.

constexpr int64_t skynet_leaves = 1'000'000;
constexpr int64_t skynet_expected = 499'999'500'000;

struct skynet_state {
  int64_t sum = 0;
  int pending = 10;
};

behavior skynet(stateful_actor<skynet_state>* self, actor parent, int64_t num, int64_t size) {
  if (size == 1) {
    self->send(parent, num);
    return {};  // leaf: report and terminate
  }
  const int64_t sub = size / 10;
  for (int64_t i = 0; i < 10; ++i) self->spawn(skynet, actor_cast<actor>(self), num + i * sub, sub);
  return {
      [=](int64_t partial) {
        self->state.sum += partial;
        if (--self->state.pending == 0) {
          self->send(parent, self->state.sum);
          self->quit();
        }
      },
  };
}

void run_skynet(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  const auto t0 = clock_type::now();
  sys.spawn(skynet, actor_cast<actor>(self), int64_t{0}, skynet_leaves);
  int64_t sum = -1;
  self->receive([&](int64_t x) { sum = x; });
  const double ms = ms_since(t0);
  if (sum != skynet_expected)
    fail("skynet sum " + std::to_string(sum) + " != " + std::to_string(skynet_expected));
  print_result("skynet_total", ms, 1, "ms");
}

// ---------------------------------------------------------------------------------------------
// memory: 100,000 actors waiting for a message; RSS growth per actor.

constexpr int mem_count = 100'000;
constexpr int mem_batch = 1'000;  // spawn this many, collect their readies, repeat

// Announces itself to the parent, then waits for a message that only comes at teardown.
behavior sleeper(event_based_actor* self, actor parent) {
  self->send(parent, ready_atom::value);
  return {
      [=](stop_atom) { self->quit(); },
  };
}

struct memory_state {
  std::vector<actor> children;
  int spawned = 0;
  int ready = 0;
  long rss_before = 0;
};

behavior memory_coordinator(stateful_actor<memory_state>* self, actor reply_to) {
  // Allocate and touch the handle vector now, so that it is part of the baseline.
  self->state.children.resize(mem_count);
  auto spawn_batch = [self] {
    auto& st = self->state;
    for (int i = 0; i < mem_batch && st.spawned < mem_count; ++i)
      st.children[st.spawned++] = self->spawn(sleeper, actor_cast<actor>(self));
  };
  return {
      [=](go_atom) {
        self->state.rss_before = read_rss_bytes();
        spawn_batch();
      },
      [=](ready_atom) {
        auto& st = self->state;
        if (++st.ready < st.spawned) return;
        if (st.spawned < mem_count) {
          spawn_batch();
          return;
        }
        // All 100k are alive and blocked. Hand the handles to main, which kills them.
        const long rss_after = read_rss_bytes();
        self->send(reply_to, static_cast<double>(rss_after - st.rss_before) / mem_count,
                   std::move(st.children));
        self->quit();
      },
  };
}

void run_memory(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  auto c = sys.spawn(memory_coordinator, actor_cast<actor>(self));
  self->send(c, go_atom::value);
  std::vector<actor> children;
  self->receive([&](double per_proc, std::vector<actor>& xs) {
    print_result("mem_rss_per_proc", per_proc, 1, "bytes");
    children = std::move(xs);
  });
  for (auto& child : children) self->send_exit(child, caf::exit_reason::kill);
}

// ---------------------------------------------------------------------------------------------
// pingpong: 1,000,000 round trips between two actors, one message in flight.

constexpr int32_t pingpong_rounds = 1'000'000;

// Replies to every ping; returning a value from a handler sends it back to the sender.
behavior pong(event_based_actor*) {
  return {
      [](caf::ping_atom, int32_t n) { return std::make_tuple(caf::pong_atom::value, n); },
  };
}

struct ping_state {
  clock_type::time_point t0;
};

behavior ping(stateful_actor<ping_state>* self, actor ponger, actor reply_to) {
  return {
      [=](go_atom) {
        self->state.t0 = clock_type::now();
        self->send(ponger, caf::ping_atom::value, pingpong_rounds);
      },
      [=](caf::pong_atom, int32_t n) {
        if (n > 1) {
          self->send(ponger, caf::ping_atom::value, n - 1);
          return;
        }
        self->send(reply_to, seconds_since(self->state.t0));
        self->send_exit(ponger, caf::exit_reason::kill);
        self->quit();
      },
  };
}

void run_pingpong(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  auto p = sys.spawn(ping, sys.spawn(pong), actor_cast<actor>(self));
  self->send(p, go_atom::value);
  self->receive([](double secs) {
    print_result("pingpong_rate", pingpong_rounds / secs, 0, "roundtrips/s");
  });
}

// ---------------------------------------------------------------------------------------------
// ring: 1000 actors in a ring, a countdown token makes 1,000,000 hops.

constexpr int ring_size = 1000;
constexpr int32_t ring_hops = 1'000'000;

struct ring_state {
  actor next;
};

behavior ring_node(stateful_actor<ring_state>* self, actor reporter) {
  return {
      [=](next_atom, actor next) {
        self->state.next = std::move(next);
        return ready_atom::value;  // ack to the builder
      },
      [=](int32_t token) {
        if (token == 0)
          self->send(reporter, done_atom::value);
        else
          self->send(self->state.next, token - 1);
      },
  };
}

void run_ring(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  std::vector<actor> nodes;
  nodes.reserve(ring_size);
  for (int i = 0; i < ring_size; ++i)
    nodes.push_back(sys.spawn(ring_node, actor_cast<actor>(self)));
  for (int i = 0; i < ring_size; ++i)
    self->send(nodes[i], next_atom::value, nodes[(i + 1) % ring_size]);
  int acks = 0;
  self->receive_for(acks, ring_size)([](ready_atom) {});
  // The ring is built; only the token's trip is timed.
  const auto t0 = clock_type::now();
  self->send(nodes[0], ring_hops);
  self->receive([](done_atom) {});
  const double secs = seconds_since(t0);
  print_result("ring_rate", ring_hops / secs, 0, "hops/s");
  for (auto& n : nodes) self->send_exit(n, caf::exit_reason::kill);
}

// ---------------------------------------------------------------------------------------------
// fanin2 / fanin4: N senders each blast 1,000,000 small messages at one receiver.

constexpr int32_t fanin_per_sender = 1'000'000;

struct counter_state {
  int64_t received = 0;
};

behavior fanin_receiver(stateful_actor<counter_state>* self, int64_t total, actor reporter) {
  return {
      [=](int32_t) {
        if (++self->state.received == total) {
          self->send(reporter, done_atom::value);
          self->quit();
        }
      },
  };
}

behavior fanin_sender(event_based_actor* self, actor receiver, actor reporter) {
  self->send(reporter, ready_atom::value);
  return {
      [=](go_atom) {
        for (int32_t i = 0; i < fanin_per_sender; ++i) self->send(receiver, i);
        self->quit();
      },
  };
}

void run_fanin(caf::actor_system& sys, int senders) {
  caf::scoped_actor self{sys};
  const int64_t total = int64_t{senders} * fanin_per_sender;
  auto receiver = sys.spawn(fanin_receiver, total, actor_cast<actor>(self));
  std::vector<actor> tx;
  for (int i = 0; i < senders; ++i)
    tx.push_back(sys.spawn(fanin_sender, receiver, actor_cast<actor>(self)));
  int readies = 0;
  self->receive_for(readies, senders)([](ready_atom) {});
  const auto t0 = clock_type::now();
  for (auto& s : tx) self->send(s, go_atom::value);
  self->receive([](done_atom) {});
  const double secs = seconds_since(t0);
  const std::string metric = "fanin" + std::to_string(senders) + "_rate";
  print_result(metric.c_str(), static_cast<double>(total) / secs, 0, "msgs/s");
}

// ---------------------------------------------------------------------------------------------
// call and idle_server: the counter server (otpp_bench_server.erl's equivalent).

struct counter_server_state {
  int32_t value = 0;
};

// `incr` increments the counter and responds with the new value. If `starter` is valid the
// server tells it `ready` during initialisation (the analogue of init/1 having returned).
behavior counter_server(stateful_actor<counter_server_state>* self, int32_t initial,
                        actor starter) {
  self->state.value = initial;
  if (starter) self->send(starter, ready_atom::value);
  return {
      [=](incr_atom) { return ++self->state.value; },
  };
}

// call: one client makes 1,000,000 sequential requests to the counter server.

constexpr int32_t call_count = 1'000'000;

struct call_client_state {
  actor server;
  actor reply_to;
  int32_t done = 0;  // responses received
  clock_type::time_point t0;
};

void call_next(stateful_actor<call_client_state>* self) {
  self->request(self->state.server, std::chrono::seconds(5), incr_atom::value).then([=](int32_t n) {
    auto& st = self->state;
    if (++st.done < call_count) {
      call_next(self);
      return;
    }
    const double secs = seconds_since(st.t0);
    self->send(st.reply_to, secs, n);
    self->quit();
  });
}

behavior call_client(stateful_actor<call_client_state>* self, actor server, actor reply_to) {
  self->state.server = std::move(server);
  self->state.reply_to = std::move(reply_to);
  return {
      [=](go_atom) {
        self->state.t0 = clock_type::now();
        call_next(self);
      },
  };
}

void run_call(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  auto server = sys.spawn(counter_server, int32_t{0}, actor{});
  auto client = sys.spawn(call_client, server, actor_cast<actor>(self));
  self->send(client, go_atom::value);
  self->receive([&](double secs, int32_t last) {
    if (last != call_count)
      fail("call: final counter " + std::to_string(last) + " != " + std::to_string(call_count));
    print_result("call_rate", call_count / secs, 0, "calls/s");
  });
  self->send_exit(server, caf::exit_reason::kill);
}

// idle_server: 100,000 counter servers, started one at a time, idle; RSS growth per server.

constexpr int idle_count = 100'000;

struct idle_coordinator_state {
  std::vector<actor> servers;
  int started = 0;  // servers that have reported `ready`
  long rss_before = 0;
};

behavior idle_coordinator(stateful_actor<idle_coordinator_state>* self, actor reply_to) {
  // Allocate and touch the handle vector now, so that it is part of the baseline.
  self->state.servers.resize(idle_count);
  auto start_next = [self] {
    auto& st = self->state;
    st.servers[st.started] = self->spawn(counter_server, int32_t{0}, actor_cast<actor>(self));
  };
  return {
      [=](go_atom) {
        self->state.rss_before = read_rss_bytes();
        start_next();
      },
      [=](ready_atom) {
        auto& st = self->state;
        if (++st.started < idle_count) {
          start_next();
          return;
        }
        // All 100k are initialised and idle. Hand the handles to main, which kills them.
        const long rss_after = read_rss_bytes();
        self->send(reply_to, static_cast<double>(rss_after - st.rss_before) / idle_count,
                   std::move(st.servers));
        self->quit();
      },
  };
}

void run_idle_server(caf::actor_system& sys) {
  caf::scoped_actor self{sys};
  auto c = sys.spawn(idle_coordinator, actor_cast<actor>(self));
  self->send(c, go_atom::value);
  std::vector<actor> servers;
  self->receive([&](double per_proc, std::vector<actor>& xs) {
    print_result("mem_gen_server_per_proc", per_proc, 1, "bytes");
    servers = std::move(xs);
  });
  for (auto& server : servers) self->send_exit(server, caf::exit_reason::kill);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: %s spawn|skynet|memory|pingpong|ring|fanin2|fanin4|call|idle_server\n",
                 argv[0]);
    return 2;
  }
  const std::string w = argv[1];
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  // See the header comment: lets the chunked spawner yield its worker between chunks.
  if (w == "spawn") cfg.set("scheduler.max-throughput", 1);
  caf::actor_system sys{cfg};
  if (w == "spawn")
    run_spawn(sys);
  else if (w == "skynet")
    run_skynet(sys);
  else if (w == "memory")
    run_memory(sys);
  else if (w == "pingpong")
    run_pingpong(sys);
  else if (w == "ring")
    run_ring(sys);
  else if (w == "fanin2")
    run_fanin(sys, 2);
  else if (w == "fanin4")
    run_fanin(sys, 4);
  else if (w == "call")
    run_call(sys);
  else if (w == "idle_server")
    run_idle_server(sys);
  else {
    std::fprintf(stderr, "caf_bench: unknown workload '%s'\n", w.c_str());
    return 2;
  }
  return 0;  // ~actor_system waits for all remaining actors to terminate
}
