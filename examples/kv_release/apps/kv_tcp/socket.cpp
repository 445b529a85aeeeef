#include "socket.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <optional>
#include <system_error>

#include <otp/process.hpp>

namespace kv_tcp {
namespace {

// {A,B,C,D} (each 0..255) as an IPv4 address.
std::optional<in_addr> ipv4_of(const otp::term& ip) {
  if (!ip.is_tuple(4)) return std::nullopt;
  uint32_t a = 0;
  for (const auto& part : ip.elements()) {
    auto v = part.try_int64();
    if (!v || *v < 0 || *v > 255) return std::nullopt;
    a = (a << 8) | static_cast<uint32_t>(*v);
  }
  in_addr out{};
  out.s_addr = htonl(a);
  return out;
}

}  // namespace

void unique_fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

unique_fd duplicate(int fd) {
  unique_fd out(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!out) throw std::system_error(errno, std::generic_category(), "dup of a client socket");
  return out;
}

otp::atom errno_atom(int err) {
  const char* name = ::strerrorname_np(err);
  if (!name) return otp::atom("unknown");
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return otp::atom(lower);
}

listen_result listen_tcp(const otp::term& ip, int port) {
  auto addr = ipv4_of(ip);
  if (!addr || port < 0 || port > 65535) return {{}, otp::atom("einval")};
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return {{}, errno_atom(errno)};
  int on = 1;  // a restarted listener may bind while old connections sit in TIME_WAIT
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr = *addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0)
    return {{}, errno_atom(errno)};
  return {std::move(fd), otp::term()};
}

std::string peer_name(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0 || sa.sin_family != AF_INET)
    return "?";
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(sa.sin_port));
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd, POLLOUT, 0};
    if (otp::blocking([&] { return ::poll(&p, 1, 5000); }) <= 0) return false;
  }
  return true;
}

}  // namespace kv_tcp
