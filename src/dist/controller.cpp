// The distribution controller: start-up, connections, node monitoring.

#include "controller.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "cookie.hpp"
#include "epmd_server.hpp"
#include "otp/logger.hpp"
#include "runtime/node_impl.hpp"
#include "runtime/signals.hpp"

namespace otp::dist {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string short_host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  std::string h(buf);
  return h.substr(0, h.find('.'));
}

std::string full_name(const dist_options& o) {
  if (o.name.find('@') != std::string::npos) return o.name;
  return o.name + "@" + (o.long_names ? std::string("127.0.0.1") : short_host_name());
}

std::string home_dir() {
  const char* h = std::getenv("HOME");
  return h ? h : ".";
}

}  // namespace

controller::controller(detail::node_impl& node, const dist_options& opts)
    : node_(node), opts_(opts), work_(asio::make_work_guard(io_)), acceptor_(io_) {}

controller::~controller() {
  node_.set_remote(nullptr);
  {  // EPMD lookups in flight post to io_: let them finish first (their timeout bounds this)
    std::unique_lock lk(dial_mu_);
    dial_cv_.wait(lk, [this] { return dials_ == 0; });
  }
  set_this_node(atoms::nonode_nohost, 0);
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::vector<std::shared_ptr<connection>> all;
    {
      std::lock_guard lk(mu_);
      for (auto& [n, c] : conns_) all.push_back(c);
      for (auto& c : accepting_) all.push_back(c);
    }
    for (auto& c : all) c->close("node stopping");
  });
  work_.reset();
  if (thread_.joinable()) thread_.join();
  registration_.close();
}

void controller::start() {
  name_text_ = full_name(opts_);
  if (!is_valid_node_name(name_text_)) throw std::runtime_error("invalid node name: " + name_text_);
  // The cookie: given, else $OTPP_COOKIE, else ~/.erlang.cookie (created like erl does).
  const char* env_cookie = std::getenv("OTPP_COOKIE");
  cookie_ = !opts_.cookie.empty()         ? opts_.cookie
            : (env_cookie && *env_cookie) ? std::string(env_cookie)
                                          : read_or_create_cookie(home_dir());
  validate_cookie(cookie_);
  uint16_t epmd_port = opts_.epmd_port ? opts_.epmd_port : default_epmd_port();
  if (!ensure_epmd(epmd_port))
    throw std::runtime_error("no EPMD could be started on port " + std::to_string(epmd_port));
  if (opts_.tls) tls_ = make_tls_context(*opts_.tls);
  tcp::endpoint ep(asio::ip::address_v4::any(), opts_.listen_port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  std::string alive = name_text_.substr(0, name_text_.find('@'));
  epmd_options eo;
  eo.port = epmd_port;
  registration_ = register_node(alive, acceptor_.local_endpoint().port(), false, eo);
  creation_ = registration_.creation();
  name_ = atom(name_text_);
  set_this_node(name_, creation_);
  node_.set_remote(this);
  accept_loop();
  thread_ = std::thread([this] {
    for (;;) {  // a handler that throws is logged; the others go on
      try {
        run_io();
        return;
      } catch (const std::exception& e) {
        logger::error("dist: unexpected error on the distribution thread: {}", e.what());
      }
    }
  });
}

// One context for both roles, as inet_tls's server and client options usually match: our
// certificate, the CAs we trust, and (by default) peers must present a certificate too.
std::unique_ptr<asio::ssl::context> controller::make_tls_context(const dist_tls_options& t) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  try {
    ctx->use_certificate_chain_file(t.certfile);
    ctx->use_private_key_file(t.keyfile.empty() ? t.certfile : t.keyfile, asio::ssl::context::pem);
    if (!t.cacertfile.empty()) ctx->load_verify_file(t.cacertfile);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("TLS distribution: " + std::string(e.what()));
  }
  ctx->set_verify_mode(t.verify_peer
                           ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                           : asio::ssl::verify_none);
  return ctx;
}

// The I/O loop. After handling something it keeps polling for a short while before it
// blocks in epoll again: a reply usually follows a request within microseconds, and
// catching it while polling saves a sleep and a wake-up on each side of every round trip.
// Between polls it yields the CPU: the scheduler thread it just woke (to run the process a
// message was for) must not wait for this loop's time slice to end (on 2 vCPUs that made
// remote calls 3x slower).
void controller::run_io() {
  using clock = std::chrono::steady_clock;
  constexpr auto linger = std::chrono::microseconds(50);
  while (!io_.stopped()) {
    if (io_.run_one() == 0) return;  // stopped
    auto until = clock::now() + linger;
    while (clock::now() < until) {
      if (io_.poll() > 0) until = clock::now() + linger;
      std::this_thread::yield();  // a scheduler we just woke may need this CPU
      if (io_.stopped()) return;
    }
  }
}

handshake_options controller::handshake_opts() const {
  handshake_options o;
  o.node_name = name_text_;
  o.creation = creation_;
  o.cookie = cookie_;
  if (tls_) o.length_bytes = 4;
  return o;
}

// ---- connections -------------------------------------------------------------------

void controller::accept_loop() {
  auto c = std::make_shared<connection>(*this, io_, connection::role::acceptor, std::string());
  acceptor_.async_accept(c->socket(), [this, c](boost::system::error_code ec) {
    if (ec) return;  // closed: the node is stopping
    {
      std::lock_guard lk(mu_);
      accepting_.insert(c);
    }
    c->socket().set_option(tcp::no_delay(true));
    c->secure_then(tls_.get(), [this, c] {
      c->start_handshake(handshake::accept(
          handshake_opts(),
          [this, raw = c.get()](const std::string& peer) { return decide(peer, raw); }));
    });
    accept_loop();
  });
}

accept_decision controller::decide(const std::string& peer_name, connection*) {
  std::lock_guard lk(mu_);
  bool exists = false;
  atom peer = atom::existing(peer_name, exists);  // no new atom for an unauthenticated name
  if (!exists) return accept_decision::ok;
  auto it = conns_.find(peer);
  if (it == conns_.end()) return accept_decision::ok;
  if (it->second->state() == connection::phase::up) return accept_decision::alive;
  // We are dialing it too: OTP's rule, the greater name wins.
  return resolve_simultaneous(name_text_, peer_name);
}

namespace {
// The connection this thread used last: a process streaming to one node skips the
// controller's lock and map. A weak reference (the cache must not keep a connection, and
// its socket, alive past the controller); a closed or replaced connection is looked up again.
struct last_connection {
  const controller* owner = nullptr;
  atom node;
  std::weak_ptr<connection> c;
};
thread_local last_connection last_used;
}  // namespace

std::shared_ptr<connection> controller::connect(atom node) {
  if (last_used.owner == this && last_used.node == node) {
    if (auto c = last_used.c.lock(); c && !c->closed()) return c;
  }
  std::shared_ptr<connection> c;
  {
    std::lock_guard lk(mu_);
    auto it = conns_.find(node);
    if (it != conns_.end()) {
      last_used = {this, node, it->second};
      return it->second;
    }
    c = std::make_shared<connection>(*this, io_, connection::role::initiator,
                                     std::string(node.name()));
    conns_.emplace(node, c);
  }
  asio::post(io_, [this, c] { dial(c); });
  return c;
}

std::shared_ptr<connection> controller::existing(atom node) {
  std::lock_guard lk(mu_);
  auto it = conns_.find(node);
  return it == conns_.end() ? nullptr : it->second;
}

bool controller::is_up(atom node) {
  std::lock_guard lk(mu_);
  auto it = conns_.find(node);
  return it != conns_.end() && it->second->state() == connection::phase::up;
}

// Looks the peer up in its host's EPMD and connects (the lookup blocks, so it runs on its
// own short-lived thread; the socket then joins the distribution thread).
void controller::dial(std::shared_ptr<connection> c) {
  std::string peer = c->peer_name();
  {
    std::lock_guard lk(dial_mu_);
    ++dials_;
  }
  std::thread([this, c, peer] {
    auto at = peer.find('@');
    std::string alive = peer.substr(0, at),
                host = at == std::string::npos ? "" : peer.substr(at + 1);
    std::optional<port_info> port;
    try {
      epmd_options eo;
      eo.port = opts_.epmd_port ? opts_.epmd_port : default_epmd_port();
      if (!host.empty()) port = port_please(host, alive, eo);
    } catch (const std::exception& e) {
      logger::warning("dist: cannot reach EPMD on {}: {}", host, e.what());
    }
    asio::post(io_, [this, c, host, port] {
      if (!port) {
        c->close("not registered with EPMD");
        return;
      }
      boost::system::error_code ec;
      tcp::resolver resolver(io_);
      auto eps = resolver.resolve(host, std::to_string(port->port), ec);
      if (ec) {
        c->close("cannot resolve " + host + ": " + ec.message());
        return;
      }
      asio::async_connect(
          c->socket(), eps, [this, c](boost::system::error_code e2, const tcp::endpoint&) {
            if (e2) {
              c->close("connect failed: " + e2.message());
              return;
            }
            c->socket().set_option(tcp::no_delay(true));
            c->secure_then(tls_.get(), [this, c] {
              try {
                c->start_handshake(
                    handshake::initiate(handshake_opts(), c->peer_name(),
                                        [this](const std::string& p) { return !is_up(atom(p)); }));
              } catch (const std::exception& e) {
                c->close(e.what());
              }
            });
          });
    });
    std::lock_guard lk(dial_mu_);
    --dials_;
    dial_cv_.notify_all();
  }).detach();
}

void controller::connection_up(const std::shared_ptr<connection>& c) {
  std::lock_guard lk(mu_);
  accepting_.erase(c);
  auto it = conns_.find(c->peer());
  if (it != conns_.end() && it->second != c) {
    // A simultaneous attempt of ours lost: its queued messages move to this connection.
    for (auto& m : it->second->retire().pending) c->enqueue(std::move(m));
    it->second = c;
  } else if (it == conns_.end()) {
    conns_.emplace(c->peer(), c);
  }
  logger::info("dist: connected to {}", c->peer_name());
  tell_subscribers(c->peer(), true);
}

// REQUIRES: mu_
void controller::tell_subscribers(atom node, bool up) {
  // Subscribers that died are dropped here (they cannot unsubscribe themselves).
  std::erase_if(node_subscribers_, [&](const pid& s) {
    return !deliver_message(s, otp::tuple(atom(up ? "nodeup" : "nodedown"), node));
  });
  auto range = connect_waiters_.equal_range(node);
  for (auto w = range.first; w != range.second; ++w) tell_connected(w->second, node, up);
  connect_waiters_.erase(range.first, range.second);
}

// The answer to await_connection: {'$otpp_ping', Node, true | false}.
void controller::tell_connected(const pid& who, atom node, bool up) {
  deliver_message(who,
                  otp::tuple(atom("$otpp_ping"), node, term(up ? atoms::true_ : atoms::false_)));
}

void controller::monitor_nodes(const pid& who, bool on) {
  std::lock_guard lk(mu_);
  auto it = std::find(node_subscribers_.begin(), node_subscribers_.end(), who);
  if (on && it == node_subscribers_.end()) node_subscribers_.push_back(who);
  if (!on && it != node_subscribers_.end()) node_subscribers_.erase(it);
}

void controller::await_connection(const pid& who, atom node) {
  if (node == name_) {
    tell_connected(who, node, true);
    return;
  }
  auto c = connect(node);
  std::lock_guard lk(mu_);
  auto it = conns_.find(node);
  if (it != conns_.end() && it->second->state() == connection::phase::up) {
    tell_connected(who, node, true);
  } else if (it == conns_.end()) {  // failed already
    tell_connected(who, node, false);
  } else {
    connect_waiters_.emplace(node, who);
  }
}

void controller::send_term(const pid& to, term msg) {
  if (to.is_local()) {
    deliver_message(to, std::move(msg));
    return;
  }
  connect(to.node())->enqueue(ctrl::send{to, std::move(msg)});
}

void controller::connection_down(connection* c, const std::string& why) {
  std::vector<pid> watchers;
  bool was_registered = false;
  std::shared_ptr<connection> keep;
  {
    std::lock_guard lk(mu_);
    for (auto it = accepting_.begin(); it != accepting_.end(); ++it) {
      if (it->get() == c) {
        keep = *it;
        accepting_.erase(it);
        break;
      }
    }
    if (c->peer() != atom()) {
      auto it = conns_.find(c->peer());
      if (it != conns_.end() && it->second.get() == c) {
        keep = it->second;
        conns_.erase(it);
        was_registered = true;
        auto range = node_watchers_.equal_range(c->peer());
        for (auto w = range.first; w != range.second; ++w) watchers.push_back(w->second);
        node_watchers_.erase(range.first, range.second);
        // Subscribers hear of nodes that were up; ping waiters of attempts that failed.
        if (c->was_up()) {
          tell_subscribers(c->peer(), false);
        } else {
          auto waiters = connect_waiters_.equal_range(c->peer());
          for (auto w = waiters.first; w != waiters.second; ++w)
            tell_connected(w->second, c->peer(), false);
          connect_waiters_.erase(waiters.first, waiters.second);
        }
      }
    }
  }
  if (!was_registered) {
    // An attempt that lost to another connection to the same node (simultaneous connects),
    // or never got a name. Messages that reached it late go to the winner, in order.
    if (c->peer() == atom()) return;
    connection::tracked t = c->take_tracked();
    if (t.pending.empty()) return;
    std::shared_ptr<connection> winner = existing(c->peer());
    for (auto& m : t.pending)
      if (winner && winner.get() != c) winner->enqueue(std::move(m));
    return;
  }
  if (c->state() == connection::phase::closed && !why.empty())
    logger::info("dist: connection to {} down: {}", c->peer_name(), why);
  connection::tracked t = c->take_tracked();
  term noconnection(atoms::noconnection);
  for (auto& [local, remote] : t.links)
    deliver_local(local, detail::make_item<detail::exit_item>(detail::item_kind::exit, remote,
                                                              noconnection, true));
  for (auto& [ref, m] : t.monitors)
    deliver_local(m.watcher,
                  detail::make_item<detail::down_item>(
                      detail::item_kind::down, ref, target_pid(m.target, c->peer()), noconnection));
  for (auto& [ref, w] : t.watchers)
    deliver_local(w.target, detail::make_item<detail::monitor_item>(detail::item_kind::demonitor,
                                                                    w.watcher, ref));
  for (auto& m : t.pending) {  // never sent: links and monitors learn noconnection
    if (auto* l = std::get_if<ctrl::link>(&m))
      deliver_local(l->from, detail::make_item<detail::exit_item>(detail::item_kind::exit, l->to,
                                                                  noconnection, true));
    if (auto* mon = std::get_if<ctrl::monitor_p>(&m)) {
      deliver_local(mon->from, detail::make_item<detail::down_item>(
                                   detail::item_kind::down, mon->ref,
                                   target_pid(mon->to, c->peer()), noconnection));
    }
  }
  for (const pid& w : watchers)
    deliver_local(w, detail::make_message<term>(otp::tuple(atom("nodedown"), c->peer())));
}

std::vector<atom> controller::connected_nodes() {
  std::lock_guard lk(mu_);
  std::vector<atom> out;
  for (auto& [n, c] : conns_)
    if (c->state() == connection::phase::up) out.push_back(n);
  return out;
}

bool controller::disconnect(atom node) {
  std::shared_ptr<connection> c;
  {
    std::lock_guard lk(mu_);
    auto it = conns_.find(node);
    if (it == conns_.end()) return false;
    c = it->second;
  }
  asio::post(io_, [c] { c->close("disconnected"); });
  return true;
}

void controller::monitor_node(const pid& watcher, atom node, bool on) {
  if (!on) {
    std::lock_guard lk(mu_);
    auto range = node_watchers_.equal_range(node);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == watcher) {
        node_watchers_.erase(it);
        break;
      }
    }
    return;
  }
  if (node == name_) return;
  connect(node);
  std::lock_guard lk(mu_);
  if (conns_.count(node)) {
    node_watchers_.emplace(node, watcher);
  } else {  // the attempt already failed
    deliver_local(watcher, detail::make_message<term>(otp::tuple(atom("nodedown"), node)));
  }
}

}  // namespace otp::dist
