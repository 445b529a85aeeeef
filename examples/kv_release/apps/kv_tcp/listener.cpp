#include "listener.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>

#include <otp/application.hpp>
#include <otp/logger.hpp>
#include <otp/supervisor.hpp>

#include "conn.hpp"

namespace kv_tcp {

namespace gs = otp::gen_server;
namespace sv = otp::supervisor;
using namespace std::chrono_literals;

namespace {

// How long one poll may keep the listener from its mailbox. It also bounds another wait:
// during otp::blocking the listener's stack lane stays locked, and a process whose frames
// were evacuated from that lane waits for it (docs/runtime.md, "Blocking work").
constexpr int poll_ms = 200;
// Connections accepted per round, so a flood of connects cannot starve reading.
constexpr int accepts_per_round = 64;

otp::term env(const char* key, otp::term default_value) {
  return otp::application::get_env(otp::atom("kv_tcp"), otp::atom(key), std::move(default_value));
}

// Polling again right away: the zero timeout returns the process to its loop first.
gs::result keep_polling() {
  return gs::noreply().timeout(0ms);
}

std::string address(const otp::term& ip, int port) {
  if (!ip.is_tuple()) return otp::to_string(ip) + ":" + std::to_string(port);
  std::string s;
  for (const auto& part : ip.elements()) s += (s.empty() ? "" : ".") + otp::to_string(part);
  return s + ":" + std::to_string(port);
}

}  // namespace

listener::listener()
    : ip_(env("ip", otp::tuple(127, 0, 0, 1))),
      port_(static_cast<int>(env("port", 7070).as_int())),
      max_line_(static_cast<size_t>(env("max_line", 65536).as_int())) {
  // The listener links to each connection (start_conn): one ending must not end the
  // listener, so its EXIT arrives as a message instead.
  otp::trap_exit(true);
}

gs::init_result listener::init() {
  listen_result l = listen_tcp(ip_, port_);
  if (!l.fd) {
    otp::logger::error(
        "kv_tcp: cannot listen on {}: {} (the port is set in sys.config: "
        "{{kv_tcp, [{{port, P}}]}})",
        address(ip_, port_), l.error);
    return gs::init_result::stop(
        otp::tuple(otp::atom("listen_error"), otp::tuple(ip_, port_), l.error));
  }
  listen_ = std::move(l.fd);
  otp::logger::notice("kv_tcp: listening on {}", address(ip_, port_));
  return gs::ok().timeout(0ms);
}

gs::result listener::handle_timeout() {
  std::vector<pollfd> fds{{listen_.get(), POLLIN, 0}};
  for (const auto& [fd, c] : clients_) fds.push_back({fd, POLLIN, 0});
  int n = otp::blocking([&] { return ::poll(fds.data(), fds.size(), poll_ms); });
  if (n > 0) on_ready(fds);
  return keep_polling();
}

void listener::on_ready(const std::vector<pollfd>& ready) {
  if (ready[0].revents & POLLIN) accept_clients();
  for (size_t i = 1; i < ready.size(); ++i)
    if (ready[i].revents) read_client(ready[i].fd);
}

void listener::accept_clients() {
  for (int i = 0; i < accepts_per_round; ++i) {
    unique_fd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        otp::logger::warning("kv_tcp: accept failed: {}", errno_atom(errno));
      return;
    }
    start_conn(std::move(fd));
  }
}

void listener::start_conn(unique_fd fd) {
  sv::child_spec spec;
  spec.id = otp::atom("kv_conn");
  spec.restart = sv::temporary;  // a connection that died is not reopened
  spec.start = [raw = fd.get()] { return gs::start_link<conn>(raw); };
  otp::start_result r = otp::start_result::error(otp::atom("noproc"));
  try {
    r = otp::dynamic_supervisor::start_child(otp::atom("kv_conn_sup"), std::move(spec));
  } catch (const otp::exit_exception& e) {  // kv_conn_sup is being restarted
    r = otp::start_result::error(e.reason());
  }
  std::string peer = peer_name(fd.get());
  if (!r.is_ok()) {
    bool full = r.reason().is_atom(otp::atom("max_children"));
    send_all(fd.get(), full ? "ERROR too many connections\n" : "ERROR server busy\n");
    otp::logger::warning("kv_tcp: refused {}: {}", peer, r.reason());
    return;  // fd closes here
  }
  otp::link(r.child());
  ++accepted_;
  otp::logger::info("kv_tcp: {} connected, served by {}", peer, r.child());
  int raw = fd.get();
  clients_.emplace(raw, client{std::move(fd), r.child(), std::move(peer), {}});
}

void listener::read_client(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  client& c = it->second;
  char buf[4096];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    // End of input: a last line without its newline still counts.
    if (!c.buffer.empty()) otp::send(c.conn, tcp_line{std::move(c.buffer)});
    drop_client(fd, {});
    return;
  }
  c.buffer.append(buf, static_cast<size_t>(n));
  size_t start = 0;
  for (size_t nl; (nl = c.buffer.find('\n', start)) != std::string::npos; start = nl + 1)
    otp::send(c.conn, tcp_line{c.buffer.substr(start, nl - start)});
  c.buffer.erase(0, start);
  if (c.buffer.size() > max_line_) drop_client(fd, "line too long");
}

void listener::drop_client(int fd, std::string why) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  otp::logger::info("kv_tcp: {} disconnected{}", it->second.peer, why.empty() ? "" : ": " + why);
  otp::send(it->second.conn, tcp_closed{std::move(why)});
  clients_.erase(it);
}

gs::result listener::handle_info(otp::exit_msg e) {
  for (auto it = clients_.begin(); it != clients_.end(); ++it) {
    if (it->second.conn != e.from) continue;
    otp::logger::info("kv_tcp: {} closed: its connection process ended ({})", it->second.peer,
                      e.reason);
    clients_.erase(it);
    break;
  }
  return keep_polling();
}

gs::result listener::handle_info(otp::any_message m) {
  otp::logger::warning("kv_tcp_listener: unexpected message of type {}", m.type_name());
  return keep_polling();
}

otp::term listener::to_term() const {
  std::vector<otp::term> conns;
  for (const auto& [fd, c] : clients_)
    conns.push_back(otp::term::map(
        {{otp::atom("conn"), c.conn}, {otp::atom("peer"), otp::term::binary(c.peer)}}));
  return otp::term::map({{otp::atom("ip"), ip_},
                         {otp::atom("port"), port_},
                         {otp::atom("accepted"), static_cast<int64_t>(accepted_)},
                         {otp::atom("connections"), otp::term::list(std::move(conns))}});
}

}  // namespace kv_tcp
