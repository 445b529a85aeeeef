#pragma once
// The application data of one node (Erlang's ac_tab): what is loaded, what runs, the
// environment. See docs/applications.md, "The controller".
//
// Ownership and lifetime: a node's state is created on first use, together with its
// application controller process, and lives exactly as long as that process: the
// controller's body owns a guard that removes the state from the node-keyed table when the
// process ends (also when the node shuts down before the process ever ran). So a node
// created later at the same address never sees an earlier node's state.
//
// Thread safety / invariants:
//  - `mu` guards every field but `controller` and `node`, which are set before the state is
//    published and never change. Nothing that can suspend the calling process (a yield
//    point) runs while `mu` is held, so a scheduler thread never blocks on it for long.
//  - Only the controller process writes `loaded` and `running` (so reads see the result of
//    whole requests); any process writes `env` (set_env needs no controller, so a start
//    callback can use it).
//  - `running` is in start order; an application appears in it at most once, and only if it
//    is in `loaded`.

#include <memory>
#include <optional>
#include <vector>

#include "otp/application.hpp"
#include "otp/detail/mutex.hpp"
#include "otp/dist.hpp"

namespace otp::detail {
class node_impl;
node_impl& current_node();
}  // namespace otp::detail

namespace otp::application::internal {

struct running_app {
  atom name;
  start_type type = temporary;
  pid master;  // null for a library application
  pid top;     // the top supervisor; null for a library application
};

/// One application's environment in layers; a read takes the first layer that has the key:
/// overrides (set_env), then config (apply_config), then defaults (the descriptor), unless
/// unset_env hid the key.
struct app_env {
  config::env_list overrides;
  config::env_list config;
  config::env_list defaults;
  std::vector<atom> hidden;  // unset_env'd keys not set again since
};

/// What kernel needs to start distribution (set_kernel_distribution).
struct kernel_dist {
  otp::node* node = nullptr;
  dist_options options;
};

struct node_state {
  detail::node_impl* node = nullptr;
  pid controller;

  detail::mutex mu;
  std::vector<descriptor> loaded OTPP_GUARDED_BY(mu);  // load order
  std::vector<running_app> running OTPP_GUARDED_BY(mu);
  std::vector<std::pair<atom, app_env>> env OTPP_GUARDED_BY(mu);
  std::optional<kernel_dist> kernel OTPP_GUARDED_BY(mu);

  const descriptor* find_loaded(atom name) const OTPP_REQUIRES(mu);
  const running_app* find_running(atom name) const OTPP_REQUIRES(mu);
  app_env& env_of(atom app) OTPP_REQUIRES(mu);
  const app_env* find_env(atom app) const OTPP_REQUIRES(mu);
};

/// The state of `n`, created with its controller on first use.
std::shared_ptr<node_state> state_of(detail::node_impl& n);
/// The state of the calling process's node (or of the only running node).
std::shared_ptr<node_state> state();
/// The state of the current node if it exists (never creates it).
std::shared_ptr<node_state> existing_state();

/// Erases the state of `n` if it is still `s` (the controller's guard does this).
void forget_state(detail::node_impl* n, const node_state* s) noexcept;

/// Things every node's first use sets up once per OS process: the kernel callback module
/// and the rpc functions.
void register_builtins();

}  // namespace otp::application::internal
