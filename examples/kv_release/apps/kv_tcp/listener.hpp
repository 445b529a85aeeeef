#pragma once
// kv_tcp_listener: owns the listening socket and reads every client socket.
//
// It polls all its sockets at once on the blocking-work pool (otp::blocking), for at most
// 200 ms per round, then returns to its loop with a zero timeout to poll again. Between
// rounds it handles its mail, so it stays a well-behaved gen_server: sys:get_state, a
// supervisor's shutdown and the EXITs of its connections are answered within a round.
//
// Per client it keeps the socket and a buffer; each complete line goes to the client's
// kv_conn as a tcp_line message, in order. The listener traps exits: a connection's
// process ending (QUIT, a crash) arrives as an EXIT and closes the socket; the client
// closing makes the listener send tcp_closed, and the connection ends itself.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <otp/gen_server.hpp>
#include <otp/receive.hpp>

#include "socket.hpp"

struct pollfd;

namespace kv_tcp {

class listener {
 public:
  using infos = otp::types<otp::exit_msg>;

  /// Reads ip, port and max_line from the kv_tcp application's environment.
  listener();
  /// Listens, or fails the start with {listen_error, {Ip, Port}, Reason} (eaddrinuse...).
  otp::gen_server::init_result init();

  otp::gen_server::result handle_timeout();
  otp::gen_server::result handle_info(otp::exit_msg e);
  /// Anything else (a stray `!` from the shell) is logged; polling goes on.
  otp::gen_server::result handle_info(otp::any_message m);

  /// #{ip => {127,0,0,1}, port => 7070, accepted => N,
  ///   connections => [#{conn => Pid, peer => <<"127.0.0.1:41234">>}]}.
  otp::term to_term() const;

 private:
  struct client {
    unique_fd fd;
    otp::pid conn;
    std::string peer;
    std::string buffer;  // bytes after the last complete line
  };

  void on_ready(const std::vector<pollfd>& ready);
  void accept_clients();
  void start_conn(unique_fd fd);
  void read_client(int fd);
  // Forgets the client, closing the listener's copy of its socket, and tells its kv_conn.
  void drop_client(int fd, std::string why);

  otp::term ip_;
  int port_ = 0;
  size_t max_line_ = 0;
  unique_fd listen_;
  std::map<int, client> clients_;  // by socket
  uint64_t accepted_ = 0;
};

}  // namespace kv_tcp
