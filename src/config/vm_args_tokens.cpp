// erlexec's argument-file tokenizer (build_args_from_string), with errors where erl would
// silently read to the end of the file.

#include "vm_args_tokens.hpp"

namespace otp::config::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::vector<arg_token> split_args(const source& src) {
  std::string_view s = src.text();
  std::vector<arg_token> out;
  size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
    } else if (s[i] == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else {
      arg_token t{{}, i};
      while (i < s.size() && !is_space(s[i]) && s[i] != '#') {
        char c = s[i];
        if (c == '"' || c == '\'') {
          size_t close = s.find(c, i + 1);
          if (close == std::string_view::npos)
            throw src.error_at(
                i, std::string("expected a closing ") + c + " before the end of the file");
          t.text.append(s.substr(i + 1, close - i - 1));
          i = close + 1;
        } else if (c == '\\') {
          if (i + 1 >= s.size())
            throw src.error_at(i, "expected a character after '\\', found the end of the file");
          t.text += s[i + 1];
          i += 2;
        } else {
          t.text += c;
          ++i;
        }
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace otp::config::detail
