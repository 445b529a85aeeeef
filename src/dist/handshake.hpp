#pragma once
/// \file
/// The distribution handshake, version 6 (OTP 23+), both roles, as a sans-IO state machine.
///
/// The caller owns the socket: it writes what take_output() returns, feeds what it reads to
/// feed(), and applies the setup timeout (OTP's net_setuptime, 7 s by default) itself. Every
/// handshake message is a 2-byte big-endian length and that many bytes:
///
/// ```
/// initiator (A)                                        acceptor (B)
/// 'N' Flags:64 Creation:32 Nlen:16 Name  ------------>  (name checked as bytes, decide())
///                    <------------------------------ 's' Status   ok | ok_simultaneous |
///                                                                 nok | not_allowed | alive
/// (only after alive) 's' "true" | "false" ---------->
///                    <------------------------------ 'N' Flags:64 ChallengeB:32 Creation:32
///                                                        Nlen:16 Name
/// 'r' ChallengeA:32 MD5(cookie ++ ChallengeB) ----->  (digest checked)
///                    <------------------------------ 'a' MD5(cookie ++ ChallengeA)
/// (digest checked)  -- connected: 4-byte frames (frame.hpp) from here on --
/// ```
///
/// Challenges are decimal text in the digest (erl: md5([Cookie, integer_to_list(C)])) and
/// come from a secure random source. Extra bytes after a name are ignored (the protocol
/// reserves them for the future).
///
/// Safety for unauthenticated peers: no message longer than max_message_size is buffered (the
/// length prefix is checked first); peer names are checked as bytes (name@host, UTF-8 without
/// control characters or spaces, at most 255 bytes) and are not made atoms until the peer has
/// proved it knows the cookie: `handshake_done::peer_atom` is interned only then.
///
/// Flags: we advertise default_flags (the OTP 25 mandatory set and the features otpp speaks)
/// but never DFLAG_DIST_HDR_ATOM_CACHE nor DFLAG_FRAGMENTS, so peers send plain pass-through
/// frames. A peer missing any flag OTP 25 makes mandatory is refused (the acceptor answers
/// `not_allowed` first, as OTP does). DFLAG_MANDATORY_25_DIGEST in a peer's flags stands for
/// the whole mandatory set, as in OTP.
///
/// Simultaneous connects: when A and B dial each other at once, each is an acceptor for the
/// other's attempt. The acceptor's `decide` callback (given the peer's name, not yet
/// authenticated) says what to answer; OTP's rule is resolve_simultaneous(): the attempt
/// from the node with the greater name wins, so if we have a pending attempt of our own to
/// that node we answer ok_simultaneous (and drop ours) when the peer's name is greater, nok
/// otherwise. `alive` means we already have a connection up with that node; the initiator
/// then answers true (its old connection is gone: we should drop ours and continue) or false
/// (give up), which its `on_alive` callback decides.
///
/// Thread safety: one handshake is driven by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "otp/atom.hpp"

namespace otp::dist {

// Capability flags (erl_dist_protocol "Distribution Flags"; values as in OTP's dist.h).
inline constexpr uint64_t DFLAG_PUBLISHED = 0x01;
inline constexpr uint64_t DFLAG_ATOM_CACHE = 0x02;
inline constexpr uint64_t DFLAG_EXTENDED_REFERENCES = 0x04;
inline constexpr uint64_t DFLAG_DIST_MONITOR = 0x08;
inline constexpr uint64_t DFLAG_FUN_TAGS = 0x10;
inline constexpr uint64_t DFLAG_DIST_MONITOR_NAME = 0x20;
inline constexpr uint64_t DFLAG_HIDDEN_ATOM_CACHE = 0x40;
inline constexpr uint64_t DFLAG_NEW_FUN_TAGS = 0x80;
inline constexpr uint64_t DFLAG_EXTENDED_PIDS_PORTS = 0x100;
inline constexpr uint64_t DFLAG_EXPORT_PTR_TAG = 0x200;
inline constexpr uint64_t DFLAG_BIT_BINARIES = 0x400;
inline constexpr uint64_t DFLAG_NEW_FLOATS = 0x800;
inline constexpr uint64_t DFLAG_UNICODE_IO = 0x1000;
inline constexpr uint64_t DFLAG_DIST_HDR_ATOM_CACHE = 0x2000;
inline constexpr uint64_t DFLAG_SMALL_ATOM_TAGS = 0x4000;
inline constexpr uint64_t DFLAG_ETS_COMPRESSED = 0x8000;  // BEAM-internal
inline constexpr uint64_t DFLAG_UTF8_ATOMS = 0x10000;
inline constexpr uint64_t DFLAG_MAP_TAG = 0x20000;
inline constexpr uint64_t DFLAG_BIG_CREATION = 0x40000;
inline constexpr uint64_t DFLAG_SEND_SENDER = 0x80000;
inline constexpr uint64_t DFLAG_BIG_SEQTRACE_LABELS = 0x100000;
inline constexpr uint64_t DFLAG_PENDING_CONNECT = 0x200000;  // BEAM-internal
inline constexpr uint64_t DFLAG_EXIT_PAYLOAD = 0x400000;
inline constexpr uint64_t DFLAG_FRAGMENTS = 0x800000;
inline constexpr uint64_t DFLAG_HANDSHAKE_23 = 0x1000000;
inline constexpr uint64_t DFLAG_UNLINK_ID = 0x2000000;
/// Stands for all of DFLAG_DIST_MANDATORY_25. OTP 25's documentation says 1 << 36, but every
/// implementation (erts dist.h, erl_interface, what erl 25 sends) uses bit 26.
inline constexpr uint64_t DFLAG_MANDATORY_25_DIGEST = 0x4000000;
inline constexpr uint64_t DFLAG_SPAWN = uint64_t(1) << 32;
inline constexpr uint64_t DFLAG_NAME_ME = uint64_t(1) << 33;
inline constexpr uint64_t DFLAG_V4_NC = uint64_t(1) << 34;
inline constexpr uint64_t DFLAG_ALIAS = uint64_t(1) << 35;

/// What OTP 25 requires of every peer.
inline constexpr uint64_t DFLAG_DIST_MANDATORY_25 =
    DFLAG_EXTENDED_REFERENCES | DFLAG_FUN_TAGS | DFLAG_EXTENDED_PIDS_PORTS | DFLAG_UTF8_ATOMS |
    DFLAG_NEW_FUN_TAGS | DFLAG_BIG_CREATION | DFLAG_NEW_FLOATS | DFLAG_MAP_TAG |
    DFLAG_EXPORT_PTR_TAG | DFLAG_BIT_BINARIES | DFLAG_HANDSHAKE_23;
/// What OTP 26 adds to it (OTP 25 peers send these too; we do not require them).
inline constexpr uint64_t DFLAG_DIST_MANDATORY_26 = DFLAG_V4_NC | DFLAG_UNLINK_ID;

/// The flags otpp advertises: the mandatory set, its digest, and the features it speaks
/// (monitors by pid and name, spawn, aliases, the new link protocol, payload exits,
/// SEND_SENDER). Without DFLAG_PUBLISHED: add it for a normal (visible) node.
inline constexpr uint64_t default_flags = DFLAG_DIST_MANDATORY_25 | DFLAG_MANDATORY_25_DIGEST |
                                          DFLAG_DIST_MANDATORY_26 | DFLAG_DIST_MONITOR |
                                          DFLAG_DIST_MONITOR_NAME | DFLAG_SEND_SENDER |
                                          DFLAG_EXIT_PAYLOAD | DFLAG_SPAWN | DFLAG_ALIAS;
/// Flags we never advertise: atom caches and fragments (we send and expect plain
/// pass-through frames) and dynamic names.
inline constexpr uint64_t unsupported_flags =
    DFLAG_ATOM_CACHE | DFLAG_HIDDEN_ATOM_CACHE | DFLAG_DIST_HDR_ATOM_CACHE | DFLAG_FRAGMENTS |
    DFLAG_NAME_ME | DFLAG_ETS_COMPRESSED | DFLAG_PENDING_CONNECT;

/// `flags` with DFLAG_MANDATORY_25_DIGEST expanded to the set it stands for.
constexpr uint64_t expand_flags(uint64_t flags) noexcept {
  return (flags & DFLAG_MANDATORY_25_DIGEST) ? flags | DFLAG_DIST_MANDATORY_25 : flags;
}
/// Names of the set flags, "DFLAG_PUBLISHED|DFLAG_..." (unknown bits as hex).
std::string flag_names(uint64_t flags);

/// The distribution protocol version this handshake speaks.
inline constexpr uint16_t dist_version = 6;
/// Longest node name (bytes).
inline constexpr size_t max_node_name_length = 255;
/// Largest handshake message accepted by default (the 2-byte length allows 65535; real
/// messages are under 300 bytes).
inline constexpr size_t default_max_handshake_message = 2048;

/// Whether `name` is a node name we accept from a peer (or use ourselves): "alive@host",
/// exactly one '@', both parts non-empty, valid UTF-8 without control characters, spaces or
/// DEL, at most 255 bytes. Checked as bytes: no atom is created.
bool is_valid_node_name(std::string_view name) noexcept;

/// The MD5 digest of cookie ++ decimal(challenge) (16 bytes).
std::string handshake_digest(std::string_view cookie, uint32_t challenge);

/// The acceptor's answer to a connection attempt (the status it sends).
enum class accept_decision : uint8_t { ok, ok_simultaneous, nok, not_allowed, alive };
/// OTP's simultaneous-connect rule for an acceptor that has its own pending attempt to the
/// peer: the greater name (compared as bytes, which is code point order) wins.
accept_decision resolve_simultaneous(std::string_view our_name,
                                     std::string_view peer_name) noexcept;

struct handshake_options {
  /// Our node name, "name@host" (must pass is_valid_node_name).
  std::string node_name;
  /// Our creation (from EPMD); put in the name / challenge messages.
  uint32_t creation = 0;
  /// The cookie; must pass is_valid_cookie (cookie.hpp).
  std::string cookie;
  /// Flags we advertise; unsupported_flags are removed.
  uint64_t flags = default_flags | DFLAG_PUBLISHED;
  /// Largest handshake message accepted from the peer.
  size_t max_message_size = default_max_handshake_message;
  /// Bytes of each handshake message's length prefix: 2 over TCP (erl_dist_protocol), 4
  /// inside TLS (inet_tls_dist frames its handshake with {packet, 4}).
  uint8_t length_bytes = 2;
  /// Source of our challenge. Empty: a secure random source. For tests and fuzzers only.
  std::function<uint32_t()> challenge_source;
};

struct handshake_in_progress {};
struct handshake_done {
  std::string peer_name;
  /// peer_name as an atom, interned after the peer proved it knows the cookie.
  atom peer_atom;
  /// The peer's flags as sent (DFLAG_MANDATORY_25_DIGEST expanded).
  uint64_t peer_flags = 0;
  uint32_t peer_creation = 0;
  /// Flags both sides have: what the connection may use.
  uint64_t flags = 0;
  /// Initiator: the acceptor answered ok_simultaneous (it dropped its own attempt to us).
  bool simultaneous = false;
  /// Acceptor: we answered alive and the initiator answered true: our existing connection
  /// to this node is stale and is to be replaced by this one.
  bool replaces_existing = false;
};
enum class handshake_errc : uint8_t {
  malformed,        // a message of the wrong kind or shape
  too_large,        // a message over max_message_size
  bad_peer_name,    // the peer's name is not a valid node name
  unexpected_peer,  // initiator: the acceptor is not the node we dialed
  missing_flags,    // the peer lacks flags OTP 25 makes mandatory
  old_handshake,    // the peer sent a pre-OTP-23 'n' name (version 5)
  name_me,          // the peer asks for a dynamic name (DFLAG_NAME_ME), not supported
  not_allowed,      // initiator: the acceptor answered not_allowed
  nok,              // initiator: the acceptor answered nok (its own attempt to us wins)
  alive,            // the acceptor has a connection up with us and it was kept
  refused,          // acceptor: our decide() said nok / not_allowed
  bad_digest,       // the peer's digest is wrong: different cookies
  system_limit,     // the atom table is full (the peer's name could not be interned)
};
struct handshake_failed {
  handshake_errc code = handshake_errc::malformed;
  std::string reason;  // a sentence for logs
};
using handshake_state = std::variant<handshake_in_progress, handshake_done, handshake_failed>;

class handshake {
 public:
  /// Acceptor: the peer's (unauthenticated, validated) name → the status to answer.
  using decide_fn = std::function<accept_decision(const std::string& peer_name)>;
  /// Initiator: the acceptor answered `alive`: true to continue (our old connection to it is
  /// gone), false to give up. OTP answers true when it has no connection up to that node.
  using alive_fn = std::function<bool(const std::string& peer_name)>;

  /// We dialed `peer_name` (checked against the name in the acceptor's challenge; empty: any
  /// valid name). take_output() holds our name message at once. Throws std::invalid_argument
  /// for a bad node name or cookie in `opts`.
  static handshake initiate(handshake_options opts, std::string peer_name, alive_fn on_alive = {});
  /// We accepted a connection. `decide` empty: always ok. Throws as initiate().
  static handshake accept(handshake_options opts, decide_fn decide = {});

  /// Consumes bytes read from the socket and advances. Bytes after the handshake's last
  /// message are kept for take_leftover() (a peer may send frames right after 'a').
  const handshake_state& feed(std::string_view bytes);

  /// Bytes to write to the socket now (moved out; empty when there is nothing to send). On
  /// failure it may still hold a last status message (e.g. not_allowed): write it, then close.
  std::string take_output() { return std::exchange(out_, {}); }
  bool has_output() const noexcept { return !out_.empty(); }

  const handshake_state& state() const noexcept { return state_; }
  bool done() const noexcept { return std::holds_alternative<handshake_done>(state_); }
  bool failed() const noexcept { return std::holds_alternative<handshake_failed>(state_); }
  bool is_initiator() const noexcept { return initiator_; }

  /// After done(): bytes that followed the handshake (the first frames), moved out.
  std::string take_leftover() { return std::exchange(in_, {}); }

 private:
  enum class step : uint8_t {
    // initiator
    wait_status,
    wait_challenge,
    wait_ack,
    // acceptor
    wait_name,
    wait_alive_answer,
    wait_reply,
    finished,
  };

  handshake(handshake_options opts, bool initiator);
  void process(std::string_view msg);
  void send(std::string_view msg);
  void send_status(std::string_view status);
  void send_challenge();
  void fail(handshake_errc code, std::string reason);
  bool finish();
  uint32_t new_challenge();
  bool check_peer_flags(uint64_t flags);

  void on_status(std::string_view msg);
  void on_challenge(std::string_view msg);
  void on_ack(std::string_view msg);
  void on_name(std::string_view msg);
  void on_alive_answer(std::string_view msg);
  void on_reply(std::string_view msg);

  handshake_options opts_;
  bool initiator_;
  step step_;
  handshake_state state_;
  std::string in_;
  size_t in_pos_ = 0;
  std::string out_;
  decide_fn decide_;
  alive_fn on_alive_;
  std::string peer_name_;
  uint64_t peer_flags_ = 0;
  uint32_t peer_creation_ = 0;
  uint32_t our_challenge_ = 0;
  bool simultaneous_ = false;
  bool replaces_existing_ = false;
};

}  // namespace otp::dist
