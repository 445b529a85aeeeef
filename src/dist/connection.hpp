#pragma once
// One connection to another node: socket I/O (Boost.Asio, on the distribution thread),
// the handshake, frames, ticks, and the bookkeeping needed when it goes down.
//
// Threads: enqueue() is called from any thread (a process sending); everything else runs on
// the distribution thread. `mu_` guards the output buffer, the pending list and the
// tracked links and monitors.
//
// Invariants:
//  - Frames are appended to `out_` in the order enqueue() was called, so messages and
//    signals from one process to another keep their order across the network.
//  - At most one asio write is in flight; whatever accumulates meanwhile goes out with the
//    next one (batched writes: no syscall per message under load).
//  - Before the handshake completes, control messages wait in `pending_` (unencoded: the
//    peer's flags are not known yet); if it fails they are answered as unreachable.

// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "control.hpp"
#include "frame.hpp"
#include "handshake.hpp"

namespace otp::dist {

class controller;

class connection : public std::enable_shared_from_this<connection> {
 public:
  enum class role : uint8_t { initiator, acceptor };
  enum class phase : uint8_t { connecting, handshaking, up, closed };

  connection(controller& c, boost::asio::io_context& io, role r, std::string peer_name);

  // Any thread: sends a control message (queued until the connection is up). False when
  // the connection is closed (the message was not sent).
  bool enqueue(control_message m);

  // Back-pressure (as BEAM's dist_buf_busy_limit): a connection with more than busy_high
  // bytes queued is busy; a sending process then waits (wait_for_drain registers it) until
  // the queue is below busy_low, or the connection closes.
  static constexpr size_t busy_high = size_t(4) << 20;
  static constexpr size_t busy_low = size_t(1) << 20;
  bool busy() const;
  bool wait_for_drain(const pid& who);  // false: no need to wait

  // Writes what is queued, from the scheduler thread whose process queued it (after the
  // process switched out: one write per time slice, not per message).
  void flush();

  // Distribution thread only:
  boost::asio::ip::tcp::socket& socket() noexcept { return sock_; }
  // With a TLS context, runs the TLS handshake first (as -proto_dist inet_tls), then `next`.
  void secure_then(boost::asio::ssl::context* tls, std::function<void()> next);
  void start_handshake(handshake hs);  // the socket (and TLS) is connected
  void close(const std::string& why);  // idempotent
  const std::string& peer_name() const noexcept { return peer_name_; }
  atom peer() const noexcept { return peer_; }
  phase state() const;
  // Closed (or replaced), without taking the lock: for caches of connections.
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  // Whether the handshake ever completed (a node that was up goes down; an attempt fails).
  bool was_up() const noexcept { return was_up_.load(std::memory_order_acquire); }
  role side() const noexcept { return role_; }

  // Links and monitors that cross this connection, to answer with noconnection when it
  // goes down (see controller::connection_down).
  struct our_monitor {  // a local process monitors a remote one
    pid watcher;
    proc_ref target;  // a pid, or the name it was monitored by
  };
  struct their_monitor {  // a remote process monitors a local one
    pid target;
    pid watcher;
    std::optional<atom> name;  // set when it monitored by name
  };
  struct tracked {
    std::set<std::pair<pid, pid>> links;  // (local, remote)
    std::map<reference, our_monitor> monitors;
    std::map<reference, their_monitor> watchers;
    std::vector<control_message> pending;
  };
  // Moves the bookkeeping out (when the connection is down).
  tracked take_tracked();
  // Replaced by another connection to the same node (simultaneous connects): closes, and
  // hands over what waited to be sent. Distribution thread.
  tracked retire();
  // A remote process now monitors a local one (dispatch, after delivering the monitor).
  void add_watcher(const reference& ref, their_monitor w);
  // Ends a remote process's monitor (on DEMONITOR_P); returns what it was.
  std::optional<their_monitor> take_watcher(const reference& ref);
  // Records what an incoming control message means for the bookkeeping.
  void track_incoming(const control_message& m);

 private:
  // Records an outgoing message, and fills in what only the bookkeeping knows (the name a
  // monitor was made by). REQUIRES: mu_
  void track_outgoing(control_message& m);
  void read_handshake();
  void on_handshake_done(const handshake_done& d, std::string leftover);
  void read_frames();
  void consume(std::string_view bytes);
  void append_locked(control_message& m);  // REQUIRES: mu_, phase up
  void kick_write();
  void request_flush();  // REQUIRES: mu_  // REQUIRES: mu_ held by caller... posts the write
  void write_now();
  void arm_ticker();
  void write_raw(std::string bytes, bool close_after);
  // Reads and writes on the TLS stream when there is one, else on the socket.
  template <class Buffer, class Handler>
  void async_read(const Buffer& b, Handler&& h) {
    if (tls_) {
      tls_->async_read_some(b, std::forward<Handler>(h));
    } else {
      sock_.async_read_some(b, std::forward<Handler>(h));
    }
  }
  template <class Buffer, class Handler>
  void async_write_all(const Buffer& b, Handler&& h) {
    if (tls_) {
      boost::asio::async_write(*tls_, b, std::forward<Handler>(h));
    } else {
      boost::asio::async_write(sock_, b, std::forward<Handler>(h));
    }
  }

  controller& ctl_;
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::socket sock_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::asio::steady_timer ticker_;
  role role_;
  std::string peer_name_;
  atom peer_;
  uint64_t flags_ = 0;
  std::optional<handshake> hs_;
  std::optional<frame_decoder> dec_;
  std::optional<frame_encoder> enc_;
  std::array<char, 64 * 1024> rbuf_{};
  std::string wbuf_;                    // the write in flight (distribution thread)
  std::vector<control_message> batch_;  // what one read decoded (distribution thread)

  std::atomic<bool> was_up_{false};
  std::atomic<bool> closed_{false};
  mutable std::mutex mu_;
  phase phase_ = phase::connecting;  // guarded by mu_
  std::string out_;                  // guarded by mu_
  bool writing_ = false;             // guarded by mu_
  bool flush_pending_ = false;       // a scheduler thread will flush; guarded by mu_
  std::vector<pid> drain_waiters_;   // guarded by mu_
  tracked tracked_;                  // guarded by mu_
  std::chrono::steady_clock::time_point last_read_, last_write_;
  bool wrote_since_tick_ = false;  // guarded by mu_
};

}  // namespace otp::dist
