#pragma once
// The shell's reader: splits text into '.'-terminated statements and parses each into a
// syntax tree, with Erlang's operator precedence (erl_parse.yrl). Private to the shell.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/ast.hpp"
#include "term/term_lex.hpp"

namespace otp::shell::detail {

// An error found before evaluation (syntax, unbound variable, illegal pattern); printed as
// erl prints them: `* L:C: message`.
struct compile_error {
  pos at;
  std::string message;
};

std::string format(const compile_error& e);

// The statements in a text, as tokens (each ending with its dot).
struct split_text {
  // The text does not end a statement yet: more lines are needed.
  bool incomplete = false;
  std::vector<std::vector<otp::detail::token>> statements;
  // Set when a character could not be read: it ends the statements that came before.
  std::optional<compile_error> lex_error;
};

split_text split_statements(std::string_view text);

// Parses one statement (its tokens, ending with the dot). `text` is what the tokens were
// read from (binaries are re-read from it). Throws compile_error.
statement parse_statement(std::vector<otp::detail::token> tokens, std::string_view text);

}  // namespace otp::shell::detail
