// libFuzzer target: the term parser on arbitrary text. Whatever parses must print and parse
// back to the same term; nothing may crash or overflow the stack.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "otp/term_parse.hpp"

using namespace otp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  consult_result r = try_consult(in);
  if (!r) {
    if (r.error->message.empty() || r.error->offset > size) __builtin_trap();
  }
  for (const term& t : r.terms) {
    std::string text = to_string(t);
    term_parse_result back = try_parse_term(text);
    if (!back || back.value != t) __builtin_trap();
  }
  return 0;
}
