#pragma once
/// \file
/// Reading terms written in Erlang syntax, as file:consult/1 and erl_parse:parse_term/1 do.
///
/// Accepted: integers (any size, `16#FF` bases 2..36, `1_000` separators, `$a` characters
/// with escapes), floats (`1.5`, `2.0e-3`), unary `-`/`+` on numbers, bare and quoted atoms,
/// strings (adjacent strings concatenate, as in Erlang), binaries (`<<"abc">>`,
/// `<<1,2,3:4>>`, `<<"é"/utf8>>`, segment types integer/float/binary/utf8/utf16/utf32 with
/// size, unit, signedness and endianness), lists (proper and improper), tuples, maps
/// `#{K => V}`, and `fun M:F/A`. `%` starts a comment. Pids, references, ports and local
/// funs have no readable form (erl cannot read `<0.1.0>` either), nor do variables or
/// expressions.
///
/// Input is UTF-8. Errors name the line and column (1-based, in characters) where the
/// problem starts. Parsing does not recurse, so any nesting depth parses on a small stack.
/// Thread safety: reentrant.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "otp/term.hpp"

namespace otp {

struct parse_error_info {
  std::string message;  // "3:14: expected ',' or '}' after a tuple element, found ']'"
  size_t line = 0;
  size_t column = 0;
  size_t offset = 0;  // byte offset into the text
};

class term_parse_error : public std::runtime_error {
 public:
  explicit term_parse_error(parse_error_info info)
      : std::runtime_error(info.message), info_(std::move(info)) {}
  const parse_error_info& info() const noexcept { return info_; }
  size_t line() const noexcept { return info_.line; }
  size_t column() const noexcept { return info_.column; }

 private:
  parse_error_info info_;
};

struct term_parse_result {
  term value;
  std::optional<parse_error_info> error;
  explicit operator bool() const noexcept { return !error; }
};

struct consult_result {
  std::vector<term> terms;  // on error: the complete terms before it
  std::optional<parse_error_info> error;
  explicit operator bool() const noexcept { return !error; }
};

/// Exactly one term, optionally followed by a terminating '.'; throws term_parse_error.
term parse_term(std::string_view text);
term_parse_result try_parse_term(std::string_view text) noexcept;

/// What file:consult/1 reads: zero or more terms, each ending with '.'.
std::vector<term> consult(std::string_view text);
consult_result try_consult(std::string_view text) noexcept;
/// Reads and consults a file; throws std::runtime_error when it cannot be read.
std::vector<term> consult_file(const std::string& path);

}  // namespace otp
