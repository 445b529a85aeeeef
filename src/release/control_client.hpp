#pragma once
// The client end of the control protocol (control_protocol.hpp), used by bin/NAME's
// commands that talk to a running node.
//
// Thread safety: one client per thread.

#include <optional>
#include <string>

#include "otp/term.hpp"

namespace otp::release {

class control_client {
 public:
  // Connects to `dir`/`socket_name` and proves the cookie. Throws control_unreachable
  // when no node listens there, std::runtime_error when the node refuses the cookie.
  control_client(const std::string& dir, const std::string& socket_name, const std::string& cookie);
  ~control_client();
  control_client(const control_client&) = delete;
  control_client& operator=(const control_client&) = delete;

  // Sends a request and waits for its reply; nullopt when the connection closed.
  std::optional<term> request(const term& t);
  // Blocks until the node closes the connection (after `stop`: the node is down).
  void wait_closed();

  // True when a node answers ping there with this cookie.
  static bool answers(const std::string& dir, const std::string& socket_name,
                      const std::string& cookie);

 private:
  int fd_ = -1;
};

class control_unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace otp::release
