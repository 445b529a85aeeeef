#pragma once
// Big-endian integers in byte strings, as every distribution protocol writes them (EPMD,
// the handshake, frame lengths). Readers REQUIRE the bytes to be there.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace otp::dist {

inline uint16_t get16(std::string_view s, size_t at) {
  return uint16_t(uint16_t(uint8_t(s[at])) << 8 | uint8_t(s[at + 1]));
}
inline uint32_t get32(std::string_view s, size_t at) {
  return uint32_t(get16(s, at)) << 16 | get16(s, at + 2);
}
inline uint64_t get64(std::string_view s, size_t at) {
  return uint64_t(get32(s, at)) << 32 | get32(s, at + 4);
}
inline void put16(std::string& out, uint16_t v) {
  out += char(uint8_t(v >> 8));
  out += char(uint8_t(v));
}
inline void put32(std::string& out, uint32_t v) {
  put16(out, uint16_t(v >> 16));
  put16(out, uint16_t(v));
}
inline void put64(std::string& out, uint64_t v) {
  put32(out, uint32_t(v >> 32));
  put32(out, uint32_t(v));
}

}  // namespace otp::dist
