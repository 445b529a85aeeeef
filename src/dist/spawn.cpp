// SPAWN_REQUEST from peers (erlang:spawn_request/5 on another node, which erpc and rpc use).

#include "controller.hpp"

namespace otp::dist {

void controller::handle_spawn_request(connection& c, const ctrl::spawn_request& m) {
  // Nothing on this node can be spawned by module and function name yet: say so.
  c.enqueue(ctrl::spawn_reply{m.req_id, m.from, 0, atom("notsup")});
}

}  // namespace otp::dist
