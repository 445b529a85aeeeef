// The version 6 distribution handshake as a state machine (see handshake.hpp).

#include "dist/handshake.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dist/bytes.hpp"
#include "dist/cookie.hpp"

namespace otp::dist {

namespace {

constexpr size_t digest_size = 16;

// Untrusted bytes for a log line: printable ASCII as is, the rest as \xNN, at most 64 bytes.
std::string printable(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 64; ++i) {
    auto c = uint8_t(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += char(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or -1 for
// invalid UTF-8 (overlong forms, surrogates, values over U+10FFFF, truncation).
long next_code_point(std::string_view s, size_t& i) {
  auto b0 = uint8_t(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t n;
  long cp;
  long min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (s.size() - i < n) return -1;
  for (size_t k = 1; k < n; ++k) {
    auto b = uint8_t(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += n;
  return cp;
}

}  // namespace

bool is_valid_node_name(std::string_view name) noexcept {
  if (name.size() < 3 || name.size() > max_node_name_length) return false;
  size_t at = name.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == name.size()) return false;
  if (name.find('@', at + 1) != std::string_view::npos) return false;
  for (size_t i = 0; i < name.size();) {
    long cp = next_code_point(name, i);
    // No controls (C0, DEL, C1), no spaces: a node name is printed and parsed as a word.
    if (cp < 0x21 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
  }
  return true;
}

std::string handshake_digest(std::string_view cookie, uint32_t challenge) {
  std::string data(cookie);
  data += std::to_string(challenge);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1 || len != digest_size)
    throw std::runtime_error("MD5 is not available (OpenSSL EVP_md5 failed)");
  return std::string(reinterpret_cast<const char*>(md), len);
}

accept_decision resolve_simultaneous(std::string_view our_name,
                                     std::string_view peer_name) noexcept {
  return peer_name > our_name ? accept_decision::ok_simultaneous : accept_decision::nok;
}

std::string flag_names(uint64_t flags) {
  static constexpr std::pair<uint64_t, const char*> names[] = {
      {DFLAG_PUBLISHED, "PUBLISHED"},
      {DFLAG_ATOM_CACHE, "ATOM_CACHE"},
      {DFLAG_EXTENDED_REFERENCES, "EXTENDED_REFERENCES"},
      {DFLAG_DIST_MONITOR, "DIST_MONITOR"},
      {DFLAG_FUN_TAGS, "FUN_TAGS"},
      {DFLAG_DIST_MONITOR_NAME, "DIST_MONITOR_NAME"},
      {DFLAG_HIDDEN_ATOM_CACHE, "HIDDEN_ATOM_CACHE"},
      {DFLAG_NEW_FUN_TAGS, "NEW_FUN_TAGS"},
      {DFLAG_EXTENDED_PIDS_PORTS, "EXTENDED_PIDS_PORTS"},
      {DFLAG_EXPORT_PTR_TAG, "EXPORT_PTR_TAG"},
      {DFLAG_BIT_BINARIES, "BIT_BINARIES"},
      {DFLAG_NEW_FLOATS, "NEW_FLOATS"},
      {DFLAG_UNICODE_IO, "UNICODE_IO"},
      {DFLAG_DIST_HDR_ATOM_CACHE, "DIST_HDR_ATOM_CACHE"},
      {DFLAG_SMALL_ATOM_TAGS, "SMALL_ATOM_TAGS"},
      {DFLAG_ETS_COMPRESSED, "ETS_COMPRESSED"},
      {DFLAG_UTF8_ATOMS, "UTF8_ATOMS"},
      {DFLAG_MAP_TAG, "MAP_TAG"},
      {DFLAG_BIG_CREATION, "BIG_CREATION"},
      {DFLAG_SEND_SENDER, "SEND_SENDER"},
      {DFLAG_BIG_SEQTRACE_LABELS, "BIG_SEQTRACE_LABELS"},
      {DFLAG_PENDING_CONNECT, "PENDING_CONNECT"},
      {DFLAG_EXIT_PAYLOAD, "EXIT_PAYLOAD"},
      {DFLAG_FRAGMENTS, "FRAGMENTS"},
      {DFLAG_HANDSHAKE_23, "HANDSHAKE_23"},
      {DFLAG_UNLINK_ID, "UNLINK_ID"},
      {DFLAG_MANDATORY_25_DIGEST, "MANDATORY_25_DIGEST"},
      {DFLAG_SPAWN, "SPAWN"},
      {DFLAG_NAME_ME, "NAME_ME"},
      {DFLAG_V4_NC, "V4_NC"},
      {DFLAG_ALIAS, "ALIAS"},
  };
  std::string out;
  uint64_t rest = flags;
  for (const auto& [bit, name] : names) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += '|';
    out += "DFLAG_";
    out += name;
    rest &= ~bit;
  }
  if (rest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (uint64_t r = rest; r; r >>= 4) hex.insert(hex.begin(), digits[r & 15]);
    if (!out.empty()) out += '|';
    out += "0x" + hex;
  }
  return out.empty() ? "0" : out;
}

// ---- the state machine ---------------------------------------------------------------------

handshake::handshake(handshake_options opts, bool initiator)
    : opts_(std::move(opts)),
      initiator_(initiator),
      step_(initiator ? step::wait_status : step::wait_name) {
  if (!is_valid_node_name(opts_.node_name))
    throw std::invalid_argument("handshake: our node name " + printable(opts_.node_name) +
                                " is not a valid node name (name@host)");
  if (!is_valid_cookie(opts_.cookie))
    throw std::invalid_argument("handshake: the cookie must be 1..255 printable ASCII characters");
  opts_.flags =
      (opts_.flags & ~unsupported_flags) | DFLAG_DIST_MANDATORY_25 | DFLAG_MANDATORY_25_DIGEST;
  opts_.max_message_size = std::clamp<size_t>(opts_.max_message_size, 64, 65535);
}

handshake handshake::initiate(handshake_options opts, std::string peer_name, alive_fn on_alive) {
  if (!peer_name.empty() && !is_valid_node_name(peer_name))
    throw std::invalid_argument("handshake: " + printable(peer_name) +
                                " is not a valid node name (name@host)");
  handshake h(std::move(opts), true);
  h.peer_name_ = std::move(peer_name);
  h.on_alive_ = std::move(on_alive);
  // send_name: 'N' Flags:64 Creation:32 Nlen:16 Name
  std::string msg = "N";
  put64(msg, h.opts_.flags);
  put32(msg, h.opts_.creation);
  put16(msg, uint16_t(h.opts_.node_name.size()));
  msg += h.opts_.node_name;
  h.send(msg);
  return h;
}

handshake handshake::accept(handshake_options opts, decide_fn decide) {
  handshake h(std::move(opts), false);
  h.decide_ = std::move(decide);
  return h;
}

const handshake_state& handshake::feed(std::string_view bytes) {
  if (failed()) return state_;
  in_.append(bytes);
  if (done()) return state_;
  while (step_ != step::finished) {
    std::string_view avail(in_.data() + in_pos_, in_.size() - in_pos_);
    const size_t prefix = opts_.length_bytes == 4 ? 4 : 2;
    if (avail.size() < prefix) break;
    size_t len = prefix == 4 ? size_t(get32(avail, 0)) : size_t(get16(avail, 0));
    if (len > opts_.max_message_size) {
      fail(handshake_errc::too_large, "handshake message of " + std::to_string(len) +
                                          " bytes is over the limit of " +
                                          std::to_string(opts_.max_message_size));
      break;
    }
    if (len == 0) {
      fail(handshake_errc::malformed, "empty handshake message");
      break;
    }
    if (avail.size() - prefix < len) break;
    in_pos_ += prefix + len;
    // process() never touches in_, so the view stays valid.
    process(avail.substr(prefix, len));
  }
  if (failed()) {
    in_.clear();
    in_pos_ = 0;
  } else {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  return state_;
}

void handshake::process(std::string_view msg) {
  switch (step_) {
    case step::wait_status:
      return on_status(msg);
    case step::wait_challenge:
      return on_challenge(msg);
    case step::wait_ack:
      return on_ack(msg);
    case step::wait_name:
      return on_name(msg);
    case step::wait_alive_answer:
      return on_alive_answer(msg);
    case step::wait_reply:
      return on_reply(msg);
    case step::finished:
      return;
  }
}

void handshake::send(std::string_view msg) {
  if (opts_.length_bytes == 4) {
    put32(out_, uint32_t(msg.size()));
  } else {
    put16(out_, uint16_t(msg.size()));
  }
  out_.append(msg);
}

void handshake::send_status(std::string_view status) {
  std::string msg = "s";
  msg += status;
  send(msg);
}

void handshake::fail(handshake_errc code, std::string reason) {
  step_ = step::finished;
  state_ = handshake_failed{code, std::move(reason)};
}

uint32_t handshake::new_challenge() {
  return opts_.challenge_source ? opts_.challenge_source() : secure_random_u32();
}

bool handshake::check_peer_flags(uint64_t flags) {
  uint64_t missing = DFLAG_DIST_MANDATORY_25 & ~expand_flags(flags);
  if (missing == 0) return true;
  fail(handshake_errc::missing_flags,
       "node " + printable(peer_name_) + " lacks capabilities OTP 25 requires: " +
           flag_names(missing) + " (it sent " + flag_names(flags) + ")");
  return false;
}

bool handshake::finish() {
  handshake_done d;
  d.peer_name = peer_name_;
  try {
    d.peer_atom = atom(peer_name_);
  } catch (const std::exception& e) {
    fail(handshake_errc::system_limit,
         "cannot make an atom of node name " + printable(peer_name_) + ": " + e.what());
    return false;
  }
  d.peer_flags = expand_flags(peer_flags_);
  d.peer_creation = peer_creation_;
  d.flags = opts_.flags & d.peer_flags;
  d.simultaneous = simultaneous_;
  d.replaces_existing = replaces_existing_;
  step_ = step::finished;
  state_ = std::move(d);
  return true;
}

// ---- initiator -----------------------------------------------------------------------------

void handshake::on_status(std::string_view msg) {
  if (msg[0] != 's')
    return fail(handshake_errc::malformed,
                "expected a status message ('s'), got tag " + std::to_string(uint8_t(msg[0])));
  std::string_view status = msg.substr(1);
  const std::string who = peer_name_.empty() ? "the peer" : "node " + printable(peer_name_);
  if (status == "ok") {
    step_ = step::wait_challenge;
  } else if (status == "ok_simultaneous") {
    simultaneous_ = true;
    step_ = step::wait_challenge;
  } else if (status == "nok") {
    fail(handshake_errc::nok, who + " answered nok: its own connection attempt to us wins");
  } else if (status == "not_allowed") {
    fail(handshake_errc::not_allowed, who + " does not allow us to connect (not_allowed)");
  } else if (status == "alive") {
    bool go_on = on_alive_ ? on_alive_(peer_name_) : true;
    send_status(go_on ? "true" : "false");
    if (go_on) {
      step_ = step::wait_challenge;
    } else {
      fail(handshake_errc::alive, who + " already has a connection up with us; we keep it");
    }
  } else if (status.substr(0, 6) == "named:") {
    fail(handshake_errc::malformed, who + " gave us a dynamic name we did not ask for");
  } else {
    fail(handshake_errc::malformed, who + " sent an unknown status " + printable(status));
  }
}

void handshake::on_challenge(std::string_view msg) {
  if (msg[0] == 'n')
    return fail(handshake_errc::old_handshake,
                "the peer answered with a version 5 (pre-OTP 23) challenge");
  // 'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name [extra]
  if (msg[0] != 'N' || msg.size() < 19)
    return fail(handshake_errc::malformed,
                "expected a challenge message ('N', at least 19 "
                "bytes), got " +
                    std::to_string(msg.size()) + " bytes with tag " +
                    std::to_string(uint8_t(msg[0])));
  uint64_t flags = get64(msg, 1);
  uint32_t challenge = get32(msg, 9);
  uint32_t creation = get32(msg, 13);
  size_t nlen = get16(msg, 17);
  if (nlen > msg.size() - 19)
    return fail(handshake_errc::malformed, "challenge message: the name length " +
                                               std::to_string(nlen) + " runs past the message");
  std::string_view name = msg.substr(19, nlen);
  if (!is_valid_node_name(name))
    return fail(handshake_errc::bad_peer_name,
                "the peer's name " + printable(name) + " is not a valid node name (name@host)");
  if (!peer_name_.empty() && name != peer_name_)
    return fail(handshake_errc::unexpected_peer,
                "we dialed " + printable(peer_name_) + " but " + printable(name) + " answered");
  peer_name_ = std::string(name);
  if (!check_peer_flags(flags)) return;
  peer_flags_ = flags;
  peer_creation_ = creation;
  our_challenge_ = new_challenge();
  // challenge_reply: 'r' Challenge:32 Digest:16
  std::string reply = "r";
  put32(reply, our_challenge_);
  reply += handshake_digest(opts_.cookie, challenge);
  send(reply);
  step_ = step::wait_ack;
}

void handshake::on_ack(std::string_view msg) {
  if (msg[0] != 'a' || msg.size() != 1 + digest_size)
    return fail(handshake_errc::malformed, "expected a challenge ack ('a' and 16 bytes), got " +
                                               std::to_string(msg.size()) + " bytes with tag " +
                                               std::to_string(uint8_t(msg[0])));
  std::string want = handshake_digest(opts_.cookie, our_challenge_);
  if (CRYPTO_memcmp(want.data(), msg.data() + 1, digest_size) != 0)
    return fail(handshake_errc::bad_digest, "node " + printable(peer_name_) +
                                                " answered our challenge with a wrong digest "
                                                "(its cookie differs from ours)");
  (void)finish();
}

// ---- acceptor ------------------------------------------------------------------------------

void handshake::on_name(std::string_view msg) {
  if (msg[0] == 'n')
    return fail(handshake_errc::old_handshake,
                "the peer sent a version 5 (pre-OTP 23) name; OTP 25 requires version 6");
  // send_name: 'N' Flags:64 Creation:32 Nlen:16 Name [extra]
  if (msg[0] != 'N' || msg.size() < 15)
    return fail(handshake_errc::malformed,
                "expected a name message ('N', at least 15 bytes), got " +
                    std::to_string(msg.size()) + " bytes with tag " +
                    std::to_string(uint8_t(msg[0])));
  uint64_t flags = get64(msg, 1);
  uint32_t creation = get32(msg, 9);
  size_t nlen = get16(msg, 13);
  if (nlen > msg.size() - 15)
    return fail(handshake_errc::malformed,
                "name message: the name length " + std::to_string(nlen) + " runs past the message");
  std::string_view name = msg.substr(15, nlen);
  if (flags & DFLAG_NAME_ME) {
    send_status("not_allowed");
    return fail(handshake_errc::name_me, "the peer (host " + printable(name) +
                                             ") asks for a dynamic node name; not supported");
  }
  if (!is_valid_node_name(name))
    return fail(handshake_errc::bad_peer_name,
                "the peer's name " + printable(name) + " is not a valid node name (name@host)");
  peer_name_ = std::string(name);
  if (!check_peer_flags(flags)) {
    send_status("not_allowed");
    return;
  }
  peer_flags_ = flags;
  peer_creation_ = creation;
  accept_decision d = decide_ ? decide_(peer_name_) : accept_decision::ok;
  switch (d) {
    case accept_decision::ok:
      send_status("ok");
      return send_challenge();
    case accept_decision::ok_simultaneous:
      send_status("ok_simultaneous");
      return send_challenge();
    case accept_decision::nok:
      send_status("nok");
      return fail(handshake_errc::refused, "refused node " + printable(peer_name_) +
                                               " (nok: our own connection attempt to it wins)");
    case accept_decision::not_allowed:
      send_status("not_allowed");
      return fail(handshake_errc::refused,
                  "refused node " + printable(peer_name_) + " (not_allowed)");
    case accept_decision::alive:
      send_status("alive");
      step_ = step::wait_alive_answer;
      return;
  }
}

void handshake::on_alive_answer(std::string_view msg) {
  if (msg == "strue") {
    replaces_existing_ = true;
    return send_challenge();
  }
  if (msg == "sfalse")
    return fail(handshake_errc::alive, "node " + printable(peer_name_) +
                                           " keeps its existing connection (answered false)");
  fail(handshake_errc::malformed,
       "expected status true or false after alive, got " + printable(msg));
}

void handshake::send_challenge() {
  our_challenge_ = new_challenge();
  // 'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name
  std::string msg = "N";
  put64(msg, opts_.flags);
  put32(msg, our_challenge_);
  put32(msg, opts_.creation);
  put16(msg, uint16_t(opts_.node_name.size()));
  msg += opts_.node_name;
  send(msg);
  step_ = step::wait_reply;
}

void handshake::on_reply(std::string_view msg) {
  if (msg[0] != 'r' || msg.size() != 1 + 4 + digest_size)
    return fail(handshake_errc::malformed, "expected a challenge reply ('r', 21 bytes), got " +
                                               std::to_string(msg.size()) + " bytes with tag " +
                                               std::to_string(uint8_t(msg[0])));
  uint32_t their_challenge = get32(msg, 1);
  std::string want = handshake_digest(opts_.cookie, our_challenge_);
  if (CRYPTO_memcmp(want.data(), msg.data() + 5, digest_size) != 0)
    return fail(handshake_errc::bad_digest, "node " + printable(peer_name_) +
                                                " sent a wrong digest (its cookie differs "
                                                "from ours)");
  std::string ack = "a";
  ack += handshake_digest(opts_.cookie, their_challenge);
  // The atom first: if the table is full we fail without telling the peer it is in.
  if (finish()) send(ack);
}

}  // namespace otp::dist
