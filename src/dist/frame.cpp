// Length-prefixed distribution frames: ticks and pass-through messages (see frame.hpp).

#include "dist/frame.hpp"

#include "dist/bytes.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace otp::dist {

namespace {

etf_decode_options decode_options(const frame_decoder_options& opts, bool trailing) {
  etf_decode_options o;
  o.version_byte = true;
  o.allow_trailing = trailing;
  o.existing_atoms_only = opts.existing_atoms_only;
  // A compressed term inside a frame may not expand beyond what a frame may hold.
  o.max_uncompressed_size = opts.max_frame_size;
  return o;
}

std::string describe(const etf_error& e, size_t base) {
  return e.message + " (frame byte " + std::to_string(base + e.offset) + ")";
}

}  // namespace

frame_event decode_frame_body(std::string_view body, const frame_decoder_options& opts) {
  if (body.empty() || uint8_t(body[0]) != pass_through) {
    std::string what =
        body.empty() ? "an empty frame body" : "first byte " + std::to_string(uint8_t(body[0]));
    if (body.size() >= 2 && uint8_t(body[0]) == 131 &&
        (body[1] == 68 || body[1] == 69 || body[1] == 70))
      what += " (a distribution header: atom cache or fragments were not negotiated)";
    return frame_error{frame_errc::not_pass_through,
                       "expected a pass-through frame (112), got " + what};
  }
  std::string_view rest = body.substr(1);
  if (rest.empty())
    return frame_error{frame_errc::bad_control, "pass-through frame without a control term"};
  etf_decode_result ctl = try_binary_to_term(rest, opts.context, decode_options(opts, true));
  if (!ctl) return frame_error{frame_errc::bad_control, "control term: " + describe(*ctl.error, 1)};
  rest.remove_prefix(ctl.used);
  frame_message m{std::move(ctl.value), std::nullopt};
  if (!rest.empty()) {
    etf_decode_result pl = try_binary_to_term(rest, opts.context, decode_options(opts, false));
    if (!pl)
      return frame_error{frame_errc::bad_payload,
                         "payload term: " + describe(*pl.error, 1 + ctl.used)};
    m.payload = std::move(pl.value);
  }
  return m;
}

frame_decoder::frame_decoder(frame_decoder_options opts) : opts_(opts) {}

void frame_decoder::feed(std::string_view bytes) {
  if (error_ || bytes.empty()) return;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

frame_event frame_decoder::fail(frame_errc code, std::string message) {
  error_ = frame_error{code, std::move(message)};
  buf_.clear();
  buf_.shrink_to_fit();
  pos_ = 0;
  return *error_;
}

std::optional<frame_event> frame_decoder::next() {
  if (error_) return frame_event(*error_);
  std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
  if (avail.size() < 4) return std::nullopt;
  uint32_t len = get32(avail, 0);
  if (len == 0) {
    pos_ += 4;
    return frame_event(frame_tick{});
  }
  if (len > opts_.max_frame_size)
    return fail(frame_errc::too_large, "frame of " + std::to_string(len) +
                                           " bytes is over the limit of " +
                                           std::to_string(opts_.max_frame_size));
  if (avail.size() - 4 < len) {
    // Room for the whole frame, once (the length is bounded by max_frame_size).
    if (buf_.capacity() < pos_ + 4 + len) buf_.reserve(pos_ + 4 + len);
    return std::nullopt;
  }
  frame_event ev = decode_frame_body(avail.substr(4, len), opts_);
  if (auto* e = std::get_if<frame_error>(&ev)) return fail(e->code, std::move(e->message));
  pos_ += 4 + size_t(len);
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return ev;
}

void frame_encoder::append_tick(std::string& out) {
  out.append(4, '\0');
}

void frame_encoder::append(std::string& out, const term& control, const term* payload) const {
  const size_t start = out.size();
  try {
    out.append(4, '\0');
    out += char(pass_through);
    term_to_binary(control, out, ctx_);
    if (payload) term_to_binary(*payload, out, ctx_);
  } catch (...) {
    out.resize(start);
    throw;
  }
  size_t len = out.size() - start - 4;
  if (len > std::numeric_limits<uint32_t>::max()) {
    out.resize(start);
    throw std::length_error("distribution frame of " + std::to_string(len) +
                            " bytes exceeds 2^32-1 (fragmentation is not supported)");
  }
  out[start] = char(uint8_t(len >> 24));
  out[start + 1] = char(uint8_t(len >> 16));
  out[start + 2] = char(uint8_t(len >> 8));
  out[start + 3] = char(uint8_t(len));
}

void frame_encoder::append(std::string& out, const control_message& msg) const {
  auto [ctl, payload] = build_control(msg);
  append(out, ctl, payload);
}

}  // namespace otp::dist
