#pragma once
// Fixed-width columns as io:format's ~-Ns (left) and ~Ns (right) print them: padded with
// spaces, and cut to the width when longer. Private to the shell (i(), regs()).

#include <string>
#include <string_view>

namespace otp::shell::detail {

inline std::string left(std::string_view s, size_t width) {
  std::string out(s.substr(0, width));
  out.resize(width, ' ');
  return out;
}

inline std::string right(std::string_view s, size_t width) {
  s = s.substr(0, width);
  return std::string(width - s.size(), ' ') + std::string(s);
}

}  // namespace otp::shell::detail
