#include "control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "control_protocol.hpp"

namespace otp::release {

control_client::control_client(const std::string& dir, const std::string& socket_name,
                               const std::string& cookie) {
  int err = 0;
  {
    unix_address a(dir, socket_name);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, a.get(), a.size()) != 0) err = errno;
  }
  if (err) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw control_unreachable(dir + "/" + socket_name + ": " + std::strerror(err));
  }
  std::string hello;
  if (!read_exact(fd_, control_magic.size() + control_challenge_bytes, hello) ||
      hello.compare(0, control_magic.size(), control_magic) != 0)
    throw control_unreachable("the control socket did not answer as an otpp node");
  std::string answer;
  if (!write_all(fd_, control_proof(cookie, hello.substr(control_magic.size()))) ||
      !read_exact(fd_, 1, answer))
    throw control_unreachable("the control connection closed during authentication");
  if (answer != "Y")
    throw std::runtime_error("the node refused the cookie (RELEASE_COOKIE or releases/COOKIE)");
}

control_client::~control_client() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<term> control_client::request(const term& t) {
  if (!write_frame(fd_, t)) return std::nullopt;
  return read_frame(fd_);
}

void control_client::wait_closed() {
  char buf[64];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

bool control_client::answers(const std::string& dir, const std::string& socket_name,
                             const std::string& cookie) {
  try {
    control_client c(dir, socket_name, cookie);
    auto r = c.request(term(atom("ping")));
    return r && r->is_atom(atom("pong"));
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace otp::release
