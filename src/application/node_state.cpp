// The node-keyed table of application states (see node_state.hpp for the lifetime rule).

#include "node_state.hpp"

#include <algorithm>
#include <unordered_map>

#include "controller.hpp"
#include "kernel_app.hpp"

namespace otp::application::internal {
namespace {

struct state_table {
  detail::mutex mu;
  std::unordered_map<detail::node_impl*, std::shared_ptr<node_state>> states OTPP_GUARDED_BY(mu);
};

state_table& table() {
  static auto* t = new state_table();  // never destroyed: processes may outlive statics
  return *t;
}

template <class V>
auto find_key(V& v, atom key) {
  return std::find_if(v.begin(), v.end(), [key](const auto& e) { return e.first == key; });
}

}  // namespace

const descriptor* node_state::find_loaded(atom name) const {
  for (const descriptor& d : loaded)
    if (d.name == name) return &d;
  return nullptr;
}

const running_app* node_state::find_running(atom name) const {
  for (const running_app& r : running)
    if (r.name == name) return &r;
  return nullptr;
}

app_env& node_state::env_of(atom app) {
  auto it = find_key(env, app);
  if (it != env.end()) return it->second;
  return env.emplace_back(app, app_env{}).second;
}

const app_env* node_state::find_env(atom app) const {
  auto it = find_key(env, app);
  return it == env.end() ? nullptr : &it->second;
}

std::shared_ptr<node_state> state_of(detail::node_impl& n) {
  register_builtins();
  state_table& t = table();
  detail::lock_guard lk(t.mu);
  auto it = t.states.find(&n);
  if (it != t.states.end()) return it->second;
  auto s = std::make_shared<node_state>();
  s->node = &n;
  {
    detail::lock_guard slk(s->mu);
    s->loaded.push_back(kernel_descriptor());  // kernel is always loaded
  }
  // Under the table lock, so concurrent first uses make one controller. Spawning this way
  // is not a yield point: the lock is never held by a suspended process.
  controller_handle h = spawn_controller(n, s);
  s->controller = h.controller;
  t.states.emplace(&n, s);
  h.arm();
  // Named now, so whereis finds it as soon as the first use returns (else the controller
  // names itself when it first runs).
  if (in_process() && &detail::current_node() == &n) name_controller(h.controller);
  return s;
}

std::shared_ptr<node_state> state() {
  return state_of(detail::current_node());
}

std::shared_ptr<node_state> existing_state() {
  detail::node_impl* n = &detail::current_node();
  state_table& t = table();
  detail::lock_guard lk(t.mu);
  auto it = t.states.find(n);
  return it == t.states.end() ? nullptr : it->second;
}

void forget_state(detail::node_impl* n, const node_state* s) noexcept {
  std::shared_ptr<node_state> last;  // released after the lock: it may hold many terms
  state_table& t = table();
  detail::lock_guard lk(t.mu);
  auto it = t.states.find(n);
  if (it != t.states.end() && it->second.get() == s) {
    last = std::move(it->second);
    t.states.erase(it);
  }
}

}  // namespace otp::application::internal
