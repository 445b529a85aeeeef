#pragma once
// The few socket operations kv_tcp needs, over plain POSIX calls.

#include <string>
#include <string_view>
#include <utility>

#include <otp/term.hpp>

namespace kv_tcp {

/// Owns a file descriptor and closes it when destroyed. Servers keep their sockets in
/// these, so a socket is closed however the process ends — even killed, which skips
/// terminate: the runtime destroys a process's state before its exit signals go out, so
/// a restarted listener finds its port free.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// A second descriptor for the same socket (close-on-exec); throws std::system_error.
unique_fd duplicate(int fd);

/// A non-blocking TCP socket listening on ip:port (`ip` as Erlang writes addresses:
/// {127,0,0,1}). On failure the fd is empty and `error` says why, as inet does: an atom
/// such as eaddrinuse or eacces.
struct listen_result {
  unique_fd fd;
  otp::term error;
};
listen_result listen_tcp(const otp::term& ip, int port);

/// The errno value's name as Erlang's inet reports it: EADDRINUSE is eaddrinuse.
otp::atom errno_atom(int err);

/// "ip:port" of the socket's peer ("?" when unknown).
std::string peer_name(int fd);

/// Writes all of `data` to a non-blocking socket. When the socket's buffer is full it
/// waits for room on the blocking-work pool (otp::blocking), never on a scheduler, and
/// gives up after 5 s without progress. False when the peer is gone or too slow.
bool send_all(int fd, std::string_view data);

}  // namespace kv_tcp
