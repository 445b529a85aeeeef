// Tokenizer for Erlang term syntax, following erl_scan's rules for the tokens a term can
// contain: numbers (bases, '_' separators, floats), $-characters, atoms, strings, escapes.

#include "term_lex.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "utf8.hpp"

namespace otp::detail {
namespace {

bool is_digit(int32_t c) {
  return c >= '0' && c <= '9';
}
// Latin-1 letters, as erl_scan: lowercase start atoms, uppercase and '_' start variables.
bool is_lower(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 223 && c <= 255 && c != 247);
}
bool is_upper(int32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 192 && c <= 222 && c != 215);
}
bool is_name_char(int32_t c) {
  return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '@';
}
int digit_value(int32_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

bool is_reserved(std::string_view s) {
  static constexpr std::string_view words[] = {
      "after", "and",  "andalso", "band",   "begin",   "bnot", "bor", "bsl",  "bsr",
      "bxor",  "case", "catch",   "cond",   "div",     "end",  "fun", "if",   "let",
      "not",   "of",   "or",      "orelse", "receive", "rem",  "try", "when", "xor"};
  for (auto w : words)
    if (w == s) return true;
  return false;
}

std::string show_char(int32_t c) {
  std::string out;
  if (c < 0) return "invalid UTF-8";
  if (c < 32 || c == 127) return "character " + std::to_string(c);
  utf8_encode(c, out);
  return "'" + out + "'";
}

}  // namespace

int32_t lexer::peek(size_t ahead) const {
  size_t pos = p_.offset;
  int32_t c = -1;
  for (size_t i = 0; i <= ahead; ++i) {
    if (pos >= s_.size()) return -1;
    c = utf8_decode(s_, pos);
    if (c < 0) return -2;
  }
  return c;
}

int32_t lexer::get() {
  if (p_.offset >= s_.size()) return -1;
  size_t pos = p_.offset;
  int32_t c = utf8_decode(s_, pos);
  if (c < 0) fail("invalid UTF-8", p_);
  p_.offset = pos;
  if (c == '\n') {
    ++p_.line;
    p_.column = 1;
  } else {
    ++p_.column;
  }
  return c;
}

void lexer::skip_space() {
  for (;;) {
    int32_t c = peek();
    if (c == '%') {
      while (peek() != -1 && peek() != '\n') get();
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
               c == 160) {
      get();
    } else {
      return;
    }
  }
}

// After a backslash: one escape sequence, as erl_scan reads it.
int32_t lexer::escape(position start) {
  position at = p_;
  int32_t c = get();
  switch (c) {
    case -1:
      fail("unterminated escape sequence", start);
    case 'b':
      return 8;
    case 'd':
      return 127;
    case 'e':
      return 27;
    case 'f':
      return 12;
    case 'n':
      return 10;
    case 'r':
      return 13;
    case 's':
      return 32;
    case 't':
      return 9;
    case 'v':
      return 11;
    case '^': {
      int32_t k = get();
      if (k < 0) fail("unterminated escape sequence", start);
      return k & 31;
    }
    case 'x': {
      int64_t v = 0;
      if (peek() == '{') {
        get();
        int n = 0;
        while (digit_value(peek()) < 16) {
          v = v * 16 + digit_value(get());
          if (v > 0x10FFFF) fail("character code in \\x{...} is beyond Unicode", at);
          ++n;
        }
        if (n == 0 || get() != '}') fail("\\x{ needs hexadecimal digits and a closing }", at);
      } else {
        for (int i = 0; i < 2; ++i) {
          if (digit_value(peek()) >= 16) fail("\\x needs two hexadecimal digits or {...}", at);
          v = v * 16 + digit_value(get());
        }
      }
      return int32_t(v);
    }
    default:
      if (c >= '0' && c <= '7') {
        int32_t v = c - '0';
        for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i) v = v * 8 + (get() - '0');
        return v;
      }
      return c;  // \\ \' \" and any other character stand for themselves
  }
}

token lexer::quoted(char quote, position start) {
  token t;
  t.pos = start;
  for (;;) {
    int32_t c = get();
    if (c == -1)
      fail(std::string("unterminated ") + (quote == '"' ? "string" : "quoted atom") +
               " starting here",
           start);
    if (c == quote) break;
    if (c == '\\') c = escape(start);
    t.chars.push_back(c);
  }
  if (quote == '"') {
    t.kind = tok::string;
    return t;
  }
  std::string name;
  for (int32_t c : t.chars)
    if (!utf8_encode(c, name)) fail("atom contains a character that is not Unicode", start);
  if (t.chars.size() > atom::max_length) fail("atom longer than 255 characters", start);
  t.kind = tok::atom;
  t.value = term(atom(name));
  t.chars.clear();
  return t;
}

token lexer::number(position start) {
  std::string digits;
  auto read_digits = [&](int base) {
    bool any = false;
    for (;;) {
      int32_t c = peek();
      if (digit_value(c) < base) {
        digits += char(c);
        get();
        any = true;
      } else if (c == '_' && any && digit_value(peek(1)) < base) {
        get();  // a separator between two digits
      } else {
        return any;
      }
    }
  };
  token t;
  t.pos = start;
  read_digits(10);
  if (peek() == '#') {
    int base = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), base);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || base < 2 || base > 36)
      fail("integer base " + digits + " is not 2..36", start);
    get();
    digits.clear();
    if (!read_digits(base)) fail("no digits after " + std::to_string(base) + "#", start);
    t.kind = tok::integer;
    t.value = term::integer_from_string(digits, unsigned(base));
    return t;
  }
  if (peek() == '.' && is_digit(peek(1))) {
    get();
    digits += '.';
    read_digits(10);
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '-' || peek(1) == '+') && is_digit(peek(2))))) {
      digits += 'e';
      get();
      if (peek() == '-' || peek() == '+') digits += char(get());
      read_digits(10);
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(d))
      fail("float " + digits + " is out of range", start);
    t.kind = tok::float_;
    t.value = term(d);
    return t;
  }
  t.kind = tok::integer;
  t.value = term::integer_from_string(digits, 10);
  return t;
}

token lexer::next() {
  skip_space();
  position start = p_;
  token t;
  t.pos = start;
  int32_t c = peek();
  if (c == -1) return t;  // tok::end
  if (c == -2) fail("invalid UTF-8", start);
  if (is_digit(c)) return number(start);
  if (c == '"' || c == '\'') {
    get();
    return quoted(char(c), start);
  }
  if (c == '$') {
    get();
    int32_t ch = get();
    if (ch == -1) fail("character literal $ without a character", start);
    if (ch == '\\') ch = escape(start);
    t.kind = tok::char_;
    t.value = term(ch);
    return t;
  }
  if (is_lower(c) || is_upper(c) || c == '_') {
    std::string name;
    size_t chars = 0;
    while (is_name_char(peek())) {
      utf8_encode(get(), name);
      ++chars;
    }
    if (!is_lower(c)) {
      t.kind = tok::var;
      t.text = name;
      return t;
    }
    if (name == "fun") {
      t.kind = tok::fun;
      return t;
    }
    if (is_reserved(name)) {
      t.kind = tok::reserved;
      t.text = name;
      return t;
    }
    if (chars > atom::max_length) fail("atom longer than 255 characters", start);
    t.kind = tok::atom;
    t.value = term(atom(name));
    return t;
  }
  if (mode_ == lex_mode::shell && c == '<' && pid_literal(t)) return t;
  get();
  t.kind = tok::punct;
  if (mode_ == lex_mode::shell && shell_operator(c, t)) return t;
  int32_t n = peek();
  switch (c) {
    case '.':
      if (n == -1 || n == '%' || n == ' ' || n == '\t' || n == '\n' || n == '\r' || n == '\f' ||
          n == '\v') {
        t.kind = tok::dot;
        return t;
      }
      fail("'.' must be followed by white space to end a term", start);
    case '#':
      if (n == '{') {
        get();
        t.text = "#{";
        return t;
      }
      fail("'#' must start a map: #{", start);
    case '=':
      if (n == '>') {
        get();
        t.text = "=>";
        return t;
      }
      fail("unexpected '='", start);
    case '<':
      if (n == '<') {
        get();
        t.text = "<<";
        return t;
      }
      fail("unexpected '<' (pids, references and ports cannot be read)", start);
    case '>':
      if (n == '>') {
        get();
        t.text = ">>";
        return t;
      }
      fail("unexpected '>'", start);
    case '{':
    case '}':
    case '[':
    case ']':
    case '|':
    case ',':
    case '/':
    case ':':
    case '-':
    case '+':
    case '(':
    case ')':
      t.text = std::string(1, char(c));
      return t;
    default:
      fail("unexpected " + show_char(c), start);
  }
}

// Erlang's operators, longest match first as erl_scan does (so `X=<<1>>` is `X =< <1>>`,
// as in erl). Tokens the term syntax has too (`<<`, `=>`, `/`...) come out the same.
bool lexer::shell_operator(int32_t c, token& t) {
  auto take = [&](const char* text, size_t extra) {
    for (size_t i = 0; i < extra; ++i) get();
    t.text = text;
    return true;
  };
  int32_t n = peek(), n2 = peek(1);
  switch (c) {
    case '!':
      return take("!", 0);
    case '*':
      return take("*", 0);
    case ';':
      return take(";", 0);
    case '=':
      if (n == ':' && n2 == '=') return take("=:=", 2);
      if (n == '/' && n2 == '=') return take("=/=", 2);
      if (n == '=') return take("==", 1);
      if (n == '<') return take("=<", 1);
      if (n == '>') return take("=>", 1);
      return take("=", 0);
    case '<':
      if (n == '<') return take("<<", 1);
      if (n == '-') return take("<-", 1);
      if (n == '=') return take("<=", 1);
      return take("<", 0);
    case '>':
      if (n == '>') return take(">>", 1);
      if (n == '=') return take(">=", 1);
      return take(">", 0);
    case '-':
      if (n == '-') return take("--", 1);
      if (n == '>') return take("->", 1);
      return take("-", 0);
    case '+':
      if (n == '+') return take("++", 1);
      return take("+", 0);
    case '/':
      if (n == '=') return take("/=", 1);
      return take("/", 0);
    case ':':
      if (n == '=') return take(":=", 1);
      return take(":", 0);
    case '|':
      if (n == '|') return take("||", 1);
      return take("|", 0);
    default:
      return false;
  }
}

// `<0.N.S>` (as pids print): only a local pid, node number 0. Anything else starting with
// '<' is an operator.
bool lexer::pid_literal(token& t) {
  size_t i = p_.offset + 1;
  uint64_t fields[3] = {0, 0, 0};
  for (int f = 0; f < 3; ++f) {
    size_t start = i;
    while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9' && i - start < 10)
      fields[f] = fields[f] * 10 + uint64_t(s_[i++] - '0');
    if (i == start || i >= s_.size() || s_[i] != (f < 2 ? '.' : '>')) return false;
    ++i;
  }
  if (fields[0] != 0 || fields[1] > 0xFFFF'FFFF || fields[2] > 0xFFFF'FFFF) return false;
  while (p_.offset < i) get();
  t.kind = tok::pid;
  t.value = term(pid::from_fields(atom(), uint32_t(fields[1]), uint32_t(fields[2]), 0));
  return true;
}

std::string describe(const token& t) {
  switch (t.kind) {
    case tok::end:
      return "end of input";
    case tok::integer:
      return "integer " + to_string(t.value);
    case tok::float_:
      return "float " + to_string(t.value);
    case tok::char_:
      return "character literal";
    case tok::atom:
      return "atom " + to_string(t.value);
    case tok::string:
      return "a string";
    case tok::var:
      return "variable " + t.text;
    case tok::punct:
      return "'" + t.text + "'";
    case tok::dot:
      return "'.'";
    case tok::fun:
      return "'fun'";
    case tok::reserved:
      return "reserved word '" + t.text + "'";
    case tok::pid:
      return "pid " + to_string(t.value);
  }
  return "?";
}

}  // namespace otp::detail
