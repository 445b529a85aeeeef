// libFuzzer target: the ETF decoder on arbitrary bytes. Whatever decodes must re-encode and
// decode to the same term, print, and hash; nothing may crash, leak or read out of bounds.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "otp/etf.hpp"

using namespace otp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const atom cache[] = {atoms::ok, atoms::error, atom("cached@node")};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  etf_decode_options opts;
  opts.atom_cache = cache;
  opts.allow_trailing = size % 3 == 0;
  // Mostly refuse new atoms: the atom table is never freed, and a long run would fill it.
  opts.existing_atoms_only = size % 4 != 0;
  opts.max_uncompressed_size = 16 << 20;
  etf_decode_result r = try_binary_to_term(in, {}, opts);
  if (!r) {
    if (r.error->message.empty() ||
        r.error->offset > size + (r.error->in_compressed ? 16 << 20 : 0))
      __builtin_trap();
    return 0;
  }
  std::string again = term_to_binary(r.value);
  etf_decode_result back = try_binary_to_term(again);
  if (!back || back.value != r.value || back.value.hash() != r.value.hash()) __builtin_trap();
  if (term_to_binary(back.value) != again) __builtin_trap();
  (void)to_string(r.value);
  return 0;
}
