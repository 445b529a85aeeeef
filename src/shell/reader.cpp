// Splitting text into statements: tokens up to each dot, with erl's rules for what is
// incomplete (more lines will come) and how an unreadable character is reported.

#include <string>
#include <utility>
#include <vector>

#include "shell/parser.hpp"

namespace otp::shell::detail {

using otp::detail::tok;
using otp::detail::token;

namespace {

// erl_scan reads any character as a token and leaves the complaint to the parser: say it
// the parser's way.
std::string lex_message(const std::string& m) {
  constexpr std::string_view unexpected = "unexpected ";
  if (m.rfind(unexpected, 0) == 0 && m.find('(') == std::string::npos)
    return "syntax error before: " + m.substr(unexpected.size());
  if (m.rfind("'.' must be followed", 0) == 0) return "syntax error before: '.'";
  return m;
}

}  // namespace

std::string format(const compile_error& e) {
  return "* " + std::to_string(e.at.line) + ":" + std::to_string(e.at.column) + ": " + e.message +
         "\n";
}

split_text split_statements(std::string_view text) {
  split_text out;
  otp::detail::lexer lx(text, otp::detail::lex_mode::shell);
  std::vector<token> current;
  try {
    for (;;) {
      token t = lx.next();
      if (t.kind == tok::end) break;
      bool dot = t.kind == tok::dot;
      current.push_back(std::move(t));
      if (dot) out.statements.push_back(std::exchange(current, {}));
    }
  } catch (const otp::detail::lex_error& e) {
    // An unterminated string or quoted atom may end on a later line; any other bad
    // character is reported once the text ends a statement, as erl does.
    size_t end = text.find_last_not_of(" \t\r\n");
    if (e.message.rfind("unterminated", 0) == 0 || end == std::string_view::npos ||
        text[end] != '.') {
      out.incomplete = true;
      return out;
    }
    otp::detail::position base = current.empty() ? e.pos : current.front().pos;
    auto line = uint32_t(e.pos.line - base.line + 1);
    auto column = uint32_t(e.pos.line == base.line ? e.pos.column - base.column + 1 : e.pos.column);
    out.lex_error = compile_error{{line, column}, lex_message(e.message)};
    return out;
  }
  out.incomplete = !current.empty() || out.statements.empty();
  return out;
}

}  // namespace otp::shell::detail
