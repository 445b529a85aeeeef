#pragma once
/// \file
/// An EPMD served by otpp, for machines where no `epmd` runs and none is installed.
///
/// It speaks what erl and otpp use (requests as in epmd_client.hpp):
///  - ALIVE2_REQ (from local peers only, like epmd): registers the name for as long as the
///    registering connection stays open; any byte or EOF on it unregisters. The reply is
///    ALIVE2_X_RESP with a 32-bit creation when the request's highest version is >= 6, else
///    ALIVE2_RESP with a 16-bit one. A name already registered is refused (result 1,
///    creation 99, as epmd).
///  - PORT_PLEASE2_REQ: PORT2_RESP with the node's data, or result 1 when not registered.
///  - NAMES_REQ: the server's port, then "name N at port P\n" per node.
///  - KILL_REQ is answered "NO" (an in-process EPMD is stopped by its owner, not by peers);
///    DUMP_REQ, STOP_REQ and anything else close the connection without a reply.
///
/// Creations follow epmd: a name never seen gets a random 32-bit start (at least 4, as 0..3
/// are what pre-OTP 23 nodes used); registering a name again after it went away gives the
/// next value. Old-style (version 5) registrations get (counter % 3) + 1. The last creation of
/// up to 1000 unregistered names is remembered.
///
/// Limits: requests over max_request bytes, connections idle past request_timeout before a
/// complete request, and connections beyond max_connections are closed.
///
/// Thread safety: start/stop/registered may be called from any thread (not concurrently
/// with the destructor). The server runs on its own thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace otp::dist {

struct epmd_server_options {
  /// Port to listen on; 0 picks a free one (see epmd_server::port()).
  uint16_t port = 4369;
  /// Listen on 127.0.0.1 and ::1 only (else on all addresses, as epmd does).
  bool loopback_only = false;
  /// A connection must send a complete request within this time (epmd: 60 s).
  std::chrono::milliseconds request_timeout{60000};
  size_t max_connections = 1024;
  /// Largest request accepted (2-byte length prefix not counted).
  size_t max_request = 2048;
};

class epmd_server {
 public:
  struct entry {
    std::string name;
    uint16_t port = 0;
    uint8_t node_type = 0;
    uint8_t protocol = 0;
    uint16_t highest_version = 0;
    uint16_t lowest_version = 0;
    std::string extra;
    uint32_t creation = 0;  // as sent to the node
  };

  explicit epmd_server(epmd_server_options opts = {});
  ~epmd_server();
  epmd_server(const epmd_server&) = delete;
  epmd_server& operator=(const epmd_server&) = delete;

  /// Binds and starts serving. Throws std::system_error (e.g. address in use) and leaves the
  /// server stopped. No-op when running.
  void start();
  /// Stops serving: closes every connection (ending all registrations) and the listener.
  void stop();
  bool running() const;
  /// The port listened on (the actual one when options asked for 0); 0 when stopped.
  uint16_t port() const;
  /// The registered nodes now.
  std::vector<entry> registered() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct ensure_epmd_options {
  /// Start the system's `epmd -daemon -port P` when none answers (as erl does).
  bool allow_system_epmd = true;
  /// Else start an in-process epmd_server (kept until stop_in_process_epmd() or exit).
  bool allow_in_process = true;
  /// How long to wait for a started epmd to answer.
  std::chrono::milliseconds startup_timeout{5000};
};

/// Makes sure an EPMD answers on 127.0.0.1:`port` (0: default_epmd_port()): if one already
/// does, nothing is started; else the system `epmd` is started if installed (found on PATH),
/// else an in-process server on that port (kept for the life of the OS process). Returns
/// whether an EPMD answers now. Never throws. Like erl, a started system epmd outlives us.
bool ensure_epmd(uint16_t port = 0, const ensure_epmd_options& opts = {}) noexcept;
/// The in-process server ensure_epmd started on `port` (0: default_epmd_port()), or nullptr.
epmd_server* in_process_epmd(uint16_t port = 0) noexcept;
/// Stops and discards that server, if any (ending its registrations).
void stop_in_process_epmd(uint16_t port = 0) noexcept;

}  // namespace otp::dist
