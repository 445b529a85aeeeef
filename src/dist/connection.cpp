// A connection to another node: handshake, frames, batched writes, ticks.

#include "connection.hpp"

#include <sys/socket.h>

#include "controller.hpp"
#include "otp/logger.hpp"
#include "runtime/after_run.hpp"

namespace otp::dist {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

connection::connection(controller& c, asio::io_context& io, role r, std::string peer_name)
    : ctl_(c), io_(io), sock_(io), ticker_(io), role_(r), peer_name_(std::move(peer_name)) {
  if (!peer_name_.empty()) peer_ = atom(peer_name_);
}

connection::phase connection::state() const {
  std::lock_guard lk(mu_);
  return phase_;
}

// ---- output ------------------------------------------------------------------------

bool connection::enqueue(control_message m) {
  std::lock_guard lk(mu_);
  switch (phase_) {
    case phase::closed:  // lost a race with the connection going down: nothing to send on
      return false;
    case phase::connecting:
    case phase::handshaking:
      tracked_.pending.push_back(std::move(m));
      return true;
    case phase::up:
      break;
  }
  append_locked(m);
  request_flush();
  return true;
}

namespace {
// Connections with output that the current scheduler thread flushes once its process
// switches out (see runtime/after_run.hpp).
thread_local std::vector<std::shared_ptr<connection>> deferred_flushes;

void flush_deferred() {
  std::vector<std::shared_ptr<connection>> list;
  list.swap(deferred_flushes);
  for (auto& c : list) c->flush();
}
}  // namespace

void connection::request_flush() {
  if (writing_ || flush_pending_ || out_.empty()) return;
  if (!tls_ && detail::defer_after_run(&flush_deferred)) {
    flush_pending_ = true;
    deferred_flushes.push_back(shared_from_this());
    return;
  }
  kick_write();
}

void connection::flush() {
  std::vector<pid> drained;
  {
    std::lock_guard lk(mu_);
    flush_pending_ = false;
    if (writing_ || out_.empty() || phase_ != phase::up) return;
    // Written right here, without a trip through the I/O thread; what the socket does not
    // take now goes out from the I/O thread. (close() takes mu_ before closing the socket,
    // so the descriptor stays ours while we hold it.)
    ssize_t n =
        ::send(sock_.native_handle(), out_.data(), out_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) out_.erase(0, size_t(n));
    kick_write();  // the rest, if any; errors surface on the I/O thread
    if (out_.size() <= busy_low) drained.swap(drain_waiters_);
  }
  for (const pid& w : drained) ctl_.notify_drained(w, peer_);
}

void connection::append_locked(control_message& m) {
  track_outgoing(m);
  try {
    enc_->append(out_, m);
  } catch (const std::exception& e) {
    logger::error("dist: cannot send to {}: {}", peer_name_, e.what());
    return;
  }
  wrote_since_tick_ = true;
}

void connection::kick_write() {
  if (writing_ || out_.empty()) return;
  writing_ = true;
  asio::post(io_, [self = shared_from_this()] { self->write_now(); });
}

void connection::write_now() {
  {
    std::lock_guard lk(mu_);
    if (phase_ == phase::closed) {
      writing_ = false;
      return;
    }
    wbuf_.swap(out_);  // everything queued so far goes out in one write
  }
  async_write_all(asio::buffer(wbuf_),
                  [self = shared_from_this()](boost::system::error_code ec, size_t) {
                    self->wbuf_.clear();
                    if (ec) {
                      self->close("write failed: " + ec.message());
                      return;
                    }
                    self->last_write_ = clock::now();
                    std::vector<pid> drained;
                    {
                      std::lock_guard lk(self->mu_);
                      self->writing_ = false;
                      self->kick_write();
                      if (self->out_.size() <= busy_low && !self->drain_waiters_.empty())
                        drained.swap(self->drain_waiters_);
                    }
                    for (const pid& w : drained) self->ctl_.notify_drained(w, self->peer_);
                  });
}

bool connection::busy() const {
  std::lock_guard lk(mu_);
  return phase_ == phase::up && out_.size() > busy_high;
}

bool connection::wait_for_drain(const pid& who) {
  std::lock_guard lk(mu_);
  if (phase_ != phase::up || out_.size() <= busy_low) return false;
  drain_waiters_.push_back(who);
  return true;
}

void connection::write_raw(std::string bytes, bool close_after) {
  auto buf = std::make_shared<std::string>(std::move(bytes));
  async_write_all(asio::buffer(*buf), [self = shared_from_this(), buf, close_after](
                                          boost::system::error_code ec, size_t) {
    if (ec) {
      self->close("write failed: " + ec.message());
    } else if (close_after) {
      self->close("handshake failed");
    }
  });
}

// ---- TLS ---------------------------------------------------------------------------

void connection::secure_then(boost::asio::ssl::context* tls, std::function<void()> next) {
  if (!tls) {
    next();
    return;
  }
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(sock_, *tls);
  auto type =
      role_ == role::initiator ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
  // The TLS handshake counts toward the setup time, as the distribution handshake does.
  ticker_.expires_after(std::chrono::seconds(7));
  ticker_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = w.lock(); self && self->state() == phase::connecting)
      self->close("TLS handshake timed out");
  });
  tls_->async_handshake(
      type, [self = shared_from_this(), next = std::move(next)](boost::system::error_code ec) {
        if (ec) {
          logger::warning("dist: TLS handshake with {} failed: {}",
                          self->peer_name_.empty() ? std::string("a peer") : self->peer_name_,
                          ec.message());
          self->close("TLS handshake failed");
          return;
        }
        next();
      });
}

// ---- handshake ---------------------------------------------------------------------

void connection::start_handshake(handshake hs) {
  {
    std::lock_guard lk(mu_);
    phase_ = phase::handshaking;
  }
  hs_.emplace(std::move(hs));
  if (hs_->has_output()) write_raw(hs_->take_output(), false);
  // The whole handshake must finish within the setup time (erl's net_setuptime).
  ticker_.expires_after(std::chrono::seconds(7));
  ticker_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = w.lock(); self && self->state() == phase::handshaking)
      self->close("handshake timed out");
  });
  read_handshake();
}

void connection::read_handshake() {
  async_read(
      asio::buffer(rbuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (ec) {
          self->close("connection closed during the handshake: " + ec.message());
          return;
        }
        const handshake_state& st = self->hs_->feed(std::string_view(self->rbuf_.data(), n));
        std::string out = self->hs_->take_output();
        if (auto* failed = std::get_if<handshake_failed>(&st);
            failed && failed->code == handshake_errc::nok) {
          // Simultaneous connects, and the peer's attempt won: its connection to us is coming.
          // Ours stays registered (still collecting what processes send) until that one is up
          // and takes over; if it never comes, the setup timer ends this one for real.
          logger::info("dist: {}", failed->reason);
          boost::system::error_code ignored;
          self->sock_.close(ignored);
          return;
        }
        if (auto* failed = std::get_if<handshake_failed>(&st)) {
          logger::warning("dist: handshake with {} failed: {}",
                          self->peer_name_.empty() ? std::string("a peer") : self->peer_name_,
                          failed->reason);
          if (!out.empty()) {
            self->write_raw(std::move(out), true);
          } else {
            self->close("handshake failed: " + failed->reason);
          }
          return;
        }
        if (!out.empty()) self->write_raw(std::move(out), false);
        if (auto* done = std::get_if<handshake_done>(&st)) {
          handshake_done d = *done;
          self->on_handshake_done(d, self->hs_->take_leftover());
          return;
        }
        self->read_handshake();
      });
}

void connection::on_handshake_done(const handshake_done& d, std::string leftover) {
  peer_name_ = d.peer_name;
  peer_ = d.peer_atom;
  flags_ = d.flags;
  hs_.reset();
  frame_decoder_options fo;
  fo.context = ctl_.context();
  dec_.emplace(fo);
  enc_.emplace(ctl_.context());
  last_read_ = last_write_ = clock::now();
  {
    // What waited for the handshake goes first, in order: encoded under the same lock that
    // makes the connection `up`, so no message sent meanwhile can overtake it.
    std::lock_guard lk(mu_);
    std::vector<control_message> pending;
    pending.swap(tracked_.pending);
    phase_ = phase::up;
    was_up_.store(true, std::memory_order_release);
    for (auto& m : pending) append_locked(m);
    kick_write();  // the I/O thread: here is not a process's time slice
  }
  ctl_.connection_up(shared_from_this());
  arm_ticker();
  if (!leftover.empty()) consume(leftover);
  read_frames();
}

// ---- frames ------------------------------------------------------------------------

void connection::read_frames() {
  async_read(asio::buffer(rbuf_),
             [self = shared_from_this()](boost::system::error_code ec, size_t n) {
               if (ec) {
                 self->close(ec == asio::error::eof ? std::string("connection closed")
                                                    : "read failed: " + ec.message());
                 return;
               }
               self->last_read_ = clock::now();
               self->consume(std::string_view(self->rbuf_.data(), n));
               if (self->state() == phase::up) self->read_frames();
             });
}

void connection::consume(std::string_view bytes) {
  dec_->feed(bytes);
  // Everything this read brought is decoded first and delivered after: a receiver that
  // waits is woken once per read, not once per message (it finds the rest queued).
  batch_.clear();
  std::string error;
  while (auto ev = dec_->next()) {
    if (auto* err = std::get_if<frame_error>(&*ev)) {
      error = "bad frame: " + err->message;
      break;
    }
    auto* msg = std::get_if<frame_message>(&*ev);
    if (!msg) continue;  // a tick
    auto parsed = parse_control(msg->control, msg->payload ? &*msg->payload : nullptr);
    if (!parsed) {  // hostile or broken: this connection ends, nothing else does
      error = "bad control message: " + parsed.error().message;
      break;
    }
    batch_.push_back(std::move(*parsed));
  }
  for (auto& m : batch_) {
    try {
      track_incoming(m);
      ctl_.dispatch(*this, m);
    } catch (const std::exception& e) {  // e.g. a term that does not fit where it must
      error = std::string("cannot handle ") + dop_name(op_of(m)) + ": " + e.what();
      break;
    }
  }
  batch_.clear();
  if (!error.empty()) {
    logger::error("dist: {} from {}; closing the connection", error, peer_name_);
    close(error);
  }
}

// ---- ticks -------------------------------------------------------------------------

void connection::arm_ticker() {
  auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(ctl_.ticktime()) / 4;
  ticker_.expires_after(interval);
  ticker_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->state() != phase::up) return;
    if (clock::now() - self->last_read_ > self->ctl_.ticktime()) {
      logger::warning("dist: {} did not answer for {} s: net_tick_timeout", self->peer_name_,
                      self->ctl_.ticktime().count());
      self->close("net_tick_timeout");
      return;
    }
    {
      std::lock_guard lk(self->mu_);
      if (!self->wrote_since_tick_) {
        frame_encoder::append_tick(self->out_);
        self->kick_write();
      }
      self->wrote_since_tick_ = false;
    }
    self->arm_ticker();
  });
}

// ---- teardown and bookkeeping ------------------------------------------------------

void connection::close(const std::string& why) {
  std::vector<pid> waiters;  // senders pacing themselves: the output is gone with us
  {
    std::lock_guard lk(mu_);
    if (phase_ == phase::closed) return;
    phase_ = phase::closed;
    closed_.store(true, std::memory_order_release);
    waiters.swap(drain_waiters_);
  }
  for (const pid& w : waiters) ctl_.notify_drained(w, peer_);
  boost::system::error_code ignored;
  ticker_.cancel();
  sock_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  sock_.close(ignored);
  ctl_.connection_down(this, why);
}

connection::tracked connection::retire() {
  std::lock_guard lk(mu_);
  phase_ = phase::closed;  // a sender that still holds us gets false, and looks again
  closed_.store(true, std::memory_order_release);
  boost::system::error_code ignored;
  sock_.close(ignored);
  return std::exchange(tracked_, tracked{});
}

connection::tracked connection::take_tracked() {
  std::lock_guard lk(mu_);
  return std::exchange(tracked_, tracked{});
}

namespace {
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;
}  // namespace

void connection::track_outgoing(control_message& m) {
  auto& t = tracked_;
  std::visit(overloaded{
                 [&](const ctrl::link& c) {
                   t.links.insert({c.from, c.to});
                 },
                 [&](const ctrl::unlink_id& c) {
                   t.links.erase({c.from, c.to});
                 },
                 [&](const ctrl::exit& c) {
                   t.links.erase({c.from, c.to});
                 },
                 [&](const ctrl::monitor_p& c) {
                   t.monitors[c.ref] = {c.from, c.to};
                 },
                 [&](ctrl::demonitor_p& c) {
                   // A monitor by name is dropped by name too.
                   if (auto it = t.monitors.find(c.ref); it != t.monitors.end()) {
                     c.to = it->second.target;
                     t.monitors.erase(it);
                   }
                 },
                 [&](ctrl::monitor_p_exit& c) {
                   if (auto it = t.watchers.find(c.ref); it != t.watchers.end()) {
                     if (it->second.name) c.from = *it->second.name;
                     t.watchers.erase(it);
                   }
                 },
                 [](const auto&) {},
             },
             m);
}

void connection::track_incoming(const control_message& m) {
  std::lock_guard lk(mu_);
  auto& t = tracked_;
  std::visit(overloaded{
                 [&](const ctrl::link& c) {
                   t.links.insert({c.to, c.from});
                 },
                 [&](const ctrl::unlink_id& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::unlink& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::exit& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::exit_tt& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::payload_exit& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::payload_exit_tt& c) {
                   t.links.erase({c.to, c.from});
                 },
                 [&](const ctrl::monitor_p_exit& c) { t.monitors.erase(c.ref); },
                 [&](const ctrl::payload_monitor_p_exit& c) { t.monitors.erase(c.ref); },
                 [](const auto&) {},
             },
             m);
}

void connection::add_watcher(const reference& ref, their_monitor w) {
  std::lock_guard lk(mu_);
  tracked_.watchers[ref] = std::move(w);
}

std::optional<connection::their_monitor> connection::take_watcher(const reference& ref) {
  std::lock_guard lk(mu_);
  auto it = tracked_.watchers.find(ref);
  if (it == tracked_.watchers.end()) return std::nullopt;
  their_monitor w = it->second;
  tracked_.watchers.erase(it);
  return w;
}

}  // namespace otp::dist
