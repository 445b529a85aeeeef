// A connection to another node: handshake, frames, batched writes, ticks.

#include "connection.hpp"

#include "controller.hpp"
#include "otp/logger.hpp"

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
  kick_write();
  return true;
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
  async_write_all(asio::buffer(wbuf_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
    self->wbuf_.clear();
    if (ec) {
      self->close("write failed: " + ec.message());
      return;
    }
    self->last_write_ = clock::now();
    std::lock_guard lk(self->mu_);
    self->writing_ = false;
    self->kick_write();
  });
}

void connection::write_raw(std::string bytes, bool close_after) {
  auto buf = std::make_shared<std::string>(std::move(bytes));
  async_write_all(asio::buffer(*buf), [self = shared_from_this(), buf, close_after](boost::system::error_code ec, size_t) {
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
  auto type = role_ == role::initiator ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
  // The TLS handshake counts toward the setup time, as the distribution handshake does.
  ticker_.expires_after(std::chrono::seconds(7));
  ticker_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = w.lock(); self && self->state() == phase::connecting) self->close("TLS handshake timed out");
  });
  tls_->async_handshake(type, [self = shared_from_this(), next = std::move(next)](boost::system::error_code ec) {
    if (ec) {
      logger::warning("dist: TLS handshake with {} failed: {}",
                      self->peer_name_.empty() ? std::string("a peer") : self->peer_name_, ec.message());
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
    if (auto self = w.lock(); self && self->state() == phase::handshaking) self->close("handshake timed out");
  });
  read_handshake();
}

void connection::read_handshake() {
  async_read(asio::buffer(rbuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
    if (ec) {
      self->close("connection closed during the handshake: " + ec.message());
      return;
    }
    const handshake_state& st = self->hs_->feed(std::string_view(self->rbuf_.data(), n));
    std::string out = self->hs_->take_output();
    if (auto* failed = std::get_if<handshake_failed>(&st)) {
      logger::warning("dist: handshake with {} failed: {}",
                      self->peer_name_.empty() ? std::string("a peer") : self->peer_name_, failed->reason);
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
    kick_write();
  }
  ctl_.connection_up(shared_from_this());
  arm_ticker();
  if (!leftover.empty()) consume(leftover);
  read_frames();
}

// ---- frames ------------------------------------------------------------------------

void connection::read_frames() {
  async_read(asio::buffer(rbuf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
    if (ec) {
      self->close(ec == asio::error::eof ? std::string("connection closed") : "read failed: " + ec.message());
      return;
    }
    self->last_read_ = clock::now();
    self->consume(std::string_view(self->rbuf_.data(), n));
    if (self->state() == phase::up) self->read_frames();
  });
}

void connection::consume(std::string_view bytes) {
  dec_->feed(bytes);
  while (auto ev = dec_->next()) {
    if (auto* err = std::get_if<frame_error>(&*ev)) {
      logger::error("dist: bad frame from {}: {}; closing the connection", peer_name_, err->message);
      close("bad frame: " + err->message);
      return;
    }
    auto* msg = std::get_if<frame_message>(&*ev);
    if (!msg) continue;  // a tick
    auto parsed = parse_control(msg->control, msg->payload ? &*msg->payload : nullptr);
    if (!parsed) {  // hostile or broken: this connection ends, nothing else does
      logger::error("dist: bad control message from {}: {}; closing the connection", peer_name_,
                    parsed.error().message);
      close("bad control message");
      return;
    }
    try {
      track_incoming(*parsed);
      ctl_.dispatch(*this, *parsed);
    } catch (const std::exception& e) {  // e.g. a term that does not fit where it must
      logger::error("dist: cannot handle {} from {}: {}; closing the connection",
                    dop_name(op_of(*parsed)), peer_name_, e.what());
      close("bad control message");
      return;
    }
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
  {
    std::lock_guard lk(mu_);
    if (phase_ == phase::closed) return;
    phase_ = phase::closed;
  }
  boost::system::error_code ignored;
  ticker_.cancel();
  sock_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  sock_.close(ignored);
  ctl_.connection_down(this, why);
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
                 [&](const ctrl::link& c) { t.links.insert({c.from, c.to}); },
                 [&](const ctrl::unlink_id& c) { t.links.erase({c.from, c.to}); },
                 [&](const ctrl::exit& c) { t.links.erase({c.from, c.to}); },
                 [&](const ctrl::monitor_p& c) { t.monitors[c.ref] = {c.from, c.to}; },
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
                 [&](const ctrl::link& c) { t.links.insert({c.to, c.from}); },
                 [&](const ctrl::unlink_id& c) { t.links.erase({c.to, c.from}); },
                 [&](const ctrl::unlink& c) { t.links.erase({c.to, c.from}); },
                 [&](const ctrl::exit& c) { t.links.erase({c.to, c.from}); },
                 [&](const ctrl::exit_tt& c) { t.links.erase({c.to, c.from}); },
                 [&](const ctrl::payload_exit& c) { t.links.erase({c.to, c.from}); },
                 [&](const ctrl::payload_exit_tt& c) { t.links.erase({c.to, c.from}); },
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
