#pragma once
/// \file
/// Distribution: this node joins a cluster of Erlang (BEAM) and otpp nodes over Erlang's
/// own protocol (EPMD, handshake version 6, cookies). See docs/distribution.md.
///
///     otp::node n;
///     otp::start_distribution(n, {.name = "cpp@127.0.0.1", .cookie = "secret"});
///     // now: send to remote pids and {Name, Node}, link, monitor, gen_server::call ...
///
/// Remote pids work like local ones: send, link, monitor, exit/2 and gen_server calls.
/// Connections are made on first use, one per pair of nodes; when one goes down, links
/// to its processes fire with `noconnection` and monitors deliver DOWN `noconnection`.
///
/// One distributed node per OS process (node name and creation are process-wide, as the
/// external term format needs them).
///
/// Thread safety: start/stop from a non-scheduler thread; the rest from anywhere.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "otp/atom.hpp"
#include "otp/node.hpp"

namespace otp {

/// TLS distribution (as erl's `-proto_dist inet_tls` with an -ssl_dist_optfile): every
/// connection runs the distribution protocol inside TLS (1.2 or newer). Files are PEM.
struct dist_tls_options {
  std::string certfile;     ///< this node's certificate (chain)
  std::string keyfile;      ///< its private key (empty: in certfile)
  std::string cacertfile;   ///< the CAs that sign peers' certificates
  bool verify_peer = true;  ///< peers must present a certificate the CAs signed
};

struct dist_options {
  /// "name@host" (long names) or "name" (short names: the host part is this machine's
  /// short host name), as erl's -name / -sname.
  std::string name;
  /// Long names (-name) or short names (-sname). With a full "name@host" either works.
  bool long_names = true;
  /// The cookie; when empty, $OTPP_COOKIE, else ~/.erlang.cookie is read (or created with
  /// ≥128 random bits and mode 0400, like erl does).
  std::string cookie;
  /// Port to listen on; 0 picks a free one (EPMD tells peers which).
  uint16_t listen_port = 0;
  /// EPMD's port; 0: $ERL_EPMD_PORT or 4369. An EPMD is started if none answers.
  uint16_t epmd_port = 0;
  /// As erl's net_ticktime: a peer silent for this long is considered down.
  std::chrono::seconds net_ticktime{60};
  /// Connection setup timeout (erl's net_setuptime).
  std::chrono::milliseconds setup_timeout{7000};
  /// Set: TLS distribution (peers must use it too, like erl nodes with inet_tls).
  std::optional<dist_tls_options> tls;
};

/// Starts distribution for `n`: EPMD registration, listening, node name. Throws
/// std::runtime_error (with the reason) when it cannot.
void start_distribution(node& n, const dist_options& opts);

/// This node's name (nonode@nohost when not distributed).
atom node_name();
/// Nodes connected now.
std::vector<atom> nodes();
/// Connects to `node` if needed: true (pong) when connected, false (pang) otherwise.
/// In a process (the caller waits; the scheduler does not).
bool ping(atom node);
/// Drops the connection to `node` (erlang:disconnect_node/1).
bool disconnect_node(atom node);
/// True when this node runs distribution.
bool is_distributed();
/// net_kernel:monitor_nodes(true|false) for the calling process: {nodeup, Node} and
/// {nodedown, Node} messages for every node that connects or goes down.
void monitor_nodes(bool on);
/// monitor_node(Node, true|false) for the calling process: a {nodedown, Node} message
/// arrives when the connection goes down (at once if it cannot be made).
void monitor_node(atom node, bool on);

}  // namespace otp
