#pragma once
// The distribution controller of a node: EPMD registration, the listening socket, the
// connections (one per peer node), and the translation between the runtime's mailbox
// items and distribution control messages. It is the runtime's remote_router.
//
// Threads: route/send_named/send_alias run on any thread (processes sending); sockets,
// handshakes and incoming frames run on the controller's own thread (an asio io_context).
// `mu_` guards the connection map and node monitors.

// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <utility>

#include <boost/asio.hpp>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "connection.hpp"
#include "epmd_client.hpp"
#include "otp/dist.hpp"
#include "runtime/remote.hpp"

namespace otp::detail {
class node_impl;
}

namespace otp::dist {

// The pid a proc_ref stands for in the runtime: itself, or for a name on `node` a
// placeholder pid of that node (the monitor entry knows the name).
pid target_pid(const proc_ref& r, atom node);

class controller final : public detail::remote_router {
 public:
  controller(detail::node_impl& node, const dist_options& opts);
  ~controller() override;

  // Starts listening, registers with EPMD and sets this node's name. Throws on failure.
  void start();

  // remote_router
  void route(detail::process* from, const pid& to, detail::mailbox_item* item) override;
  void send_named(detail::process* from, atom name, atom node, detail::message_base* m) override;
  void send_alias(detail::process* from, const reference& alias, detail::message_base* m) override;
  void node_stopping() noexcept override { stopping_.store(true, std::memory_order_release); }

  // Monitors {name, node} for `from` (which already holds the monitor entry).
  void monitor_name(detail::process* from, atom name, atom node, const reference& ref);

  // A built-in process-less service: messages to `name` on this node that no registered
  // process takes go to `fn` (on the distribution thread), e.g. rex for rpc.
  using service_fn = std::function<void(atom peer, const pid& from, term msg)>;
  void register_service(atom name, service_fn fn);
  // Answers {'$gen_call', {Pid, Tag}, _} with {Tag, Reply}, to the alias or the pid.
  void reply_gen_call(const term& from_and_tag, term reply);
  // Sends a term to a (remote) pid without a sending process.
  void send_term(const pid& to, term msg);

  // {nodeup, Node} / {nodedown, Node} subscriptions (net_kernel:monitor_nodes).
  void monitor_nodes(const pid& who, bool on);
  // `who` gets {'$otpp_ping', Node, true|false} once the node is connected or failed.
  void await_connection(const pid& who, atom node);

  atom name() const noexcept { return name_; }
  uint32_t creation() const noexcept { return creation_; }
  std::vector<atom> connected_nodes();
  bool disconnect(atom node);
  // Adds/removes a {nodedown, Node} subscription; returns false when the node cannot be
  // reached at all (the caller then gets nodedown at once).
  void monitor_node(const pid& watcher, atom node, bool on);
  // Starts connecting if needed; returns the connection (maybe still handshaking).
  std::shared_ptr<connection> connect(atom node);
  bool is_up(atom node);
  // The connection to `node` if there is one (up or being set up), else null.
  std::shared_ptr<connection> existing(atom node);

  // Called by connections (distribution thread).
  handshake_options handshake_opts() const;
  accept_decision decide(const std::string& peer_name, connection* self);
  void connection_up(const std::shared_ptr<connection>& c);
  void connection_down(connection* c, const std::string& why);
  void dispatch(connection& c, const control_message& m);
  etf_context context() const noexcept { return {name_, creation_}; }
  std::chrono::seconds ticktime() const noexcept { return opts_.net_ticktime; }
  detail::node_impl& node() noexcept { return node_; }

 private:
  static std::unique_ptr<boost::asio::ssl::context> make_tls_context(const dist_tls_options& t);
  void accept_loop();
  void run_io();
  void dial(std::shared_ptr<connection> c);
  // Delivers to a local pid; false (item freed) when it is not alive or not local.
  bool deliver_local(const pid& to, detail::mailbox_item* item);
  void tell_connected(const pid& who, atom node, bool up);
  bool deliver_message(const pid& to, term msg);
  void deliver_exit(const pid& from, const pid& to, const term& reason, bool via_link);
  void deliver_named(connection& c, const pid& from, atom name, term msg);
  void tell_subscribers(atom node, bool up);
  bool is_builtin_name(atom name) const;
  // A process that sent a message on a busy connection waits here until it drains.
  void pace(detail::process* from, connection& c);

 public:
  void notify_drained(const pid& who, atom node);

 private:
  // SPAWN_REQUEST from a peer (erpc, spawn/4 on this node): see spawn.cpp.
  void handle_spawn_request(connection& c, const ctrl::spawn_request& m);

  detail::node_impl& node_;
  dist_options opts_;
  std::string cookie_;
  std::string name_text_;
  atom name_;
  uint32_t creation_ = 0;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // set when distribution runs over TLS
  epmd_registration registration_;
  std::thread thread_;

  std::atomic<bool> stopping_{false};  // no new processes for peers (node shutting down)
  std::mutex dial_mu_;
  std::condition_variable dial_cv_;
  int dials_ = 0;  // EPMD lookup threads running; guarded by dial_mu_

  std::mutex mu_;
  std::unordered_map<atom, std::shared_ptr<connection>> conns_;  // guarded by mu_
  std::multimap<atom, pid> node_watchers_;                       // guarded by mu_
  std::set<std::shared_ptr<connection>> accepting_;              // guarded by mu_
  std::vector<pid> node_subscribers_;                            // guarded by mu_
  std::multimap<atom, pid> connect_waiters_;                     // guarded by mu_
  mutable std::mutex services_mu_;
  std::unordered_map<atom, service_fn> services_;  // guarded by services_mu_
};

}  // namespace otp::dist
