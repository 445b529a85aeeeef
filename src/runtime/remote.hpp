#pragma once
// The runtime's view of other nodes: where items addressed to remote pids go. The
// distribution layer (src/dist) implements it; without distribution, remote pids are
// unreachable (messages dropped, links and monitors answered with `noconnection`).
//
// Thread safety: called from any thread, concurrently.

#include "otp/detail/message.hpp"
#include "otp/pid.hpp"

namespace otp::detail {

struct process;

class remote_router {
 public:
  virtual ~remote_router() = default;
  // Sends a message or signal to a pid on another node; takes ownership of `item`.
  // `from` is the sending process (null outside processes).
  virtual void route(process* from, const pid& to, mailbox_item* item) = 0;
  // Sends to the process registered as `name` on `node` ({Name, Node} ! Msg).
  virtual void send_named(process* from, atom name, atom node, message_base* m) = 0;
  // Sends to an alias (a reference of another node's process).
  virtual void send_alias(process* from, const reference& alias, message_base* m) = 0;
  // The node is shutting down: start no new processes for other nodes (shutdown waits only
  // for the processes alive now). Messages and signals still flow.
  virtual void node_stopping() noexcept {}
};

}  // namespace otp::detail
