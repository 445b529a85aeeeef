// `make run`: a supervision tree whose workers crash and are restarted, with the logger's
// crash, supervisor and progress reports visible.
//
//   app_sup (one_for_one, intensity 3 / 5 s)
//    ├── counter      a gen_server keeping a count
//    ├── flaky        a gen_server that crashes when told to
//    └── storage_sup  (rest_for_one)
//         ├── db
//         └── cache   depends on db: restarted whenever db is
//
// The script below talks to the tree, then breaks things: a C++ exception in a callback, a
// kill of the db (which takes the cache with it), and finally more crashes than app_sup
// tolerates, so it gives up and shuts the tree down in order.

#include <cstdio>
#include <string>

#include <otp/gen_server.hpp>
#include <otp/logger.hpp>
#include <otp/otp.hpp>
#include <otp/supervisor.hpp>

using namespace otp;
using namespace std::chrono_literals;
namespace gs = otp::gen_server;
namespace sv = otp::supervisor;

namespace {

void say(const std::string& what) {
  logger::flush();  // reports first, then our narration, in order
  std::printf("\n>>> %s\n", what.c_str());
  std::fflush(stdout);
}

struct counter {
  struct incr {
    using reply = long;
  };
  using calls = types<incr>;
  long handle_call(incr, const from&) { return ++n; }
  long n = 0;
};

struct flaky {
  struct ping {
    using reply = std::string;
  };
  struct explode {};
  using calls = types<ping>;
  using casts = types<explode>;
  std::string handle_call(ping, const from&) { return "pong"; }
  void handle_cast(explode) { throw std::runtime_error("flaky hit a bug"); }
};

struct store {  // db and cache
  explicit store(std::string what) : name(std::move(what)) {}
  struct whoami {
    using reply = std::string;
  };
  using calls = types<whoami>;
  std::string handle_call(whoami, const from&) { return name + " " + to_string(self()); }
  std::string name;
};

sv::spec tree() {
  sv::child_spec storage = sv::supervisor_child(
      atom("storage_sup"), sv::spec{{.strategy = sv::rest_for_one},
                                    {sv::worker<store>(atom("db"), std::string("db")),
                                     sv::worker<store>(atom("cache"), std::string("cache"))}});
  return sv::spec{
      {.strategy = sv::one_for_one, .intensity = 3, .period = 5s},
      {sv::worker<counter>(atom("counter")), sv::worker<flaky>(atom("flaky")), storage}};
}

pid child(const server_ref& sup, const char* id) {
  for (auto& c : sv::which_children(sup))
    if (c.id == term(atom(id))) return c.child;
  return pid();
}

void script() {
  trap_exit(true);  // we are app_sup's parent: we want its exit as a message
  pid app = sv::start_link(tree(), {.name = atom("app_sup")}).child();
  say("started app_sup " + to_string(app) + " with counter, flaky and storage_sup (db, cache)");

  for (int i = 0; i < 3; ++i) gs::call(child(app, "counter"), counter::incr{});
  say("counter is at " + std::to_string(gs::call(child(app, "counter"), counter::incr{})));

  pid storage = child(app, "storage_sup");
  std::string db = gs::call(child(storage, "db"), store::whoami{});
  std::string cache = gs::call(child(storage, "cache"), store::whoami{});
  say("storage_sup runs " + db + " and " + cache);

  say("flaky throws std::runtime_error in handle_cast: one_for_one restarts only flaky");
  pid old_flaky = child(app, "flaky");
  gs::cast(old_flaky, flaky::explode{});
  while (child(app, "flaky") == old_flaky || child(app, "flaky").is_null()) otp::yield();
  say("flaky is back as " + to_string(child(app, "flaky")) + ", and answers " +
      gs::call(child(app, "flaky"), flaky::ping{}));

  say("killing db: rest_for_one restarts db and the cache that depends on it");
  pid old_db = child(storage, "db");
  otp::exit(old_db, atoms::kill);
  while (child(storage, "db") == old_db || child(storage, "cache").is_null()) otp::yield();
  say("now " + gs::call(child(storage, "db"), store::whoami{}) + " and " +
      gs::call(child(storage, "cache"), store::whoami{}));

  say("crashing flaky again and again: app_sup allows 3 restarts within 5 s and has made "
      "1 (db's restart was storage_sup's business)");
  int crashes = 0;
  for (;;) {
    if (auto e = receive_for<exit_msg>(0ms); e && e->from == app) {
      say("after " + std::to_string(crashes) + " more crashes app_sup gave up and exited with " +
          to_string(e->reason) +
          ": it stopped its children in reverse order first; its own "
          "supervisor would decide next");
      break;
    }
    pid f;
    try {
      f = child(app, "flaky");
    } catch (const exit_exception&) {  // app_sup is gone: its EXIT is on its way
      continue;
    }
    if (f.is_null()) {
      otp::yield();
      continue;
    }
    reference m = monitor(f);
    gs::cast(f, flaky::explode{});
    receive(when([&](const down_msg& d) { return d.ref == m; }, [](down_msg) {}));
    ++crashes;
  }
}

}  // namespace

int main() {
  logger::set_primary_level(logger::level::info);  // show progress reports too
  otp::node n;
  std::printf("otpp demo: a supervision tree on a node with %u scheduler threads\n",
              n.scheduler_count());
  std::fflush(stdout);
  n.run(script);
  n.shutdown();
  logger::flush();
  std::printf("\nnode stopped cleanly\n");
}
