#pragma once
// Reading the erl-made fixtures (tests/term/fixtures, made by tools/gen_etf_fixtures.escript).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace otp::test {

inline std::string fixture_path(const std::string& name) {
  return std::string(OTPP_TERM_FIXTURES) + "/" + name;
}

// Lines of a tab-separated fixture file, split into fields.
inline std::vector<std::vector<std::string>> read_tsv(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, '\t')) fields.push_back(f);
    rows.push_back(std::move(fields));
  }
  return rows;
}

inline std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += char(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace otp::test
