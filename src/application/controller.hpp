#pragma once
// The application controller process: one per node, registered as application_controller.
// It alone loads, unloads, starts and stops applications, one request at a time, and acts on
// an application's end according to its start type. See controller.cpp.

#include <atomic>
#include <memory>
#include <optional>

#include "node_state.hpp"

namespace otp::application::internal {

/// A request to the controller (a gen_server-style call; the reply is a term).
struct ac_request {
  using reply = term;
  enum class op : uint8_t { load, unload, start, ensure_all_started, stop, stop_all };
  op what = op::start;
  atom name;
  start_type type = temporary;
  std::optional<descriptor> desc;  // load only
};

/// Sends a request to the controller of `s` and waits for the answer (no timeout).
term call_controller(const node_state& s, ac_request r);

/// A controller just spawned. Its body owns the guard that forgets `s` when the process
/// ends; arm() it once `s` is in the node table (before that, ending must not touch it).
struct controller_handle {
  pid controller;
  std::shared_ptr<std::atomic<bool>> armed;
  void arm() const noexcept { armed->store(true, std::memory_order_release); }
};

/// Spawns the controller of node `n`, which will own `s` (see node_state.hpp). Not a yield
/// point: the caller may hold a lock.
controller_handle spawn_controller(detail::node_impl& n, std::shared_ptr<node_state> s);

/// The controller's body: serves requests until the node shuts down (controller.cpp).
void run_controller(std::shared_ptr<node_state> s);

/// Registers `controller` as application_controller on the calling process's node unless
/// it has that name already (a user process holding the name is logged and left alone).
void name_controller(const pid& controller);

}  // namespace otp::application::internal
