#pragma once
// Runtime hooks for the distribution layer's processes spawned on behalf of other nodes
// (SPAWN_REQUEST, see src/dist/spawn.cpp).
//
// BEAM creates such a process already linked to / monitored by the requesting remote
// process: no LINK or MONITOR_P travels, the SPAWN_REPLY's flags tell the requester. These
// hooks give the calling process the same entries, so its exit reaches the requester as an
// EXIT or a DOWN with its exit reason, and the requester's signals (UNLINK, DEMONITOR, EXIT)
// find them.
//
// Thread safety: each acts on the calling process's own lists only (in a process).

#include "otp/pid.hpp"

namespace otp::detail {

// Records a link between the calling process and `peer` (a remote pid), in the linked
// state. Does nothing when one exists already.
void adopt_link(const pid& peer);
// Removes the calling process's link entry for `peer`, whatever its state; true if there was one.
bool forget_link(const pid& peer);
// Records that `watcher` monitors the calling process with reference `ref`.
void adopt_watcher(const reference& ref, const pid& watcher);

}  // namespace otp::detail
