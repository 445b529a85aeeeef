// Link and monitor entries for processes spawned on behalf of other nodes (dist_hooks.hpp).

#include "dist_hooks.hpp"

#include <stdexcept>

#include "process.hpp"

namespace otp::detail {

namespace {
process* caller() {
  process* p = current_process();
  if (!p) throw std::logic_error("otpp: a distribution hook must be called in a process");
  return p;
}
}  // namespace

void adopt_link(const pid& peer) {
  process* p = caller();
  if (!p->links.find([&](const link_entry& l) { return l.peer == peer; })) p->links.push({peer});
}

bool forget_link(const pid& peer) {
  return caller()->links.erase_if([&](const link_entry& l) { return l.peer == peer; }) > 0;
}

void adopt_watcher(const reference& ref, const pid& watcher) {
  caller()->monitored_by.push({ref, watcher});
}

}  // namespace otp::detail
