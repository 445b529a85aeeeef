#pragma once
// What a release boots with: its layout, vm.args and sys.config, after the environment's
// overrides (docs/releases.md, "Configuration and overrides").

#include <optional>
#include <string>

#include "layout.hpp"
#include "otp/config.hpp"

namespace otp::release {

struct settings {
  layout where;
  config::vm_args vm;
  config::app_envs sys;
  // The node's name as configured ("kvdemo@127.0.0.1", or "kvdemo" for -sname); empty:
  // not distributed.
  std::string node;
  bool long_names = true;
  std::string cookie;
  // Names the control socket: the node name, or the release name when not distributed.
  std::string control_id() const { return node.empty() ? where.name : node; }
};

// Reads everything: throws config::config_error for a bad file, std::runtime_error for
// a missing one or a bad cookie. Sets the `-env` variables of vm.args in this process.
settings load_settings(const layout& where);

// Only what client commands need (node name and cookie): vm.args and the overrides.
settings load_client_settings(const layout& where);

}  // namespace otp::release
