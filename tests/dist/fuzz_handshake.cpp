// libFuzzer target: the handshake state machine, either role, on arbitrary peer bytes fed in
// arbitrary pieces. Nothing may crash or leak; a finished handshake must name a valid node and
// must not also be failed; input after the end must not change the outcome.
//
// Input: byte 0 picks the role (bit 0: 1 initiator, 0 acceptor) and the acceptor's decision
// (bits 1..3); byte 1 is the feed piece size (1..256); the rest is what the peer sends. The
// challenge is fixed (0x01020304) and the cookie is "fuzzcookie", so seeds can carry correct
// digests and reach the end.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dist/handshake.hpp"

using namespace otp::dist;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool initiator = data[0] & 1;
  const auto decision = accept_decision((data[0] >> 1) % 5);
  const size_t piece = size_t(data[1]) + 1;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  handshake_options o;
  o.node_name = initiator ? "fuzz_a@host" : "fuzz_b@host";
  o.cookie = "fuzzcookie";
  o.creation = 7;
  o.challenge_source = [] { return 0x01020304u; };
  handshake h = initiator ? handshake::initiate(o, data[0] & 0x10 ? "" : "fuzz_b@host",
                                                [&](const std::string&) { return data[0] & 0x20; })
                          : handshake::accept(o, [&](const std::string&) { return decision; });
  std::string out = h.take_output();
  while (!in.empty()) {
    size_t n = in.size() < piece ? in.size() : piece;
    const handshake_state& st = h.feed(in.substr(0, n));
    in.remove_prefix(n);
    out += h.take_output();
    if (std::holds_alternative<handshake_done>(st)) {
      const auto& d = std::get<handshake_done>(st);
      if (!is_valid_node_name(d.peer_name) || d.peer_atom.name() != d.peer_name) __builtin_trap();
      if ((d.flags & ~d.peer_flags) != 0) __builtin_trap();
      if (h.failed()) __builtin_trap();
    }
  }
  // Every message we wrote is length-prefixed and within the 2-byte limit.
  std::string_view w = out;
  while (w.size() >= 2) {
    size_t len = size_t(uint8_t(w[0])) << 8 | uint8_t(w[1]);
    if (len == 0 || w.size() - 2 < len) __builtin_trap();
    w.remove_prefix(2 + len);
  }
  if (!w.empty()) __builtin_trap();
  if (h.done()) (void)h.take_leftover();
  return 0;
}
