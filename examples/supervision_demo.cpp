// `make run`: a tree of processes reacting to failures through links and monitors.
//
//   root (traps exits: restarts crashed workers, like a one_for_one supervisor)
//    ├── worker a   ┐
//    ├── worker b   ├ linked to root
//    └── worker c   ┘
//   watcher (monitors every worker, prints each DOWN)
//
// The demo crashes workers in different ways (a C++ exception, an exit reason, an
// untrappable kill, a normal stop) and prints what each process sees.

#include <cstdio>
#include <map>
#include <string>

#include <otp/otp.hpp>

using namespace otp;
using namespace std::chrono_literals;

namespace {

struct crash_with_exception {};
struct crash_with_reason {
  term reason;
};
struct stop_normally {};
struct watch {
  pid from;
  pid worker;
  std::string name;
};
struct watching {};
struct ping {
  pid from;
};

void say(const std::string& who, const std::string& what) {
  std::printf("%-9s %s\n", (who + ":").c_str(), what.c_str());
  std::fflush(stdout);
}

void worker(std::string name) {
  say(name, "started as " + to_string(self()));
  for (;;) {
    receive([&](ping p) { send(p.from, name); },
            [&](crash_with_exception) { throw std::runtime_error(name + " hit a bug"); },
            [&](crash_with_reason c) { otp::exit(c.reason); },
            [&](stop_normally) { otp::exit(atoms::normal); });
  }
}

void watcher(pid root) {
  register_name(atom("watcher"), self());
  send(root, watching{});
  std::map<reference, std::string> names;
  for (;;) {
    receive(
        [&](watch w) {
          names[monitor(w.worker)] = w.name;
          send(w.from, watching{});
        },
        [&](down_msg d) { say("watcher", names[d.ref] + " is DOWN: " + to_string(d.reason)); });
  }
}

pid start_worker(const std::string& name) {
  pid w = spawn_link(worker, name);
  register_name(atom(name), w);
  send(atom("watcher"), watch{self(), w, name});
  receive<watching>();  // the watcher monitors it before anything can happen to it
  return w;
}

void root() {
  trap_exit(true);  // exit signals from workers arrive as {'EXIT', Pid, Reason} messages
  spawn(watcher, self());
  receive<watching>();
  std::map<pid, std::string> children;
  for (const char* name : {"a", "b", "c"}) children[start_worker(name)] = name;

  auto sync = [](const char* name) {  // make sure a worker is up before hurting it
    send(atom(name), ping{self()});
    receive<std::string>();
  };
  auto handle_exit = [&] {
    exit_msg e = receive<exit_msg>();
    std::string name = children[e.from];
    children.erase(e.from);
    say("root", "got {'EXIT'," + to_string(e.from) + "," + to_string(e.reason) + "} from " + name);
    if (e.reason == term(atoms::normal)) {
      say("root", name + " stopped normally: not restarted");
    } else {
      children[start_worker(name)] = name;
      say("root", "restarted " + name);
    }
  };

  sync("a");
  send(atom("a"), crash_with_exception{});
  handle_exit();

  sync("b");
  send(atom("b"), crash_with_reason{tuple(atom("bad_state"), 42)});
  handle_exit();

  sync("c");
  say("root", "killing c (exit(Pid, kill) cannot be trapped or ignored)");
  otp::exit(whereis(atom("c")), atoms::kill);
  handle_exit();

  sync("a");
  send(atom("a"), stop_normally{});
  handle_exit();

  otp::sleep(10ms);  // let the watcher print its last DOWN
  say("root", std::to_string(children.size()) + " workers still running; shutting down");
}

}  // namespace

int main() {
  otp::node n;
  std::printf("otpp demo: a node with %u scheduler threads\n\n", n.scheduler_count());
  n.run(root);
  n.shutdown();  // every remaining process gets `shutdown`; threads are joined
  std::printf("\nnode stopped cleanly\n");
}
