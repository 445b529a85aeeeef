#pragma once
// The control protocol between `bin/NAME ping|stop|pid|eval|remote|restart` and a running
// node, over a Unix socket in the release's tmp/ (docs/releases.md):
//
//   node   -> client  "OTPPCTL1" and a 32-byte random challenge
//   client -> node    HMAC-SHA256(cookie, challenge)            (32 bytes)
//   node   -> client  'Y' (proven) or 'N' and the connection closes
//   then requests and replies, each a 4-byte big-endian length and an ETF term:
//     ping -> pong;  os_pid -> Integer;  stop -> ok (the node then stops);
//     restart -> ok | {error, Text};  {eval, <<Text>>} -> {Kind, <<Output>>, Evaluated} where Kind
//     is value | error | incomplete | quit and Evaluated counts the statements run (for the
//     prompt's number). One connection is one shell session: bindings
//     made by one eval are seen by the next.
//
// The socket file is mode 0600 in a 0700 directory, and the cookie proof is required even
// so: the socket is never open to other users, and a process of the same user must still
// know the cookie (as for distribution).

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "otp/term.hpp"

namespace otp::release {

inline constexpr std::string_view control_magic = "OTPPCTL1";
inline constexpr size_t control_challenge_bytes = 32;
inline constexpr size_t control_max_frame = size_t(16) << 20;

// A Unix socket address for `dir`/`name`. Socket paths hold 107 bytes and release roots
// may be longer, so a long one goes through a descriptor of the directory
// (/proc/self/fd/N/name, which the kernel resolves); `dir_fd` then holds that descriptor,
// to be closed after bind/connect (else -1). Throws std::runtime_error.
struct unix_address {
  unix_address(const std::string& dir, const std::string& name);
  ~unix_address();
  unix_address(const unix_address&) = delete;
  unix_address& operator=(const unix_address&) = delete;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&addr); }
  socklen_t size() const { return sizeof addr; }
  sockaddr_un addr{};
  int dir_fd = -1;
};

// HMAC-SHA256(cookie, challenge).
std::string control_proof(std::string_view cookie, std::string_view challenge);
// Constant-time comparison of two proofs.
bool proofs_equal(std::string_view a, std::string_view b) noexcept;

// Blocking I/O on a connected socket; false when the peer closed or an error occurred.
bool write_all(int fd, std::string_view bytes);
bool read_exact(int fd, size_t n, std::string& out);
bool write_frame(int fd, const term& t);
// nullopt on close, error, an oversize frame or bytes that are not a term.
std::optional<term> read_frame(int fd);

}  // namespace otp::release
