// The application `kernel`: otpp's own services under the supervisor kernel_sup.
//
// Children, in start order (so stopped in the reverse one):
//  1. logger     — applies kernel's `logger_level`;
//  2. net_kernel — only when set_kernel_distribution gave options for this node: starts
//     distribution (kernel's `net_ticktime`, in seconds, overrides the options' tick time);
//  3. pg         — the default process-group scope (after net_kernel, so it subscribes to
//     node events; it works without distribution too).
// Distribution cannot be stopped: stopping kernel leaves it running until node shutdown.

#include "kernel_app.hpp"

#include "node_state.hpp"
#include "otp/pg.hpp"
#include "otp/supervisor.hpp"

#ifndef OTPP_VERSION_STRING
#define OTPP_VERSION_STRING "0.1.0"
#endif

namespace otp::application {
namespace internal {
namespace {

const atom a_kernel("kernel");

std::optional<kernel_dist> distribution() {
  std::shared_ptr<node_state> s = state();
  detail::lock_guard lk(s->mu);
  return s->kernel;
}

supervisor::child_spec logger_child() {
  supervisor::child_spec c;
  c.id = atom("logger");
  c.start = [] {
    return gen_server::start_link<logger_server>(gen_server::start_options{.name = atom("logger")});
  };
  return c;
}

supervisor::child_spec net_kernel_child(kernel_dist d) {
  if (std::optional<term> t = get_env(a_kernel, atom("net_ticktime")); t && t->is_integer())
    d.options.net_ticktime = std::chrono::seconds(t->as_int());
  supervisor::child_spec c;
  c.id = atom("net_kernel");
  c.start = [d] {
    return gen_server::start_link<net_kernel_server>(
        gen_server::start_options{.name = atom("net_kernel")}, d.node, d.options);
  };
  return c;
}

supervisor::child_spec pg_child() {
  supervisor::child_spec c;
  c.id = atom("pg");
  c.start = [] { return pg::start_link(); };
  return c;
}

start_result start_kernel(const term&) {
  supervisor::spec spec;
  spec.children.push_back(logger_child());
  if (std::optional<kernel_dist> d = distribution()) spec.children.push_back(net_kernel_child(*d));
  spec.children.push_back(pg_child());
  return supervisor::start_link(std::move(spec), {.name = atom("kernel_sup")});
}

}  // namespace

descriptor kernel_descriptor() {
  descriptor d;
  d.name = a_kernel;
  d.vsn = OTPP_VERSION_STRING;
  d.description = "otpp kernel";
  d.registered = {atom("kernel_sup"), atom("logger"), atom("net_kernel"), atom("pg")};
  d.mod = std::pair<atom, term>(a_kernel, term());
  return d;
}

void register_kernel_module() {
  register_module(a_kernel, callbacks{.start = start_kernel});
}

}  // namespace internal

void set_kernel_distribution(otp::node& n, std::optional<dist_options> options) {
  std::shared_ptr<internal::node_state> s = internal::state_of(n.impl());
  detail::lock_guard lk(s->mu);
  if (options) {
    s->kernel = internal::kernel_dist{&n, std::move(*options)};
  } else {
    s->kernel.reset();
  }
}

}  // namespace otp::application
