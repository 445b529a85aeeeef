// The controller process: its spawn, its name, the guard that ties the node state's lifetime
// to it (node_state.hpp), and the call clients make to it.

#include "controller.hpp"

#include "otp/gen_server.hpp"
#include "otp/logger.hpp"

namespace otp::application::internal {
namespace {

// The controller's body owns this: when the process ends, its node forgets the state.
struct state_guard {
  detail::node_impl* node;
  const node_state* s;
  std::shared_ptr<std::atomic<bool>> armed;
  state_guard(detail::node_impl* n, const node_state* st, std::shared_ptr<std::atomic<bool>> a)
      : node(n), s(st), armed(std::move(a)) {}
  state_guard(const state_guard&) = delete;
  state_guard& operator=(const state_guard&) = delete;
  ~state_guard() {
    if (armed->load(std::memory_order_acquire)) forget_state(node, s);
  }
};

}  // namespace

void name_controller(const pid& controller) {
  const atom name("application_controller");
  pid holder = whereis(name);
  if (holder == controller) return;
  try {
    register_name(name, controller);
  } catch (const bad_term_access&) {
    // Taken meanwhile by the controller itself, or by someone else: the controller is
    // served by pid anyway.
    if (whereis(name) != controller)
      logger::warning("application_controller: the name application_controller is taken");
  }
}

term call_controller(const node_state& s, ac_request r) {
  return gen_server::call(s.controller, std::move(r), otp::infinity);
}

controller_handle spawn_controller(detail::node_impl& n, std::shared_ptr<node_state> s) {
  controller_handle h{pid(), std::make_shared<std::atomic<bool>>(false)};
  auto guard = std::make_shared<state_guard>(&n, s.get(), h.armed);
  auto body = [guard, s]() mutable { run_controller(std::move(s)); };
  h.controller = detail::spawn_on(n, {detail::make_body(std::move(body))}).child;
  return h;
}

}  // namespace otp::application::internal
