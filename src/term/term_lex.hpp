#pragma once
// Tokenizer for Erlang term syntax (the subset file:consult/1 reads). Private to the parser
// and to the shell, which lexes in lex_mode::shell to get Erlang's operators as well.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "otp/term.hpp"

namespace otp::detail {

struct position {
  size_t line = 1, column = 1, offset = 0;
};

enum class tok : uint8_t {
  end,       // end of input
  integer,   // value: the integer (any size)
  float_,    // value: the float
  char_,     // value: the code point ($a)
  atom,      // value: the atom
  string,    // text: code points of one string literal
  var,       // text: the name (only to report it)
  punct,     // text: { } [ ] | , #{ => << >> / : - + ( )
  dot,       // '.' ending a term
  fun,       // the reserved word fun
  reserved,  // another reserved word (text: it)
  pid,       // lex_mode::shell only: a `<0.N.S>` literal (value: the pid)
};

// What the lexer accepts. `term` is exactly what the term parser reads; `shell` adds the
// operators of Erlang expressions (text in a tok::punct: ! = == /= =< < >= > =:= =/= * ++
// -- -> ; := || <- <=) and `<0.N.S>` pid literals, for the shell's expression parser.
enum class lex_mode : uint8_t { term, shell };

struct token {
  tok kind = tok::end;
  position pos;
  term value;
  std::vector<int32_t> chars;  // string literals
  std::string text;            // punctuation, variable or reserved word
};

// Thrown inside the parser only; converted to parse_error_info at the API boundary.
struct lex_error {
  std::string message;
  position pos;
};

class lexer {
 public:
  explicit lexer(std::string_view src, lex_mode mode = lex_mode::term) : s_(src), mode_(mode) {}
  // The next token; throws lex_error.
  token next();

 private:
  int32_t peek(size_t ahead = 0) const;  // code point, -1 at the end (or invalid UTF-8)
  int32_t get();                         // consumes one code point
  void skip_space();
  int32_t escape(position start);
  token number(position start);
  token quoted(char quote, position start);
  // lex_mode::shell: the operator starting with `c` (already consumed), or false.
  bool shell_operator(int32_t c, token& t);
  bool pid_literal(token& t);
  [[noreturn]] void fail(const std::string& msg, position p) const { throw lex_error{msg, p}; }

  std::string_view s_;
  position p_;
  lex_mode mode_;
};

// Token text for messages: "'}'", "end of input", "atom foo".
std::string describe(const token& t);

}  // namespace otp::detail
