#pragma once
// Replays the OTP oracle scenarios (tools/otp_oracles) against otpp: the same children,
// the same driver actions, and the same event lines, compared with the fixtures OTP 25
// produced (tests/behaviours/fixtures/otp/*.txt).

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <otp/gen_server.hpp>
#include <otp/supervisor.hpp>

namespace oracle {

using namespace otp;

// Records event lines; every event is a synchronous call, so the order is causal.
struct collector {
  struct log {
    using reply = bool;
    std::string line;
  };
  struct take {
    using reply = std::vector<std::string>;
  };
  using calls = types<log, take>;
  bool handle_call(log l, const from&) {
    lines.push_back(std::move(l.line));
    return true;
  }
  std::vector<std::string> handle_call(take, const from&) { return std::move(lines); }
  std::vector<std::string> lines;
};

inline void log(const std::string& line) {
  gen_server::call(atom("oracle_log"), collector::log{line}, otp::infinity);
}

// A supervised gen_server that traps exits and logs start and terminate.
struct child {
  struct exit_with {
    term reason;
  };
  using casts = types<exit_with>;
  child(std::string id_, gen_server::init_result init_as)
      : id(std::move(id_)), init_result(init_as) {
    trap_exit(true);
  }
  gen_server::init_result init() {
    log("start " + id);
    return init_result;
  }
  void handle_cast(exit_with e) { otp::exit(e.reason); }
  void terminate(const term& reason) { log("terminate " + id + " " + to_string(reason)); }
  std::string id;
  gen_server::init_result init_result;
};

inline supervisor::child_spec child_spec(const std::string& id,
                                         supervisor::restart_type r = supervisor::permanent,
                                         gen_server::init_result init_as = gen_server::ok()) {
  supervisor::child_spec c;
  c.id = atom(id);
  c.restart = r;
  c.shutdown = supervisor::shutdown_spec::after(std::chrono::milliseconds(1000));
  c.start = [id, init_as] { return gen_server::start_link<child>(id, init_as); };
  return c;
}

inline pid child_pid(const pid& sup, const std::string& id) {
  for (auto& c : supervisor::which_children(sup))
    if (c.id == term(atom(id))) return c.child;
  return pid();
}

// Crashes child `id` and waits until the supervisor has dealt with it: its entry changed,
// or the supervisor is gone (then logs sup_exit). Returns true if the supervisor exited.
inline bool crash(const pid& sup, const std::string& id, const term& reason) {
  pid old = child_pid(sup, id);
  log("crash " + id + " " + to_string(reason));
  gen_server::cast(old, child::exit_with{reason});
  for (;;) {
    if (auto e = receive_for<exit_msg>(std::chrono::milliseconds(0)); e && e->from == sup) {
      log("sup_exit " + to_string(e->reason));
      return true;
    }
    try {
      bool present = false;
      for (auto& c : supervisor::which_children(sup)) {
        if (c.id != term(atom(id))) continue;
        present = true;
        if (c.child != old && !c.restarting && (!c.child.is_null() || !is_process_alive(old)))
          return false;
      }
      if (!present) return false;      // removed (temporary)
    } catch (const exit_exception&) {  // the supervisor died while we asked
      auto e = receive<exit_msg>();
      log("sup_exit " + to_string(e.reason));
      return true;
    }
    otp::yield();
  }
}

inline void shutdown_sup(const pid& sup) {
  log("shutdown_sup");
  otp::exit(sup, atoms::shutdown);
  auto e =
      receive(when([&](const exit_msg& x) { return x.from == sup; }, [](exit_msg x) { return x; }));
  log("sup_exit " + to_string(e.reason));
}

// Runs `scenario` in a driver process (trapping exits) with a fresh collector; returns
// the recorded lines.
template <class F>
std::vector<std::string> run(F scenario) {
  pid col = gen_server::start_link<collector>(gen_server::start_options{.name = atom("oracle_log")})
                .child();
  trap_exit(true);
  scenario();
  auto lines = gen_server::call(col, collector::take{});
  gen_server::stop(col);
  receive(when([&](const exit_msg& e) { return e.from == col; }, [](exit_msg) {}));
  return lines;
}

// The fixture's lines, keeping only event kinds otpp prints the same way.
inline std::vector<std::string> fixture(const std::string& name, const std::string& section = "") {
  std::ifstream in(std::string(OTPP_FIXTURES) + "/otp/" + name + ".txt");
  std::vector<std::string> out;
  std::string line;
  bool in_section = section.empty();
  while (std::getline(in, line)) {
    if (line.rfind("case ", 0) == 0) {
      in_section = section.empty() || line == "case " + section;
      continue;
    }
    if (!in_section) continue;
    for (const char* kind : {"start ", "terminate ", "crash ", "sup_exit ", "shutdown_sup"}) {
      if (line.rfind(kind, 0) == 0) {
        out.push_back(line);
        break;
      }
    }
  }
  return out;
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& l : v) s += l + "\n";
  return s;
}

}  // namespace oracle
