// The shell's expression parser: recursive descent over erl_parse.yrl's precedence levels
// (expr_100 ... expr_max). Errors read as erl's: `syntax error before: ')'`.

#include "shell/parser.hpp"

#include <algorithm>

#include "otp/term_parse.hpp"
#include "shell/arith.hpp"
#include "term/utf8.hpp"

namespace otp::shell::detail {

using otp::detail::tok;
using otp::detail::token;

namespace {

// Nested brackets, parentheses and right-associative chains, each a handful of C++ frames:
// the limit keeps parsing a deep input well inside a process's stack.
constexpr int max_nesting = 100;

bool is_comparison(std::string_view op) {
  return op == "==" || op == "/=" || op == "=<" || op == "<" || op == ">=" || op == ">" ||
         op == "=:=" || op == "=/=";
}

// A token as erl names it in "syntax error before: ...".
std::string token_text(const token& t) {
  switch (t.kind) {
    case tok::end:
      return "";
    case tok::integer:
    case tok::float_:
    case tok::atom:
    case tok::pid:
      return to_string(t.value);
    case tok::char_: {
      std::string s = "$";
      otp::detail::utf8_encode(int32_t(t.value.as_int()), s);
      return s;
    }
    case tok::string: {
      std::string s = "\"";
      for (int32_t c : t.chars) {
        if (c == '"' || c == '\\') s += '\\';
        otp::detail::utf8_encode(c, s);
      }
      return s + "\"";
    }
    case tok::var:
      return t.text;
    case tok::punct:
    case tok::reserved:
      return "'" + t.text + "'";
    case tok::dot:
      return "'.'";
    case tok::fun:
      return "'fun'";
  }
  return "";
}

class parser {
 public:
  parser(std::vector<token> toks, std::string_view text)
      : toks_(std::move(toks)), text_(text), base_(toks_.front().pos) {}

  statement parse() {
    statement s = exprs();
    if (cur().kind != tok::dot) fail_before();
    return s;
  }

 private:
  // Counts nesting for the depth limit while a nested construct is parsed.
  struct nest {
    parser& p;
    explicit nest(parser& owner) : p(owner) {
      if (++p.depth_ > max_nesting)
        throw compile_error{p.where(p.cur()), "expression nested too deeply"};
    }
    ~nest() { --p.depth_; }
    nest(const nest&) = delete;
    nest& operator=(const nest&) = delete;
  };

  const token& cur() const { return toks_[i_]; }
  void advance() {
    if (i_ + 1 < toks_.size()) ++i_;  // the final dot stays current
  }
  bool is_punct(std::string_view p) const { return cur().kind == tok::punct && cur().text == p; }
  bool is_word(std::string_view w) const { return cur().kind == tok::reserved && cur().text == w; }
  pos where(const token& t) const {
    auto line = uint32_t(t.pos.line - base_.line + 1);
    auto column =
        uint32_t(t.pos.line == base_.line ? t.pos.column - base_.column + 1 : t.pos.column);
    return {line, column};
  }
  [[noreturn]] void fail_before() const {
    throw compile_error{where(cur()), "syntax error before: " + token_text(cur())};
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw compile_error{where(cur()), what + " not supported in this shell"};
  }
  void expect(std::string_view p) {
    if (!is_punct(p)) fail_before();
    advance();
  }

  node_ptr make(node_kind k, pos at, std::vector<node_ptr> kids = {}) {
    auto n = std::make_unique<node>();
    n->kind = k;
    n->at = at;
    uint32_t h = 0;
    for (const node_ptr& c : kids) h = std::max(h, c->height);
    n->height = h + 1;
    if (n->height > max_height) throw compile_error{at, "expression nested too deeply"};
    n->kids = std::move(kids);
    return n;
  }
  node_ptr make2(node_kind k, pos at, node_ptr a, node_ptr b, std::string text = {}) {
    std::vector<node_ptr> kids;
    kids.push_back(std::move(a));
    kids.push_back(std::move(b));
    node_ptr n = make(k, at, std::move(kids));
    n->text = std::move(text);
    return n;
  }
  node_ptr literal(pos at, term v) {
    node_ptr n = make(node_kind::literal, at);
    n->value = std::move(v);
    return n;
  }

  statement exprs() {
    statement s;
    s.push_back(expr());
    while (is_punct(",")) {
      advance();
      s.push_back(expr());
    }
    return s;
  }

  // expr -> 'catch' expr | expr_100
  node_ptr expr() {
    nest g(*this);
    if (is_word("catch")) {
      pos at = where(cur());
      advance();
      std::vector<node_ptr> kids;
      kids.push_back(expr());
      return make(node_kind::catch_, at, std::move(kids));
    }
    return expr100();
  }

  // '=' and '!' are right-associative; their right side may be a catch (OTP 25 allows it).
  node_ptr expr100() {
    node_ptr l = expr150();
    if (!is_punct("=") && !is_punct("!")) return l;
    node_kind k = is_punct("=") ? node_kind::match : node_kind::send;
    pos at = where(cur());
    advance();
    nest g(*this);
    node_ptr r = is_word("catch") ? expr() : expr100();
    if (k == node_kind::match) at = l->at;  // erl reports a bad pattern where it starts
    return make2(k, at, std::move(l), std::move(r));
  }

  node_ptr expr150() {
    node_ptr l = expr160();
    if (!is_word("orelse")) return l;
    pos at = where(cur());
    advance();
    nest g(*this);
    return make2(node_kind::orelse, at, std::move(l), expr150());
  }

  node_ptr expr160() {
    node_ptr l = expr200();
    if (!is_word("andalso")) return l;
    pos at = where(cur());
    advance();
    nest g(*this);
    return make2(node_kind::andalso, at, std::move(l), expr160());
  }

  // Comparisons do not associate: `a < b < c` is a syntax error, as in erl.
  node_ptr expr200() {
    node_ptr l = expr300();
    if (cur().kind != tok::punct || !is_comparison(cur().text)) return l;
    std::string op = cur().text;
    pos at = where(cur());
    advance();
    return make2(node_kind::binop, at, std::move(l), expr300(), op);
  }

  node_ptr expr300() {
    node_ptr l = expr400();
    if (!is_punct("++") && !is_punct("--")) return l;
    std::string op = cur().text;
    pos at = where(cur());
    advance();
    nest g(*this);
    return make2(node_kind::binop, at, std::move(l), expr300(), op);
  }

  bool is_add_op() const {
    return is_punct("+") || is_punct("-") || is_word("bor") || is_word("bxor") || is_word("bsl") ||
           is_word("bsr") || is_word("or") || is_word("xor");
  }
  bool is_mult_op() const {
    return is_punct("/") || is_punct("*") || is_word("div") || is_word("rem") || is_word("band") ||
           is_word("and");
  }

  node_ptr expr400() {
    node_ptr l = expr500();
    while (is_add_op()) {
      std::string op = cur().text;
      pos at = where(cur());
      advance();
      l = make2(node_kind::binop, at, std::move(l), expr500(), op);
    }
    return l;
  }

  node_ptr expr500() {
    node_ptr l = expr600();
    while (is_mult_op()) {
      std::string op = cur().text;
      pos at = where(cur());
      advance();
      l = make2(node_kind::binop, at, std::move(l), expr600(), op);
    }
    return l;
  }

  // Prefix operators. A sign on a number literal is folded into it, so `-1` is a literal
  // (and a valid pattern), as in Erlang.
  node_ptr expr600() {
    if (!is_punct("+") && !is_punct("-") && !is_word("bnot") && !is_word("not")) return expr700();
    std::string op = cur().text;
    pos at = where(cur());
    advance();
    nest g(*this);
    node_ptr operand = expr600();
    if (operand->kind == node_kind::literal && operand->value.is_number() &&
        (op == "-" || op == "+")) {
      if (op == "-") operand->value = negate_number(operand->value);
      operand->at = at;
      return operand;
    }
    std::vector<node_ptr> kids;
    kids.push_back(std::move(operand));
    node_ptr n = make(node_kind::unop, at, std::move(kids));
    n->text = op;
    return n;
  }

  // Calls and map updates bind tighter than any operator: f(X)(Y), M#{k => v}#{...}.
  node_ptr expr700() {
    node_ptr e = expr800();
    for (;;) {
      if (is_punct("(")) {
        pos at = e->at;
        std::vector<node_ptr> kids;
        kids.push_back(std::move(e));
        arguments(kids);
        e = make(node_kind::call, at, std::move(kids));
      } else if (is_punct("#{")) {
        pos at = where(cur());
        advance();
        std::vector<node_ptr> kids;
        kids.push_back(std::move(e));
        std::vector<bool> exact;
        map_fields(kids, exact);
        e = make(node_kind::map_update, at, std::move(kids));
        e->exact = std::move(exact);
      } else {
        return e;
      }
    }
  }

  node_ptr expr800() {
    node_ptr m = expr_max();
    if (!is_punct(":")) return m;
    advance();
    node_ptr f = expr_max();
    if (!is_punct("(")) fail_before();
    pos at = m->at;
    std::vector<node_ptr> kids;
    kids.push_back(std::move(m));
    kids.push_back(std::move(f));
    arguments(kids);
    return make(node_kind::remote, at, std::move(kids));
  }

  void arguments(std::vector<node_ptr>& kids) {
    expect("(");
    if (is_punct(")")) {
      advance();
      return;
    }
    kids.push_back(expr());
    while (is_punct(",")) {
      advance();
      kids.push_back(expr());
    }
    expect(")");
  }

  // After '#{': fields up to '}'.
  void map_fields(std::vector<node_ptr>& kids, std::vector<bool>& exact) {
    if (is_punct("}")) {
      advance();
      return;
    }
    for (;;) {
      kids.push_back(expr());
      if (!is_punct("=>") && !is_punct(":=")) fail_before();
      exact.push_back(is_punct(":="));
      advance();
      kids.push_back(expr());
      if (is_punct("}")) break;
      expect(",");
    }
    advance();
  }

  node_ptr expr_max();
  node_ptr string_literal();
  node_ptr tuple_or_list(bool list);
  node_ptr binary();
  node_ptr fun_reference();
  node_ptr reserved_form();

  std::vector<token> toks_;
  size_t i_ = 0;
  std::string_view text_;
  otp::detail::position base_;
  int depth_ = 0;
};

node_ptr parser::expr_max() {
  const token& t = cur();
  pos at = where(t);
  switch (t.kind) {
    case tok::var: {
      node_ptr n = make(t.text == "_" ? node_kind::wildcard : node_kind::var, at);
      n->text = t.text;
      advance();
      return n;
    }
    case tok::integer:
    case tok::float_:
    case tok::char_:
    case tok::atom:
    case tok::pid: {
      node_ptr n = literal(at, t.value);
      advance();
      return n;
    }
    case tok::string:
      return string_literal();
    case tok::fun:
      return fun_reference();
    case tok::reserved:
      return reserved_form();
    case tok::punct:
      if (t.text == "(") {
        advance();
        node_ptr e = expr();
        expect(")");
        return e;
      }
      if (t.text == "{") return tuple_or_list(false);
      if (t.text == "[") return tuple_or_list(true);
      if (t.text == "<<") return binary();
      if (t.text == "#{") {
        advance();
        node_ptr n = make(node_kind::map, at);
        map_fields(n->kids, n->exact);
        for (const node_ptr& k : n->kids) n->height = std::max(n->height, k->height + 1);
        if (n->height > max_height) throw compile_error{at, "expression nested too deeply"};
        return n;
      }
      break;
    default:
      break;
  }
  fail_before();
}

// Adjacent strings concatenate: "ab" "c" is "abc".
node_ptr parser::string_literal() {
  pos at = where(cur());
  std::vector<int32_t> chars;
  while (cur().kind == tok::string) {
    chars.insert(chars.end(), cur().chars.begin(), cur().chars.end());
    advance();
  }
  term s;
  for (size_t i = chars.size(); i-- > 0;) s = term::cons(term(chars[i]), std::move(s));
  return literal(at, std::move(s));
}

node_ptr parser::tuple_or_list(bool list) {
  pos at = where(cur());
  const char* close = list ? "]" : "}";
  advance();
  if (is_punct(close)) {
    advance();
    return list ? literal(at, term()) : literal(at, term::tuple({}));
  }
  std::vector<node_ptr> kids;
  kids.push_back(expr());
  bool tail = false;
  for (;;) {
    if (is_punct(",")) {
      advance();
      kids.push_back(expr());
    } else if (list && is_punct("|")) {
      advance();
      kids.push_back(expr());
      tail = true;
      break;
    } else if (list && is_punct("||")) {
      unsupported("list comprehensions are");
    } else {
      break;
    }
  }
  expect(close);
  node_ptr n = make(list ? node_kind::list : node_kind::tuple, at, std::move(kids));
  n->has_tail = tail;
  return n;
}

// A binary is read by the term parser, from the text between '<<' and its '>>': constant
// segments only (no variables), which is what an operator types.
node_ptr parser::binary() {
  size_t open = i_;
  int depth = 0;
  size_t j = i_;
  for (; toks_[j].kind != tok::dot; ++j) {
    const token& t = toks_[j];
    if (t.kind == tok::var) {
      i_ = j;
      unsupported("binaries with variables are");
    }
    if (t.kind == tok::punct && t.text == "<<") ++depth;
    if (t.kind == tok::punct && t.text == ">>" && --depth == 0) break;
  }
  if (toks_[j].kind == tok::dot) {
    i_ = j;
    fail_before();
  }
  size_t from = toks_[open].pos.offset, to = toks_[j].pos.offset + 2;
  term_parse_result r = try_parse_term(text_.substr(from, to - from));
  if (!r) {
    std::string msg = r.error->message;
    size_t colon = msg.find(": ");
    throw compile_error{where(toks_[open]),
                        colon == std::string::npos ? msg : msg.substr(colon + 2)};
  }
  pos at = where(toks_[open]);
  i_ = j;
  advance();
  return literal(at, std::move(r.value));
}

// `fun M:F/A` is a value; funs with clauses cannot run in this shell.
node_ptr parser::fun_reference() {
  pos at = where(cur());
  advance();
  if (cur().kind != tok::atom) {
    --i_;
    unsupported("funs are");
  }
  atom m = cur().value.as_atom();
  advance();
  expect(":");
  if (cur().kind != tok::atom) fail_before();
  atom f = cur().value.as_atom();
  advance();
  expect("/");
  if (cur().kind != tok::integer || !cur().value.is_small() || cur().value.as_int() < 0 ||
      cur().value.as_int() > 255)
    fail_before();
  auto arity = unsigned(cur().value.as_int());
  advance();
  return literal(at, term::export_fun(m, f, arity));
}

node_ptr parser::reserved_form() {
  const std::string& w = cur().text;
  if (w == "begin") {
    pos at = where(cur());
    advance();
    statement body = exprs();
    if (!is_word("end")) fail_before();
    advance();
    return make(node_kind::block, at, std::move(body));
  }
  if (w == "case" || w == "if" || w == "receive" || w == "try")
    unsupported("'" + w + "' expressions are");
  fail_before();
}

}  // namespace

statement parse_statement(std::vector<token> tokens, std::string_view text) {
  return parser(std::move(tokens), text).parse();
}

}  // namespace otp::shell::detail
