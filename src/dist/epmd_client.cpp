// EPMD requests over blocking-with-deadline POSIX sockets (see epmd_client.hpp).

#include "dist/epmd_client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "dist/bytes.hpp"
#include "dist/handshake.hpp"

namespace otp::dist {

namespace {

using clock = std::chrono::steady_clock;

// A NAMES reply larger than this is not from an EPMD.
constexpr size_t max_names_reply = size_t(16) << 20;

class epmd_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "epmd"; }
  std::string message(int ev) const override {
    switch (epmd_errc(ev)) {
      case epmd_errc::malformed_reply:
        return "malformed reply from epmd";
      case epmd_errc::closed:
        return "epmd closed the connection before replying";
      case epmd_errc::registration_refused:
        return "epmd refused the registration";
    }
    return "unknown epmd error";
  }
};

// epmd's own rule for names: 1..255 characters, no NUL. We count bytes (stricter for
// multi-byte names, which erl does not make).
void check_alive_name(std::string_view name) {
  if (name.empty() || name.size() > max_node_name_length)
    throw std::invalid_argument("epmd: a node name must be 1..255 bytes, got " +
                                std::to_string(name.size()));
  if (name.find('\0') != std::string_view::npos || name.find('@') != std::string_view::npos)
    throw std::invalid_argument(
        "epmd: the name to register or look up is the part before '@', "
        "without NUL bytes");
}

// One request to one EPMD: connect, write, read, each bounded by the request's deadline.
class connection {
 public:
  connection(std::string_view host, uint16_t port, std::chrono::milliseconds timeout)
      : where_("epmd at " + std::string(host) + ":" + std::to_string(port)),
        deadline_(clock::now() + timeout),
        timeout_(timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string host_str(host);
    std::string port_str = std::to_string(port);
    int rc = ::getaddrinfo(host_str.c_str(), port_str.c_str(), &hints, &res);
    if (rc != 0)
      throw std::system_error(std::make_error_code(std::errc::host_unreachable),
                              where_ + ": cannot resolve host: " + ::gai_strerror(rc));
    int last = ECONNREFUSED;
    for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
      int fd =
          ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) {
        last = errno;
        continue;
      }
      int r = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (r != 0 && errno == EINPROGRESS) {
        if (!wait(fd, POLLOUT)) {
          ::close(fd);
          ::freeaddrinfo(res);
          throw timed_out("connect");
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        r = err == 0 ? 0 : -1;
        errno = err;
      }
      if (r != 0) {
        last = errno;
        ::close(fd);
        continue;
      }
      fd_ = fd;
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) throw std::system_error(last, std::system_category(), where_ + ": connect");
  }
  ~connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Sends one request: the 2-byte length, then `body`.
  void request(std::string_view body) {
    std::string msg;
    put16(msg, uint16_t(body.size()));
    msg += body;
    std::string_view rest = msg;
    while (!rest.empty()) {
      ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          if (!wait(fd_, POLLOUT)) throw timed_out("send");
          continue;
        }
        throw std::system_error(errno, std::system_category(), where_ + ": send");
      }
      rest.remove_prefix(size_t(n));
    }
  }

  // Reads until at least `n` bytes are buffered; false if the connection ends first.
  bool fill(size_t n, size_t limit = 1 << 16) {
    while (buf_.size() < n) {
      if (eof_) return false;
      read_some(limit);
    }
    return true;
  }
  // Reads until the connection ends (at most `limit` bytes).
  void fill_to_eof(size_t limit) {
    while (!eof_) read_some(limit);
  }
  const std::string& buffer() const { return buf_; }
  int release() { return std::exchange(fd_, -1); }

  [[noreturn]] void fail(epmd_errc e, const std::string& what) const {
    throw std::system_error(make_error_code(e), where_ + ": " + what);
  }

 private:
  void read_some(size_t limit) {
    char tmp[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n > 0) {
        if (buf_.size() + size_t(n) > limit) fail(epmd_errc::malformed_reply, "reply too long");
        buf_.append(tmp, size_t(n));
        return;
      }
      if (n == 0) {
        eof_ = true;
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait(fd_, POLLIN)) throw timed_out("reply");
        continue;
      }
      throw std::system_error(errno, std::system_category(), where_ + ": recv");
    }
  }

  // Waits for `events` until the deadline; false on timeout.
  bool wait(int fd, short events) const {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, events, 0};
      int r = ::poll(&p, 1, int(std::min<long long>(left.count() + 1, 1 << 30)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR)
        throw std::system_error(errno, std::system_category(), where_ + ": poll");
    }
  }

  std::system_error timed_out(const char* what) const {
    return std::system_error(
        std::make_error_code(std::errc::timed_out),
        where_ + ": no " + what + " within " + std::to_string(timeout_.count()) + " ms");
  }

  std::string where_;
  clock::time_point deadline_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

uint16_t port_of(const epmd_options& opts) {
  return opts.port ? opts.port : default_epmd_port();
}

}  // namespace

const std::error_category& epmd_category() noexcept {
  static const epmd_category_impl cat;
  return cat;
}

std::error_code make_error_code(epmd_errc e) noexcept {
  return {int(e), epmd_category()};
}

uint16_t default_epmd_port() noexcept {
  const char* env = std::getenv("ERL_EPMD_PORT");
  if (env && *env) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(env, env + std::strlen(env), v);
    if (ec == std::errc() && *end == '\0' && v > 0 && v <= 65535) return uint16_t(v);
  }
  return epmd_default_port;
}

// ---- registration --------------------------------------------------------------------------

epmd_registration::epmd_registration(epmd_registration&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), creation_(o.creation_), name_(std::move(o.name_)) {}

epmd_registration& epmd_registration::operator=(epmd_registration&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    creation_ = o.creation_;
    name_ = std::move(o.name_);
  }
  return *this;
}

void epmd_registration::close() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

bool epmd_registration::alive() const noexcept {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, 0);
  if (r <= 0) return r == 0 || errno == EINTR;
  if (p.revents & (POLLERR | POLLNVAL)) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return true;  // unexpected bytes; EPMD still holds the socket
  if (n == 0) return false;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

epmd_registration register_node(std::string_view alive_name, uint16_t listen_port, bool hidden,
                                const epmd_options& opts) {
  check_alive_name(alive_name);
  connection c("127.0.0.1", port_of(opts), opts.timeout);
  std::string body;
  body += char(alive2_req);
  put16(body, listen_port);
  body += char(hidden ? epmd_node_type_hidden : epmd_node_type_normal);
  body += char(0);            // protocol: TCP/IPv4
  put16(body, dist_version);  // highest
  put16(body, dist_version);  // lowest: OTP 25 speaks version 6 only
  put16(body, uint16_t(alive_name.size()));
  body += alive_name;
  put16(body, 0);  // no extra
  c.request(body);

  if (!c.fill(2)) c.fail(epmd_errc::closed, "no reply to ALIVE2_REQ");
  auto tag = uint8_t(c.buffer()[0]);
  auto result = uint8_t(c.buffer()[1]);
  uint32_t creation;
  if (tag == alive2_x_resp) {
    if (!c.fill(6)) c.fail(epmd_errc::closed, "truncated ALIVE2_X_RESP");
    creation = get32(c.buffer(), 2);
  } else if (tag == alive2_resp) {
    if (!c.fill(4)) c.fail(epmd_errc::closed, "truncated ALIVE2_RESP");
    creation = get16(c.buffer(), 2);
  } else {
    c.fail(epmd_errc::malformed_reply,
           "expected ALIVE2_X_RESP (118) or ALIVE2_RESP (121), got " + std::to_string(tag));
  }
  if (result != 0)
    c.fail(epmd_errc::registration_refused, "refused to register '" + std::string(alive_name) +
                                                "' (result " + std::to_string(result) +
                                                "): the name is in use or invalid");
  epmd_registration r;
  r.fd_ = c.release();
  r.creation_ = creation;
  r.name_ = std::string(alive_name);
  return r;
}

// ---- look-ups ------------------------------------------------------------------------------

std::optional<port_info> port_please(std::string_view host, std::string_view alive_name,
                                     const epmd_options& opts) {
  check_alive_name(alive_name);
  connection c(host, port_of(opts), opts.timeout);
  std::string body;
  body += char(port_please2_req);
  body += alive_name;
  c.request(body);

  if (!c.fill(2)) c.fail(epmd_errc::closed, "no reply to PORT_PLEASE2_REQ");
  const std::string& b = c.buffer();
  if (uint8_t(b[0]) != port2_resp)
    c.fail(epmd_errc::malformed_reply,
           "expected PORT2_RESP (119), got " + std::to_string(uint8_t(b[0])));
  if (b[1] != 0) return std::nullopt;
  // Result:8 Port:16 NodeType:8 Protocol:8 Highest:16 Lowest:16 Nlen:16 Name Elen:16 Extra
  if (!c.fill(12)) c.fail(epmd_errc::closed, "truncated PORT2_RESP");
  port_info info;
  info.port = get16(b, 2);
  info.node_type = uint8_t(b[4]);
  info.protocol = uint8_t(b[5]);
  info.highest_version = get16(b, 6);
  info.lowest_version = get16(b, 8);
  size_t nlen = get16(b, 10);
  if (!c.fill(12 + nlen + 2)) c.fail(epmd_errc::closed, "truncated PORT2_RESP name");
  info.name = b.substr(12, nlen);
  size_t elen = get16(b, 12 + nlen);
  if (!c.fill(14 + nlen + elen)) c.fail(epmd_errc::closed, "truncated PORT2_RESP extra");
  info.extra = b.substr(14 + nlen, elen);
  return info;
}

std::vector<epmd_name> names(std::string_view host, const epmd_options& opts) {
  connection c(host, port_of(opts), opts.timeout);
  c.request(std::string(1, char(names_req)));
  c.fill_to_eof(max_names_reply);
  const std::string& b = c.buffer();
  if (b.size() < 4) c.fail(epmd_errc::closed, "truncated NAMES_RESP");
  std::vector<epmd_name> out;
  std::string_view text(b);
  text.remove_prefix(4);  // EPMD's own port
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) c.fail(epmd_errc::malformed_reply, "unterminated name line");
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    // "name <Name> at port <Port>"
    constexpr std::string_view prefix = "name ", middle = " at port ";
    size_t at = line.rfind(middle);
    if (line.substr(0, prefix.size()) != prefix || at == std::string_view::npos ||
        at < prefix.size())
      c.fail(epmd_errc::malformed_reply, "bad name line '" + std::string(line) + "'");
    std::string_view port_text = line.substr(at + middle.size());
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
      c.fail(epmd_errc::malformed_reply, "bad port in '" + std::string(line) + "'");
    out.push_back({std::string(line.substr(prefix.size(), at - prefix.size())), uint16_t(port)});
  }
  return out;
}

bool epmd_answers(std::string_view host, uint16_t port,
                  std::chrono::milliseconds timeout) noexcept {
  try {
    connection c(host, port, timeout);
    c.request(std::string(1, char(names_req)));
    return c.fill(4);
  } catch (...) {
    return false;
  }
}

}  // namespace otp::dist
