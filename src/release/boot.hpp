#pragma once
// Booting a release's node and running it until it is asked to stop (init:stop).
//
// Order: settings (vm.args, sys.config, cookie) -> node (+S, +P) -> application
// environment -> kernel's distribution settings -> each application of the boot manifest
// loaded (descriptor, then its shared object) -> each started, permanent, in manifest
// order -> control socket -> ready. Stopping runs it backwards: evaluations refused,
// applications stopped in reverse order, node shut down, control socket closed.

#include "layout.hpp"

namespace otp::release {

enum class run_mode { foreground, console };

// Runs the node; returns the process's exit status (the init::stop status, or 1 when the
// boot failed). `ready_fd` >= 0 gets "ok\n" once booted, or the error, then is closed
// (bin/NAME start waits on it).
int run_node(const layout& where, run_mode mode, int ready_fd);

}  // namespace otp::release
