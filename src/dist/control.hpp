#pragma once
/// \file
/// Distribution control messages (OTP 25's set) as C++ structs, and their tuples.
///
/// A control message is the tuple at the start of a pass-through frame (see frame.hpp):
/// `{Op, ...}` where Op says what signal it is. Some are followed by a second term, the
/// payload: the message for sends, the exit reason for the PAYLOAD_* exits, the argument list
/// for spawn requests. Which ones (`has_payload`):
///
/// | op | struct | tuple | payload |
/// |---|---|---|---|
/// | 1 | link | {1, From, To} | |
/// | 2 | send | {2, Unused, To} | message |
/// | 3 | exit | {3, From, To, Reason} | |
/// | 4 | unlink | {4, From, To} (old link protocol) | |
/// | 5 | node_link | {5} (obsolete) | |
/// | 6 | reg_send | {6, From, Unused, ToName} | message |
/// | 7 | group_leader | {7, From, To} | |
/// | 8 | exit2 | {8, From, To, Reason} | |
/// | 12 | send_tt | {12, Unused, To, Token} | message |
/// | 13 | exit_tt | {13, From, To, Token, Reason} | |
/// | 16 | reg_send_tt | {16, From, Unused, ToName, Token} | message |
/// | 18 | exit2_tt | {18, From, To, Token, Reason} | |
/// | 19 | monitor_p | {19, From, ToProc, Ref} | |
/// | 20 | demonitor_p | {20, From, ToProc, Ref} | |
/// | 21 | monitor_p_exit | {21, FromProc, To, Ref, Reason} | |
/// | 22 | send_sender | {22, From, To} | message |
/// | 23 | send_sender_tt | {23, From, To, Token} | message |
/// | 24 | payload_exit | {24, From, To} | reason |
/// | 25 | payload_exit_tt | {25, From, To, Token} | reason |
/// | 26 | payload_exit2 | {26, From, To} | reason |
/// | 27 | payload_exit2_tt | {27, From, To, Token} | reason |
/// | 28 | payload_monitor_p_exit | {28, FromProc, To, Ref} | reason |
/// | 29 | spawn_request | {29, ReqId, From, GroupLeader, {M, F, A}, Opts} | argument list |
/// | 30 | spawn_request_tt | {30, ReqId, From, GroupLeader, {M, F, A}, Opts, Token} | argument list
/// | | 31 | spawn_reply | {31, ReqId, To, Flags, Result} | | | 32 | spawn_reply_tt | {32, ReqId,
/// To, Flags, Result, Token} | | | 33 | alias_send | {33, From, Alias} | message | | 34 |
/// alias_send_tt | {34, From, Alias, Token} | message | | 35 | unlink_id | {35, Id, From, To} | |
/// | 36 | unlink_id_ack | {36, Id, From, To} | |
///
/// Op codes 9..11, 14, 15 and 17 were never used on the wire; 37 (ALTACT_SIG_SEND, OTP 28)
/// is not part of OTP 25's set. `Unused` fields are ignored when parsing and written as ''
/// (what BEAM writes). ToProc / FromProc are a pid or, for monitors by registered name, the
/// name. Trace tokens are kept as opaque terms.
///
/// Parsing is strict about shape (arity, element types, payload present exactly when the op
/// has one) and never throws: errors come back as a control_error naming the op and the
/// field. parse then build gives back the same terms, except `Unused`, which becomes ''.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "otp/atom.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp::dist {

enum class dop : uint8_t {
  link = 1,
  send = 2,
  exit = 3,
  unlink = 4,
  node_link = 5,
  reg_send = 6,
  group_leader = 7,
  exit2 = 8,
  send_tt = 12,
  exit_tt = 13,
  reg_send_tt = 16,
  exit2_tt = 18,
  monitor_p = 19,
  demonitor_p = 20,
  monitor_p_exit = 21,
  send_sender = 22,
  send_sender_tt = 23,
  payload_exit = 24,
  payload_exit_tt = 25,
  payload_exit2 = 26,
  payload_exit2_tt = 27,
  payload_monitor_p_exit = 28,
  spawn_request = 29,
  spawn_request_tt = 30,
  spawn_reply = 31,
  spawn_reply_tt = 32,
  alias_send = 33,
  alias_send_tt = 34,
  unlink_id = 35,
  unlink_id_ack = 36,
};

/// The op's name as the protocol documentation writes it ("REG_SEND"), or "unknown".
const char* dop_name(dop op) noexcept;

/// A process given by pid, or by registered name (monitors by name).
using proc_ref = std::variant<pid, atom>;

/// SPAWN_REPLY flags.
inline constexpr uint32_t spawn_flag_link = 1;
inline constexpr uint32_t spawn_flag_monitor = 2;

namespace ctrl {

// NOLINTBEGIN(readability-identifier-naming): named after the protocol's ops.
#define OTPP_CTRL(name, payload)               \
  static constexpr dop op = dop::name;         \
  static constexpr bool has_payload = payload; \
  friend bool operator==(const name&, const name&) = default;

struct link {
  pid from, to;
  OTPP_CTRL(link, false)
};
struct send {
  pid to;
  term message;
  OTPP_CTRL(send, true)
};
struct exit {
  pid from, to;
  term reason;
  OTPP_CTRL(exit, false)
};
struct unlink {
  pid from, to;
  OTPP_CTRL(unlink, false)
};
struct node_link {
  OTPP_CTRL(node_link, false)
};
struct reg_send {
  pid from;
  atom to_name;
  term message;
  OTPP_CTRL(reg_send, true)
};
struct group_leader {
  pid from, to;
  OTPP_CTRL(group_leader, false)
};
struct exit2 {
  pid from, to;
  term reason;
  OTPP_CTRL(exit2, false)
};
struct send_tt {
  pid to;
  term token;
  term message;
  OTPP_CTRL(send_tt, true)
};
struct exit_tt {
  pid from, to;
  term token;
  term reason;
  OTPP_CTRL(exit_tt, false)
};
struct reg_send_tt {
  pid from;
  atom to_name;
  term token;
  term message;
  OTPP_CTRL(reg_send_tt, true)
};
struct exit2_tt {
  pid from, to;
  term token;
  term reason;
  OTPP_CTRL(exit2_tt, false)
};
struct monitor_p {
  pid from;
  proc_ref to;
  reference ref;
  OTPP_CTRL(monitor_p, false)
};
struct demonitor_p {
  pid from;
  proc_ref to;
  reference ref;
  OTPP_CTRL(demonitor_p, false)
};
struct monitor_p_exit {
  proc_ref from;
  pid to;
  reference ref;
  term reason;
  OTPP_CTRL(monitor_p_exit, false)
};
struct send_sender {
  pid from, to;
  term message;
  OTPP_CTRL(send_sender, true)
};
struct send_sender_tt {
  pid from, to;
  term token;
  term message;
  OTPP_CTRL(send_sender_tt, true)
};
struct payload_exit {
  pid from, to;
  term reason;
  OTPP_CTRL(payload_exit, true)
};
struct payload_exit_tt {
  pid from, to;
  term token;
  term reason;
  OTPP_CTRL(payload_exit_tt, true)
};
struct payload_exit2 {
  pid from, to;
  term reason;
  OTPP_CTRL(payload_exit2, true)
};
struct payload_exit2_tt {
  pid from, to;
  term token;
  term reason;
  OTPP_CTRL(payload_exit2_tt, true)
};
struct payload_monitor_p_exit {
  proc_ref from;
  pid to;
  reference ref;
  term reason;
  OTPP_CTRL(payload_monitor_p_exit, true)
};
struct spawn_request {
  reference req_id;
  pid from;
  pid group_leader;
  atom module;
  atom function;
  uint32_t arity = 0;
  term options;  // a proper list of spawn options
  term args;     // the payload: a proper list of arguments
  OTPP_CTRL(spawn_request, true)
};
struct spawn_request_tt {
  reference req_id;
  pid from;
  pid group_leader;
  atom module;
  atom function;
  uint32_t arity = 0;
  term options;
  term token;
  term args;
  OTPP_CTRL(spawn_request_tt, true)
};
struct spawn_reply {
  reference req_id;
  pid to;
  uint32_t flags = 0;  // spawn_flag_link | spawn_flag_monitor
  proc_ref result;     // the new process, or an atom saying why it failed
  OTPP_CTRL(spawn_reply, false)
};
struct spawn_reply_tt {
  reference req_id;
  pid to;
  uint32_t flags = 0;
  proc_ref result;
  term token;
  OTPP_CTRL(spawn_reply_tt, false)
};
struct alias_send {
  pid from;
  reference alias;
  term message;
  OTPP_CTRL(alias_send, true)
};
struct alias_send_tt {
  pid from;
  reference alias;
  term token;
  term message;
  OTPP_CTRL(alias_send_tt, true)
};
struct unlink_id {
  uint64_t id = 0;
  pid from, to;
  OTPP_CTRL(unlink_id, false)
};
struct unlink_id_ack {
  uint64_t id = 0;
  pid from, to;
  OTPP_CTRL(unlink_id_ack, false)
};
#undef OTPP_CTRL
// NOLINTEND(readability-identifier-naming)

}  // namespace ctrl

using control_message =
    std::variant<ctrl::link, ctrl::send, ctrl::exit, ctrl::unlink, ctrl::node_link, ctrl::reg_send,
                 ctrl::group_leader, ctrl::exit2, ctrl::send_tt, ctrl::exit_tt, ctrl::reg_send_tt,
                 ctrl::exit2_tt, ctrl::monitor_p, ctrl::demonitor_p, ctrl::monitor_p_exit,
                 ctrl::send_sender, ctrl::send_sender_tt, ctrl::payload_exit, ctrl::payload_exit_tt,
                 ctrl::payload_exit2, ctrl::payload_exit2_tt, ctrl::payload_monitor_p_exit,
                 ctrl::spawn_request, ctrl::spawn_request_tt, ctrl::spawn_reply,
                 ctrl::spawn_reply_tt, ctrl::alias_send, ctrl::alias_send_tt, ctrl::unlink_id,
                 ctrl::unlink_id_ack>;

/// The op of a message.
dop op_of(const control_message& m) noexcept;
/// Whether messages with this op are followed by a payload term.
bool op_has_payload(dop op) noexcept;

/// Why a control tuple was refused.
struct control_error {
  std::string message;  // "REG_SEND: element 4 (ToName) is not an atom: <<\"x\">>"
};

/// A value or an error (a minimal std::expected).
template <class T>
class control_result {
 public:
  control_result(T v) : v_(std::in_place_index<0>, std::move(v)) {}              // NOLINT
  control_result(control_error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const control_error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, control_error> v_;
};

/// Reads a control tuple and its payload (nullptr when the frame had none). Never throws
/// (except std::bad_alloc).
control_result<control_message> parse_control(const term& control, const term* payload);

/// The control tuple of `m`, and its payload when the op has one.
std::pair<term, std::optional<term>> build_control(const control_message& m);

}  // namespace otp::dist
