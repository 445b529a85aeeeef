// The test applications and helpers of fixture.hpp.

#include "fixture.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace app_test {

using namespace otp;

namespace {

struct journal_state {
  std::mutex mu;
  std::vector<std::string> entries;
};

journal_state& the_journal() {
  static auto* j = new journal_state();
  return *j;
}

// A worker that journals its terminate (it traps exits, so its supervisor's shutdown
// signal runs terminate).
struct worker {
  std::string name;
  explicit worker(std::string n) : name(std::move(n)) { trap_exit(true); }
  void terminate(const term&) { journal::add("terminate:" + name); }
};

start_result start_tree(const std::string& name) {
  namespace sv = otp::supervisor;
  return sv::start_link(sv::spec{{},
                                 {sv::worker<worker>(A((name + "_w1").c_str()), name + "_w1"),
                                  sv::worker<worker>(A((name + "_w2").c_str()), name + "_w2")}});
}

start_result start_test_app(const std::string& name, const term& args) {
  journal::add("start:" + name);
  std::string mode(args.as_atom().name());
  if (mode == "error") return start_result::error(A("because"));
  if (mode == "half") {  // leaves a linked process behind, then fails
    spawn_link([] { (void)receive<term>(); });
    return start_result::error(A("half_done"));
  }
  if (mode == "throw_term") throw term(A("ball"));
  if (mode == "throw_cpp") throw std::runtime_error("boom");
  if (mode == "exit") otp::exit(A("gone"));
  if (mode == "ignore") return start_result::ignore();
  if (mode == "env") {
    std::optional<term> v = app::get_env(atom(name), atom("probe"));
    journal::add("env:" + (v ? to_string(*v) : std::string("undefined")));
  }
  return start_tree(name);
}

app::callbacks callbacks_for(const std::string& name) {
  return {.start = [name](const term& args) { return start_test_app(name, args); },
          .prep_stop = [name] { journal::add("prep_stop:" + name); },
          .stop = [name] { journal::add("stop:" + name); }};
}

std::vector<atom> atoms_of(const std::vector<std::string>& names) {
  std::vector<atom> out;
  for (const auto& n : names) out.emplace_back(n);
  return out;
}

// The master of a running application: linked to both its top supervisor and the
// application controller.
pid master_of(const pid& top) {
  auto t = get_process_info(top);
  auto c = get_process_info(whereis(atom("application_controller")));
  if (!t || !c) return pid();
  for (const pid& p : t->links)
    if (std::find(c->links.begin(), c->links.end(), p) != c->links.end()) return p;
  return pid();
}

}  // namespace

void journal::add(std::string entry) {
  journal_state& j = the_journal();
  std::lock_guard lk(j.mu);
  j.entries.push_back(std::move(entry));
}

std::vector<std::string> journal::entries() {
  journal_state& j = the_journal();
  std::lock_guard lk(j.mu);
  return j.entries;
}

void journal::clear() {
  journal_state& j = the_journal();
  std::lock_guard lk(j.mu);
  j.entries.clear();
}

app::descriptor test_app(const std::string& name, app_options o) {
  app::descriptor d;
  d.name = atom(name);
  d.vsn = "1.0";
  d.description = "test application " + name;
  d.applications = atoms_of(o.deps);
  d.optional_applications = atoms_of(o.optional);
  d.env = std::move(o.env);
  if (!o.library) {
    atom module(name + "_app");
    app::register_module(module, callbacks_for(name));
    d.mod = std::pair<atom, term>(module, A(o.mode.c_str()));
  }
  return d;
}

void ApplicationTest::SetUp() {
  init::reset();
  journal::clear();
  logger::remove_handler(atom("default"));  // the tests read reports through captures
}

void ApplicationTest::TearDown() {
  node.shutdown();
  init::reset();
  logger::set_primary_level(logger::level::notice);
}

std::vector<std::string> running() {
  std::vector<std::string> out;
  for (const app::app_info& i : app::which_applications()) out.emplace_back(i.name.name());
  return out;
}

pid top_of(const char* name) {
  for (const app::app_info& i : app::which_applications())
    if (i.name == atom(name)) return i.top;
  return pid();
}

void end_top(const char* name, const term& reason) {
  pid top = top_of(name);
  pid master = master_of(top);
  if (top.is_null() || master.is_null()) throw std::logic_error("end_top: not running");
  reference r = monitor(master);
  if (reason.is_atom(atoms::kill)) {
    exit(top, reason);
  } else {
    gen_server::stop(top, reason);
  }
  receive(when([&](const down_msg& d) { return d.ref == r; }, [](const down_msg&) {}));
  // The master's EXIT reached the controller before its DOWN reached us (links are signalled
  // before monitors), so anything we send the controller now comes after it.
  sync_controller();
}

void sync_controller() {
  (void)app::stop(atom("app_test_no_such_application"));
}

std::vector<pid> new_processes(otp::node& n, const std::vector<pid>& before) {
  std::vector<pid> out;
  for (const pid& p : n.processes())
    if (std::find(before.begin(), before.end(), p) == before.end() && p != self() &&
        is_process_alive(p))
      out.push_back(p);
  return out;
}

}  // namespace app_test
