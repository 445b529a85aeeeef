#pragma once
// Environment layers (node_state.hpp's app_env): what load and unload do to them.

#include "node_state.hpp"

namespace otp::application::internal {

/// load: the descriptor's env becomes the defaults layer.
void env_loaded(node_state& s, const descriptor& d) OTPP_REQUIRES(s.mu);
/// unload: defaults and set_env values go (as Erlang's unload erases the app's env);
/// apply_config values stay, for a later load.
void env_unloaded(node_state& s, atom app) OTPP_REQUIRES(s.mu);

}  // namespace otp::application::internal
