#include "control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "control_client.hpp"
#include "control_protocol.hpp"
#include "dist/cookie.hpp"
#include "otp/dist.hpp"
#include "otp/init.hpp"
#include "otp/logger.hpp"
#include "otp/shell.hpp"

namespace otp::release {

// One client: its socket, its thread and its shell session (made by the first eval).
struct control_server::connection {
  int fd = -1;  // closed only by the thread that joins `thread`, so never reused under it
  std::thread thread;
  std::atomic<bool> finished{false};
  std::unique_ptr<shell::evaluator> session;
};

namespace {

atom kind_atom(shell::eval_result::kind k) {
  switch (k) {
    case shell::eval_result::kind::value:
      return atom("value");
    case shell::eval_result::kind::error:
      return atom("error");
    case shell::eval_result::kind::incomplete:
      return atom("incomplete");
    case shell::eval_result::kind::quit:
      return atom("quit");
  }
  return atom("error");
}

}  // namespace

control_server::control_server(node& n, std::string dir, std::string socket_name,
                               std::string cookie, control_hooks hooks)
    : node_(n),
      path_(dir + "/" + socket_name),
      cookie_(std::move(cookie)),
      hooks_(std::move(hooks)) {
  // Only this user may enter the directory; the socket itself is 0600 too. (umask is
  // process-wide: this runs at boot, before anything else creates files.)
  ::mkdir(dir.c_str(), 0700);
  ::chmod(dir.c_str(), 0700);
  if (::access(path_.c_str(), F_OK) == 0) {
    if (control_client::answers(dir, socket_name, cookie_))
      throw std::runtime_error("a node is already running on control socket " + path_);
    ::unlink(path_.c_str());  // left by a node that did not stop in order
  }
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  unix_address a(dir, socket_name);
  mode_t old = ::umask(0177);  // the socket file is created 0600
  int rc = ::bind(listen_fd_, a.get(), a.size());
  ::umask(old);
  if (rc != 0 || ::listen(listen_fd_, 16) != 0) {
    std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("cannot listen on control socket " + path_ + ": " + why);
  }
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  acceptor_ = std::thread([this] { accept_loop(); });
}

control_server::~control_server() {
  close();
}

void control_server::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto c = std::make_shared<connection>();
    c->fd = fd;
    detail::lock_guard g(mu_);
    if (!open_) {
      ::close(fd);
      return;
    }
    reap_finished();
    c->thread = std::thread([this, c] { serve(c); });
    connections_.push_back(c);
  }
}

bool control_server::authenticate(int fd) {
  std::string challenge(control_challenge_bytes, '\0');
  dist::secure_random_bytes(challenge.data(), challenge.size());
  std::string proof;
  if (!write_all(fd, std::string(control_magic) + challenge) ||
      !read_exact(fd, control_challenge_bytes, proof))
    return false;
  bool ok = proofs_equal(proof, control_proof(cookie_, challenge));
  write_all(fd, ok ? "Y" : "N");
  if (!ok) logger::warning("control socket: a client failed to prove the cookie; refused");
  return ok;
}

void control_server::reap_finished() {
  std::erase_if(connections_, [](const std::shared_ptr<connection>& c) {
    if (!c->finished) return false;
    c->thread.join();
    ::close(c->fd);
    return true;
  });
}

void control_server::serve(const std::shared_ptr<connection>& c) {
  // On the way out the peer sees the connection end at once (shutdown), while the
  // descriptor stays ours until the thread is joined and it is closed.
  struct mark_finished {
    connection& c;
    ~mark_finished() {
      ::shutdown(c.fd, SHUT_RDWR);
      c.finished = true;
    }
  } guard{*c};
  if (!authenticate(c->fd)) return;
  while (auto request = read_frame(c->fd)) {
    term reply = handle(*c, *request);
    if (!write_frame(c->fd, reply)) return;
    if (request->is_atom(atom("stop"))) {
      // The client waits for the connection to close: that happens when the node is down.
      init::stop(0, "stop requested by a control client (bin/NAME stop)");
    }
  }
}

term control_server::handle(connection& c, const term& request) {
  if (request.is_atom(atom("ping"))) return term(atom("pong"));
  if (request.is_atom(atom("os_pid"))) return term(static_cast<int64_t>(::getpid()));
  if (request.is_atom(atom("node"))) return term(node_name());
  if (request.is_atom(atom("stop"))) return term(atom("ok"));
  if (request.is_atom(atom("restart"))) {
    std::string err = hooks_.restart ? hooks_.restart() : "restart is not available";
    if (err.empty()) return term(atom("ok"));
    return tuple(atom("error"), term::binary(err));
  }
  if (request.is_tuple(2) && request[0].is_atom(atom("eval")) && request[1].is_binary())
    return evaluate(c, std::string(request[1].as_binary()));
  return tuple(atom("error"), term::binary("unknown request " + to_string(request)));
}

term control_server::evaluate(connection& c, const std::string& text) {
  {
    detail::lock_guard g(mu_);
    if (!open_) return tuple(atom("error"), term::binary("the node is stopping\n"), 0);
  }
  if (!c.session) {
    try {
      c.session = std::make_unique<shell::evaluator>(node_);
    } catch (const std::runtime_error&) {  // the node is shutting down
      return tuple(atom("error"), term::binary("the node is stopping\n"), 0);
    }
  }
  shell::eval_result r = c.session->eval(text);
  return tuple(kind_atom(r.what), term::binary(r.output), static_cast<int64_t>(r.evaluated));
}

void control_server::stop_evaluating() {
  detail::lock_guard g(mu_);
  open_ = false;
}

void control_server::close() {
  if (listen_fd_ < 0) return;
  stop_evaluating();
  (void)!::write(wake_pipe_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::shared_ptr<connection>> conns;
  {
    detail::lock_guard g(mu_);
    conns.swap(connections_);
  }
  for (auto& c : conns) ::shutdown(c->fd, SHUT_RDWR);
  for (auto& c : conns) {
    if (c->thread.joinable()) c->thread.join();
    ::close(c->fd);
  }
  ::close(listen_fd_);
  listen_fd_ = -1;
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
  ::unlink(path_.c_str());
}

}  // namespace otp::release
