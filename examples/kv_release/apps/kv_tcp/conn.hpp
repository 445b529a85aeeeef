#pragma once
// kv_conn: one client connection. The listener reads the socket and hands this server
// whole lines, as Erlang's active-mode sockets deliver {tcp, Socket, Data}; this server
// runs each command and writes the reply. A temporary child of kv_conn_sup, linked to the
// listener too, so connections end with the listener that reads for them.

#include <cstdint>
#include <string>

#include <otp/gen_server.hpp>

#include "socket.hpp"

namespace kv_tcp {

/// A complete line from the client (without its newline).
struct tcp_line {
  std::string text;
};
/// The listener stopped reading this client: `why` is empty when the peer closed, else
/// what was wrong, which the client is told before the connection closes.
struct tcp_closed {
  std::string why;
};

class conn {
 public:
  using infos = otp::types<tcp_line, tcp_closed>;

  /// `fd` is the listener's socket for this client. The server keeps its own duplicate:
  /// each side closes only what it owns, so no close can hit a descriptor number that the
  /// other side still writes to after the OS reused it.
  explicit conn(int fd);

  otp::gen_server::result handle_info(tcp_line l);
  otp::gen_server::result handle_info(tcp_closed c);

  /// What sys:get_state shows: #{peer => <<"127.0.0.1:41234">>, commands => N}.
  otp::term to_term() const;

 private:
  unique_fd fd_;
  std::string peer_;
  uint64_t commands_ = 0;
};

}  // namespace kv_tcp
