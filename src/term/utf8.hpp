#pragma once
// Minimal UTF-8 decoding/encoding for strings and atoms.

#include <cstdint>
#include <string>
#include <string_view>

namespace otp::detail {

// Decodes one code point at `pos` and advances; returns -1 on malformed input.
inline int32_t utf8_decode(std::string_view s, size_t& pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = byte(pos);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || pos + len > s.size()) return -1;
  int32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    unsigned char cc = byte(pos + i);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr int32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  pos += len;
  return cp;
}

// Appends the UTF-8 encoding of `cp`; false if it is not a Unicode scalar value.
inline bool utf8_encode(int64_t cp, std::string& out) {
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
  return true;
}

// Writes code point `c` inside a quoted atom or string as io_lib does with ~p (Latin-1
// output): named escapes for the usual controls, octal for other controls and 128..159,
// \x{...} beyond Latin-1, and a backslash before the quote and the backslash.
inline void write_escaped_char(int64_t c, char quote, std::string& out) {
  static constexpr char hex[] = "0123456789ABCDEF";
  switch (c) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case 27:
      out += "\\e";
      return;
    case 127:
      out += "\\d";
      return;
    case '\\':
      out += "\\\\";
      return;
    default:
      break;
  }
  if (c == quote) {
    out += '\\';
    out += quote;
  } else if ((c >= 32 && c <= 126) || (c >= 160 && c <= 255)) {
    utf8_encode(c, out);
  } else if (c < 160) {
    out += '\\';
    out += char('0' + ((c >> 6) & 7));
    out += char('0' + ((c >> 3) & 7));
    out += char('0' + (c & 7));
  } else {
    std::string digits;
    for (int64_t v = c; v > 0; v >>= 4) digits.insert(digits.begin(), hex[v & 15]);
    out += "\\x{" + digits + "}";
  }
}

}  // namespace otp::detail
