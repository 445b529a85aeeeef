#pragma once
// Splitting vm.args into arguments, as erl's -args_file reader (erlexec) does.

#include <cstddef>
#include <string>
#include <vector>

#include "source.hpp"

namespace otp::config::detail {

struct arg_token {
  std::string text;   // quotes and backslashes removed
  size_t offset = 0;  // where it starts in source::text()
};

/// The arguments of `src`. Whitespace separates them; `#` outside quotes starts a comment
/// that runs to the end of the line (and ends a word it touches: `a#b` is `a`); "..." and
/// '...' quote everything up to the closing quote and may sit inside a word (`a"b c"` is
/// `ab c`); a backslash outside quotes takes the next character as it is. An unterminated
/// quote or a backslash at the very end is a config_error (erl reads to the end silently).
std::vector<arg_token> split_args(const source& src);

}  // namespace otp::config::detail
