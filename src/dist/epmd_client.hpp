#pragma once
/// \file
/// EPMD client: register this node, look up another node's port, list names.
///
/// Blocking POSIX sockets with a deadline on every request (connect, each write and read):
/// meant for a dedicated thread. Every request is a 2-byte big-endian length and a body:
///
/// | request | body | reply |
/// |---|---|---|
/// | ALIVE2_REQ | 120 Port:16 NodeType:8 Protocol:8 Highest:16 Lowest:16 Nlen:16 Name Elen:16 Extra
/// | ALIVE2_X_RESP 118 Result:8 Creation:32 (ALIVE2_RESP 121 Result:8 Creation:16 from pre-OTP 23
/// epmd) | | PORT_PLEASE2_REQ | 122 Name | PORT2_RESP 119 Result:8 [Port:16 NodeType:8 Protocol:8
/// Highest:16 Lowest:16 Nlen:16 Name Elen:16 Extra] | | NAMES_REQ | 110 | EpmdPort:32, then "name N
/// at port P\n" lines until close |
///
/// There is no "ALIVE2_X_REQ": the reply carries a 32-bit creation (ALIVE2_X_RESP) when the
/// request says it speaks version 6, which ours does; a 16-bit ALIVE2_RESP is accepted too.
/// The registration lives as long as its socket: epmd_registration keeps it open and closing
/// it (or the process exiting) unregisters the name.
///
/// Errors are std::system_error: OS errors (connection refused, ...) in the system category,
/// std::errc::timed_out when the deadline passes, and epmd_errc values (epmd_category()) for
/// protocol problems. Arguments epmd would refuse (empty or over-long names) throw
/// std::invalid_argument before anything is sent.
///
/// Thread safety: the functions are reentrant; one epmd_registration is used by one thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace otp::dist {

// EPMD request and reply codes (erl_dist_protocol), shared by the client and the server.
inline constexpr uint8_t alive2_req = 120;
inline constexpr uint8_t alive2_x_resp = 118;
inline constexpr uint8_t alive2_resp = 121;
inline constexpr uint8_t port_please2_req = 122;
inline constexpr uint8_t port2_resp = 119;
inline constexpr uint8_t names_req = 110;

inline constexpr uint16_t epmd_default_port = 4369;
/// ERL_EPMD_PORT from the environment when set to a valid port, else 4369 (as erl).
uint16_t default_epmd_port() noexcept;

/// EPMD node types.
inline constexpr uint8_t epmd_node_type_normal = 77;  // 'M'
inline constexpr uint8_t epmd_node_type_hidden = 72;  // 'H'

enum class epmd_errc {
  malformed_reply = 1,   // the reply is not what the protocol says
  closed,                // epmd closed the connection before replying in full
  registration_refused,  // ALIVE2 result != 0: the name is taken (or invalid)
};
const std::error_category& epmd_category() noexcept;
std::error_code make_error_code(epmd_errc e) noexcept;

struct epmd_options {
  /// EPMD's port; 0 means default_epmd_port().
  uint16_t port = 0;
  /// Deadline for the whole request (connect included).
  std::chrono::milliseconds timeout{5000};
};

/// What PORT2_RESP says about a node.
struct port_info {
  uint16_t port = 0;
  uint8_t node_type = 0;  // epmd_node_type_normal / _hidden
  uint8_t protocol = 0;   // 0: TCP/IPv4
  uint16_t highest_version = 0;
  uint16_t lowest_version = 0;
  std::string name;
  std::string extra;
};

struct epmd_name {
  std::string name;
  uint16_t port = 0;
  friend bool operator==(const epmd_name&, const epmd_name&) = default;
};

/// A name registered with EPMD; the registration ends when this is closed or destroyed.
class epmd_registration {
 public:
  epmd_registration() = default;
  epmd_registration(epmd_registration&& o) noexcept;
  epmd_registration& operator=(epmd_registration&& o) noexcept;
  epmd_registration(const epmd_registration&) = delete;
  epmd_registration& operator=(const epmd_registration&) = delete;
  ~epmd_registration() { close(); }

  /// The creation EPMD gave this incarnation (32-bit from ALIVE2_X_RESP).
  uint32_t creation() const noexcept { return creation_; }
  const std::string& name() const noexcept { return name_; }
  bool registered() const noexcept { return fd_ >= 0; }
  /// Whether EPMD still holds the registration: false once it closed the socket (EPMD
  /// stopped). Does not block.
  bool alive() const noexcept;
  /// The socket, e.g. to watch for EPMD going away; owned by this object.
  int native_handle() const noexcept { return fd_; }
  /// Unregisters (closes the socket). Idempotent.
  void close() noexcept;

 private:
  friend epmd_registration register_node(std::string_view, uint16_t, bool, const epmd_options&);
  int fd_ = -1;
  uint32_t creation_ = 0;
  std::string name_;
};

/// Registers `alive_name` (the part before '@') as listening on `listen_port`, via the
/// local EPMD (127.0.0.1; EPMD accepts registrations from local peers only). `hidden` sets
/// node type 72 instead of 77 (erl itself registers hidden nodes as 77 too; hiddenness is a
/// handshake flag). Throws std::system_error (epmd_errc::registration_refused when the name is
/// taken).
epmd_registration register_node(std::string_view alive_name, uint16_t listen_port,
                                bool hidden = false, const epmd_options& opts = {});

/// The port of `alive_name` on `host`'s EPMD, nullopt when it is not registered there.
std::optional<port_info> port_please(std::string_view host, std::string_view alive_name,
                                     const epmd_options& opts = {});

/// The names registered with `host`'s EPMD.
std::vector<epmd_name> names(std::string_view host, const epmd_options& opts = {});

/// Whether an EPMD answers a NAMES_REQ on `host`:`port` within `timeout`. Never throws.
bool epmd_answers(std::string_view host, uint16_t port,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) noexcept;

}  // namespace otp::dist

template <>
struct std::is_error_code_enum<otp::dist::epmd_errc> : std::true_type {};
