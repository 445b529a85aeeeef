// otp::node: the public face of node_impl.

#include "otp/node.hpp"

#include "node_impl.hpp"
#include "signals.hpp"

namespace otp {

node::node(node_options opts) : impl_(std::make_unique<detail::node_impl>(opts)) {}

node::~node() {
  shutdown();
}

void node::shutdown() {
  impl_->shutdown();
}

size_t node::process_count() const noexcept {
  return impl_->live();
}

namespace detail {
node_impl& current_node();
namespace {
std::vector<pid> pids_of(node_impl& n) {
  thread_ctx& t = tls();
  if (t.node == &n && t.participant != SIZE_MAX) return n.table().pids();
  reclaimer::external_guard g(n.reclaim());  // the scan reads control blocks
  return n.table().pids();
}
}  // namespace
}  // namespace detail

std::vector<pid> node::processes() const {
  return detail::pids_of(*impl_);
}

std::vector<pid> processes() {
  return detail::pids_of(detail::current_node());
}

unsigned node::scheduler_count() const noexcept {
  return impl_->worker_count();
}

void node::advance_time(std::chrono::milliseconds d) {
  impl_->timers().advance(d.count());
}

std::chrono::milliseconds node::now() const {
  return std::chrono::milliseconds(impl_->timers().now_ms());
}

void node::wait_idle() {
  impl_->wait_idle();
}

namespace detail {

spawn_result spawn_on(node_impl& n, spawn_request req) {
  process* parent = current_process();
  if (parent && parent->node != &n) parent = nullptr;
  return n.spawn(req, parent);
}

void send_on(node_impl& n, const pid& to, message_base* m) {
  if (!to.is_local() || to.is_null()) {
    destroy_item(m);
    return;
  }
  if (mailbox_item* back = n.deliver(to.number(), m)) destroy_item(back);
}

std::shared_ptr<run_state> make_run_state() {
  return std::make_shared<run_state>();
}

pid spawn_watched(node_impl& n, process_body* body, std::shared_ptr<run_state> state) {
  return n.spawn({body}, nullptr, std::move(state)).child;
}

void wait_run(run_state& s) {
  std::unique_lock lk(s.mu);
  s.cv.wait(lk, [&] { return s.done; });
  if (s.error) std::rethrow_exception(s.error);
  if (!s.reason.is_atom(atoms::normal)) throw exit_exception(s.reason);
}

}  // namespace detail
}  // namespace otp
