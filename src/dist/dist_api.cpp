// The public distribution API (otp/dist.hpp) and the runtime hooks for remote names.

#include <stdexcept>

#include "controller.hpp"
#include "global.hpp"
#include "otp/dist.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "rpc.hpp"
#include "runtime/node_impl.hpp"

namespace otp {

namespace detail {
node_impl& current_node();
process* require_process();
}  // namespace detail

namespace {

// The controller of the calling process's node (or the sole node), or null.
dist::controller* current_controller() {
  detail::node_impl* n = nullptr;
  if (detail::process* p = detail::current_process()) {
    n = p->node;
  } else {
    n = detail::node_impl::sole();
  }
  if (!n) return nullptr;
  return dynamic_cast<dist::controller*>(n->remote());
}

}  // namespace

void start_distribution(node& n, const dist_options& opts) {
  if (n.impl().remote()) throw std::runtime_error("distribution is already started on this node");
  auto c = std::make_unique<dist::controller>(n.impl(), opts);
  dist::install_rpc(*c);
  c->start();
  n.impl().adopt_remote(std::move(c));
  dist::start_global(n);
}

atom node_name() {
  return this_node().name;
}

bool is_distributed() {
  return current_controller() != nullptr;
}

std::vector<atom> nodes() {
  dist::controller* c = current_controller();
  return c ? c->connected_nodes() : std::vector<atom>{};
}

bool ping(atom node) {
  detail::process* p = detail::require_process();
  dist::controller* c = current_controller();
  if (!c) return false;
  c->await_connection(p->self(), node);
  auto mine = [node](const term& t) {
    return t.is_tuple(3) && t[0].is_atom(atom("$otpp_ping")) && t[1].is_atom(node);
  };
  return receive(when(mine, [](const term& t) { return t[2].is_atom(atoms::true_); }));
}

bool disconnect_node(atom node) {
  dist::controller* c = current_controller();
  return c && c->disconnect(node);
}

void monitor_node(atom node, bool on) {
  detail::process* p = detail::require_process();
  dist::controller* c = current_controller();
  if (!c) {
    if (on) send(p->self(), otp::tuple(atom("nodedown"), node));
    return;
  }
  c->monitor_node(p->self(), node, on);
}

void monitor_nodes(bool on) {
  detail::process* p = detail::require_process();
  if (dist::controller* c = current_controller()) c->monitor_nodes(p->self(), on);
}

namespace detail {

void send_named_remote(atom name, atom node, message_base* m) {
  process* p = current_process();
  node_impl& n = p ? *p->node : current_node();
  if (node == this_node().name) {
    pid to = n.names().find(name);
    if (to.is_null()) {
      destroy_item(m);
    } else {
      n.route(p, to, m);
    }
    return;
  }
  if (auto* c = dynamic_cast<dist::controller*>(n.remote())) {
    c->send_named(p, name, node, m);
  } else {
    destroy_item(m);  // not distributed: no other node can be reached
  }
}

bool monitor_remote_name(const reference& ref, atom name, atom node) {
  process* p = require_process();
  auto* c = dynamic_cast<dist::controller*>(p->node->remote());
  if (!c) return false;
  c->monitor_name(p, name, node, ref);
  return true;
}

}  // namespace detail
}  // namespace otp
