#pragma once
// The node's end of the control protocol (control_protocol.hpp): a thread accepting on the
// release's control socket and one thread per connection. Evaluations run in processes of
// the node; a connection keeps one shell session, so its bindings last as long as it does.
//
// Invariants: no evaluation starts once stop_evaluating() was called; one in progress ends
// when the node shuts down (shell::evaluator never waits on a node that stopped), so
// close() after node shutdown returns after every connection thread has ended. Thread
// safety: start/stop_evaluating/close from one thread (the boot's).

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "otp/detail/mutex.hpp"
#include "otp/node.hpp"

namespace otp::release {

struct control_hooks {
  // restart: stops and starts the release's applications again; empty string on success.
  std::function<std::string()> restart;
};

class control_server {
 public:
  // Listens on `socket_name` in the current directory's `dir` (a relative path, see
  // layout.hpp). Throws std::runtime_error when it cannot (another node answering there
  // is reported as already running).
  control_server(node& n, std::string dir, std::string socket_name, std::string cookie,
                 control_hooks hooks);
  ~control_server();
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  // Refuses new evaluations (before node shutdown). Connections stay open until close().
  void stop_evaluating();
  // Closes the socket and every connection; joins all threads; removes the socket file.
  void close();

 private:
  struct connection;
  void accept_loop();
  void reap_finished() OTPP_REQUIRES(mu_);
  void serve(const std::shared_ptr<connection>& c);
  bool authenticate(int fd);
  term handle(connection& c, const term& request);
  term evaluate(connection& c, const std::string& text);

  node& node_;
  std::string path_;
  std::string cookie_;
  control_hooks hooks_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread acceptor_;
  detail::mutex mu_;
  bool open_ OTPP_GUARDED_BY(mu_) = true;
  std::vector<std::shared_ptr<connection>> connections_ OTPP_GUARDED_BY(mu_);
};

}  // namespace otp::release
