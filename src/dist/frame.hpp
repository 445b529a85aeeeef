#pragma once
/// \file
/// Distribution frames after the handshake (sans-IO: bytes in, events out; bytes out).
///
/// Every frame is a 4-byte big-endian length and that many bytes:
///  - length 0 is a tick (keep-alive; it carries nothing);
///  - otherwise the first byte is 112 ('p', pass-through), then a control term, then for
///    some control messages a payload term (the message, an exit reason, spawn arguments).
///    Each term starts with the version byte 131 and is in the external term format.
///
/// We never negotiate DFLAG_DIST_HDR_ATOM_CACHE nor DFLAG_FRAGMENTS, so a peer sends neither
/// distribution headers (131 68) nor fragments (131 69/70): those are errors here.
///
/// Limits and errors: a frame longer than `max_frame_size` is refused as soon as its length
/// is read (nothing of it is buffered); a frame that does not start with 'p', a control term
/// that does not decode, a payload that does not decode or does not end exactly at the end of
/// the frame, all give a frame_error. Errors are final: the decoder returns the same error
/// from then on, and the caller closes the connection (BEAM does the same).
///
/// Thread safety: a decoder or encoder is used by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dist/control.hpp"
#include "otp/etf.hpp"
#include "otp/term.hpp"

namespace otp::dist {

inline constexpr uint8_t pass_through = 112;  // 'p'
inline constexpr size_t default_max_frame_size = size_t(64) << 20;

struct frame_decoder_options {
  /// This node's name and creation: pids, references and ports naming it decode as local.
  etf_context context;
  /// Largest frame accepted (the 4-byte length); larger ones are an error.
  size_t max_frame_size = default_max_frame_size;
  /// Refuse atoms that do not exist yet (for fuzzing: the atom table is never freed).
  bool existing_atoms_only = false;
};

struct frame_tick {
  friend bool operator==(const frame_tick&, const frame_tick&) = default;
};
struct frame_message {
  term control;
  std::optional<term> payload;
  friend bool operator==(const frame_message&, const frame_message&) = default;
};
enum class frame_errc : uint8_t {
  too_large,         // the length is over max_frame_size
  not_pass_through,  // the frame does not start with 'p' (112)
  bad_control,       // the control term is missing or does not decode
  bad_payload,       // the payload does not decode, or bytes follow it
};
struct frame_error {
  frame_errc code = frame_errc::bad_control;
  std::string message;
  friend bool operator==(const frame_error&, const frame_error&) = default;
};
using frame_event = std::variant<frame_tick, frame_message, frame_error>;

class frame_decoder {
 public:
  explicit frame_decoder(frame_decoder_options opts = {});

  /// Buffers bytes read from the connection (ignored after an error).
  void feed(std::string_view bytes);
  /// The next complete frame, or nullopt when more bytes are needed. After an error, returns
  /// that error again on every call.
  std::optional<frame_event> next();

  bool failed() const noexcept { return error_.has_value(); }
  /// Bytes fed but not yet returned as events.
  size_t buffered() const noexcept { return buf_.size() - pos_; }
  const frame_decoder_options& options() const noexcept { return opts_; }

 private:
  frame_event fail(frame_errc code, std::string message);

  frame_decoder_options opts_;
  std::string buf_;
  size_t pos_ = 0;
  std::optional<frame_error> error_;
};

/// Decodes one frame body (the bytes after the length; non-empty). For tests and tools.
frame_event decode_frame_body(std::string_view body, const frame_decoder_options& opts);

/// Appends frames to an output buffer, so many messages go out in one write.
class frame_encoder {
 public:
  /// `context`: this node's name and creation (local pids are written with them).
  explicit frame_encoder(etf_context context = {}) : ctx_(context) {}

  /// Appends a tick (4 zero bytes).
  static void append_tick(std::string& out);
  /// Appends a pass-through frame with `control` and, when given, `payload`. Throws
  /// std::length_error (and leaves `out` as it was) if the frame would exceed 2^32-1 bytes.
  void append(std::string& out, const term& control, const term* payload = nullptr) const;
  void append(std::string& out, const term& control, const std::optional<term>& payload) const {
    append(out, control, payload ? &*payload : nullptr);
  }
  /// Appends the frame of a control message (build_control, then the above).
  void append(std::string& out, const control_message& msg) const;

  const etf_context& context() const noexcept { return ctx_; }

 private:
  etf_context ctx_;
};

}  // namespace otp::dist
