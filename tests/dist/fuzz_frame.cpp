// libFuzzer target: the frame decoder and control parser on arbitrary connection bytes fed in
// arbitrary pieces. Nothing may crash, leak or read out of bounds; every message that parses
// must build back into a frame that decodes and parses to the same message.
//
// Input: byte 0 is the feed piece size (1..256); the rest is the byte stream. Unknown atoms
// are refused (the atom table is never freed, and a long run would fill it) except when the
// piece byte is a multiple of 16.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dist/control.hpp"
#include "dist/frame.hpp"

using namespace otp;
using namespace otp::dist;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const atom self("fuzz@host");
  const size_t piece = size_t(data[0]) + 1;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  frame_decoder_options opts;
  opts.context = {self, 3};
  opts.max_frame_size = 1 << 20;
  opts.existing_atoms_only = data[0] % 16 != 0;
  frame_decoder dec(opts);
  frame_encoder enc(opts.context);
  bool failed = false;
  while (!in.empty() && !failed) {
    size_t n = in.size() < piece ? in.size() : piece;
    dec.feed(in.substr(0, n));
    in.remove_prefix(n);
    while (auto ev = dec.next()) {
      if (std::holds_alternative<frame_error>(*ev)) {
        if (std::get<frame_error>(*ev).message.empty() || !dec.failed()) __builtin_trap();
        failed = true;
        break;
      }
      auto* m = std::get_if<frame_message>(&*ev);
      if (!m) continue;
      auto parsed = parse_control(m->control, m->payload ? &*m->payload : nullptr);
      if (!parsed) {
        if (parsed.error().message.empty()) __builtin_trap();
        continue;
      }
      std::string bytes;
      enc.append(bytes, *parsed);
      frame_decoder_options trusting = opts;
      trusting.existing_atoms_only = false;  // the atoms exist: they were just decoded
      frame_decoder again(trusting);
      again.feed(bytes);
      auto back = again.next();
      if (!back || !std::holds_alternative<frame_message>(*back)) __builtin_trap();
      const auto& bm = std::get<frame_message>(*back);
      auto reparsed = parse_control(bm.control, bm.payload ? &*bm.payload : nullptr);
      if (!reparsed || !(*reparsed == *parsed)) __builtin_trap();
      if (again.next()) __builtin_trap();
    }
  }
  return 0;
}
