// Parsing Erlang term syntax (what file:consult/1 reads) into terms.
//
// The parser keeps open lists, tuples and maps on an explicit stack instead of recursing,
// so input nested a million deep cannot overflow the C stack. Binaries hold no nested
// terms; their segments are parsed in a flat loop.
//
// One loop serves both readers: `plain_build` makes the terms parse_term and consult
// return, `located_build` the located terms of term_parse_located.hpp (values plus where
// each part starts). The plain path keeps no positions (its frames hold none) and parses
// as fast as before the split (15 MB of config-like terms: within noise).

#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "box.hpp"
#include "otp/term_parse.hpp"
#include "term_lex.hpp"
#include "term_parse_located.hpp"
#include "utf8.hpp"

namespace otp {

using detail::lex_error;
using detail::tok;
using detail::token;

namespace {

// Appends bits most significant first.
class bit_writer {
 public:
  void put(uint64_t v, size_t bits) {  // bits <= 64, low `bits` bits of v
    for (size_t i = bits; i-- > 0;) put_bit((v >> i) & 1);
  }
  void put_bit(bool b) {
    if (n_ % 8 == 0) bytes_ += '\0';
    if (b) bytes_.back() = char(uint8_t(bytes_.back()) | (0x80 >> (n_ % 8)));
    ++n_;
  }
  term finish() const { return term::bitstring(bytes_, n_); }

 private:
  std::string bytes_;
  size_t n_ = 0;
};

struct segment_spec {
  enum type_t { integer, float_, binary, utf8, utf16, utf32 } type = integer;
  bool little = false;
  std::optional<uint64_t> size;
  std::optional<uint64_t> unit;
};

class parser {
 public:
  explicit parser(std::string_view text) : lex_(text) { advance(); }

  // One term; the caller checks what follows. `Build` makes the values (see below).
  template <class Build>
  typename Build::node value();
  const token& current() const { return cur_; }
  void advance() { cur_ = lex_.next(); }
  [[noreturn]] void fail(const std::string& msg, const detail::position& p) {
    throw lex_error{msg, p};
  }
  [[noreturn]] void unexpected(const std::string& expected) {
    fail("expected " + expected + ", found " + detail::describe(cur_), cur_.pos);
  }
  bool is(const char* punct) const { return cur_.kind == tok::punct && cur_.text == punct; }
  void expect(const char* punct, const std::string& what) {
    if (!is(punct)) unexpected(what);
    advance();
  }

 private:
  term leaf();
  term binary();
  void segment(bit_writer& w);
  segment_spec spec();
  uint64_t small_uint(const char* what);

  detail::lexer lex_;
  token cur_;
};

enum class container { list, tuple, map };

// Where a container starts, kept only by builders that want it (plain terms do not: the
// frame stays as small as before positions existed).
struct no_position {
  no_position(const detail::position&) {}  // NOLINT: converts from where it is not kept
};

template <class Node, class Where>
struct open_frame {
  container kind;
  std::vector<Node> items;
  bool tail = false;  // list: the value after '|' is being read
  [[no_unique_address]] Where pos;
};

// The container a frame of plain terms closes into.
term close_terms(container kind, std::vector<term>&& items, bool has_tail) {
  switch (kind) {
    case container::list: {
      if (!has_tail) return term::list(std::move(items));
      term tail = std::move(items.back());
      items.pop_back();
      return term::list(std::move(items), std::move(tail));
    }
    case container::tuple:
      return term::tuple(std::move(items));
    case container::map: {
      std::vector<std::pair<term, term>> kvs;
      for (size_t i = 0; i + 1 < items.size(); i += 2)
        kvs.emplace_back(std::move(items[i]), std::move(items[i + 1]));
      return term::map(std::move(kvs));
    }
  }
  return term();
}

term empty_container(container kind) {
  return kind == container::list    ? term()
         : kind == container::tuple ? term::tuple({})
                                    : term::map({});
}

// Builds plain terms: what parse_term and consult return.
struct plain_build {
  using node = term;
  using frame = open_frame<term, no_position>;
  static term leaf(term&& v, const detail::position&) { return std::move(v); }
  static term empty(container kind, const detail::position&) { return empty_container(kind); }
  static term close(frame&& f) { return close_terms(f.kind, std::move(f.items), f.tail); }
};

detail::source_position located_pos(const detail::position& p) {
  return {p.line, p.column, p.offset};
}

// Builds located terms: the same values plus where each part starts.
struct located_build {
  using node = detail::located_term;
  using frame = open_frame<node, detail::position>;
  static node leaf(term&& v, const detail::position& p) { return {std::move(v), located_pos(p)}; }
  static node empty(container kind, const detail::position& p) {
    return {empty_container(kind), located_pos(p)};
  }
  static node close(frame&& f) {
    std::vector<term> values;
    values.reserve(f.items.size());
    for (const node& n : f.items) values.push_back(n.value);
    node out{close_terms(f.kind, std::move(values), f.tail), located_pos(f.pos),
             std::move(f.items)};
    if (f.tail && out.children.back().value.is_nil()) out.children.pop_back();  // [a | []]
    return out;
  }
};

template <class Build>
typename Build::node parser::value() {
  using node = typename Build::node;
  using frame = typename Build::frame;
  std::vector<frame> stack;
  for (;;) {
    node v;
    if (is("[") || is("{") || is("#{")) {
      detail::position at = cur_.pos;
      container kind = is("[") ? container::list : is("{") ? container::tuple : container::map;
      advance();
      if (is(kind == container::list ? "]" : "}")) {
        advance();
        v = Build::empty(kind, at);
      } else {
        stack.push_back({kind, {}, false, at});
        continue;
      }
    } else {
      detail::position at = cur_.pos;
      v = Build::leaf(leaf(), at);
    }
    // Give the value to the innermost open container and read the separator after it.
    for (;;) {
      if (stack.empty()) return v;
      frame& f = stack.back();
      f.items.push_back(std::move(v));
      bool done = false;
      switch (f.kind) {
        case container::list:
          if (f.tail) {
            expect("]", "']' after the tail of a list");
            done = true;
          } else if (is(",")) {
            advance();
          } else if (is("|")) {
            advance();
            f.tail = true;
          } else if (is("]")) {
            advance();
            done = true;
          } else {
            unexpected("',', '|' or ']' after a list element");
          }
          break;
        case container::tuple:
          if (is(",")) {
            advance();
          } else if (is("}")) {
            advance();
            done = true;
          } else {
            unexpected("',' or '}' after a tuple element");
          }
          break;
        case container::map:
          if (f.items.size() % 2 == 1) {
            expect("=>", "'=>' after a map key");
          } else if (is(",")) {
            advance();
          } else if (is("}")) {
            advance();
            done = true;
          } else {
            unexpected("',' or '}' after a map value");
          }
          break;
      }
      if (!done) break;  // read the next element
      v = Build::close(std::move(f));
      stack.pop_back();
    }
  }
}

term parser::leaf() {
  token t = std::move(cur_);
  switch (t.kind) {
    case tok::integer:
    case tok::float_:
    case tok::char_:
    case tok::atom:
      advance();
      return std::move(t.value);
    case tok::string: {
      advance();
      std::vector<int32_t> chars = std::move(t.chars);
      while (cur_.kind == tok::string) {  // "abc" "def" is "abcdef"
        chars.insert(chars.end(), cur_.chars.begin(), cur_.chars.end());
        advance();
      }
      term out;
      for (size_t i = chars.size(); i-- > 0;) out = term::cons(term(chars[i]), std::move(out));
      return out;
    }
    case tok::punct:
      if (t.text == "-" || t.text == "+") {
        advance();
        if (cur_.kind != tok::integer && cur_.kind != tok::float_)
          unexpected("a number after unary '" + t.text + "'");
        term n = std::move(cur_.value);
        advance();
        if (t.text == "+") return n;
        if (n.is_float()) return term(-n.as_float());
        std::string digits = "-";  // appended, not "-" + string: g++ 12 warns falsely
        digits += to_string(n);
        return term::integer_from_string(digits, 10);
      }
      if (t.text == "<<") {
        cur_ = std::move(t);
        return binary();
      }
      break;
    case tok::fun: {
      advance();
      if (cur_.kind != tok::atom) unexpected("a module name after 'fun'");
      atom m = cur_.value.as_atom();
      advance();
      expect(":", "':' after the module name");
      if (cur_.kind != tok::atom) unexpected("a function name");
      atom f = cur_.value.as_atom();
      advance();
      expect("/", "'/' after the function name");
      if (cur_.kind != tok::integer || !cur_.value.is_small() || cur_.value.as_int() < 0 ||
          cur_.value.as_int() > 255)
        unexpected("an arity 0..255");
      unsigned arity = unsigned(cur_.value.as_int());
      advance();
      return term::export_fun(m, f, arity);
    }
    case tok::var:
      fail("variables are not allowed in a term: " + t.text, t.pos);
    default:
      break;
  }
  cur_ = std::move(t);
  unexpected("a term");
}

uint64_t parser::small_uint(const char* what) {
  if (cur_.kind != tok::integer || !cur_.value.is_small() || cur_.value.as_int() < 0 ||
      cur_.value.as_int() > (1 << 24))
    unexpected(std::string("a ") + what);
  auto v = uint64_t(cur_.value.as_int());
  advance();
  return v;
}

segment_spec parser::spec() {
  segment_spec s;
  if (is(":")) {
    advance();
    s.size = small_uint("segment size");
  }
  if (!is("/")) return s;
  advance();
  for (;;) {
    if (cur_.kind != tok::atom) unexpected("a type specifier");
    std::string name(cur_.value.as_atom().name());
    detail::position at = cur_.pos;
    advance();
    if (name == "integer")
      s.type = segment_spec::integer;
    else if (name == "float")
      s.type = segment_spec::float_;
    else if (name == "binary" || name == "bytes" || name == "bitstring" || name == "bits")
      s.type = segment_spec::binary;
    else if (name == "utf8")
      s.type = segment_spec::utf8;
    else if (name == "utf16")
      s.type = segment_spec::utf16;
    else if (name == "utf32")
      s.type = segment_spec::utf32;
    else if (name == "little")
      s.little = true;
    else if (name == "big")
      s.little = false;
    else if (name == "signed" || name == "unsigned") {
    }  // construction ignores signedness
    else if (name == "native")
      s.little = true;  // every supported target is little-endian
    else if (name == "unit") {
      expect(":", "':' after unit");
      s.unit = small_uint("unit 1..256");
      if (*s.unit < 1 || *s.unit > 256) fail("unit must be 1..256", at);
    } else {
      fail("unknown binary type specifier " + name, at);
    }
    if (!is("-")) return s;
    advance();
  }
}

void parser::segment(bit_writer& w) {
  detail::position at = cur_.pos;
  // The value: a number (maybe negative), a character or a string.
  std::vector<term> values;
  bool negative = false;
  if (is("-")) {
    negative = true;
    advance();
  }
  if (cur_.kind == tok::string && !negative) {
    for (int32_t c : cur_.chars) values.emplace_back(c);
    advance();
    while (cur_.kind == tok::string) {
      for (int32_t c : cur_.chars) values.emplace_back(c);
      advance();
    }
  } else if (cur_.kind == tok::integer || cur_.kind == tok::float_ || cur_.kind == tok::char_) {
    term v = std::move(cur_.value);
    advance();
    if (negative)
      v = v.is_float() ? term(-v.as_float()) : term::integer_from_string("-" + to_string(v));
    values.push_back(std::move(v));
  } else {
    unexpected("a number, character or string in a binary");
  }
  segment_spec s = spec();
  for (const term& v : values) {
    switch (s.type) {
      case segment_spec::binary:
        fail("a /binary segment needs a binary value, which a term cannot name here", at);
      case segment_spec::float_: {
        uint64_t bits = s.size.value_or(64) * s.unit.value_or(1);
        if (bits != 64 && bits != 32 && bits != 16)
          fail("float segments are 16, 32 or 64 bits", at);
        double d = v.as_number();
        uint64_t raw = 0;
        if (bits == 64) {
          std::memcpy(&raw, &d, 8);
        } else if (bits == 32) {
          auto f = float(d);
          uint32_t r32;
          std::memcpy(&r32, &f, 4);
          raw = r32;
        } else {
          fail("16-bit float segments are not supported", at);
        }
        if (s.little) {
          for (uint64_t i = 0; i < bits / 8; ++i) w.put(raw >> (8 * i), 8);
        } else {
          w.put(raw, bits);
        }
        break;
      }
      case segment_spec::utf8:
      case segment_spec::utf16:
      case segment_spec::utf32: {
        if (s.size) fail("utf segments take no size", at);
        if (!v.is_small()) fail("utf segments need an integer code point", at);
        int64_t cp = v.as_int();
        std::string enc;
        if (!detail::utf8_encode(cp, enc)) fail("not a Unicode code point: " + to_string(v), at);
        auto unit16 = [&](uint64_t u) {
          if (s.little) {
            w.put(u & 0xFF, 8);
            w.put(u >> 8, 8);
          } else {
            w.put(u, 16);
          }
        };
        if (s.type == segment_spec::utf8) {
          for (char c : enc) w.put(uint8_t(c), 8);
        } else if (s.type == segment_spec::utf16) {
          if (cp >= 0x10000) {
            unit16(0xD800 + ((uint64_t(cp) - 0x10000) >> 10));
            unit16(0xDC00 + ((uint64_t(cp) - 0x10000) & 0x3FF));
          } else {
            unit16(uint64_t(cp));
          }
        } else if (s.little) {
          for (int i = 0; i < 4; ++i) w.put(uint64_t(cp) >> (8 * i), 8);
        } else {
          w.put(uint64_t(cp), 32);
        }
        break;
      }
      case segment_spec::integer: {
        if (v.is_float()) fail("a float in an integer segment (add /float)", at);
        uint64_t bits = s.size.value_or(8) * s.unit.value_or(1);
        if (bits > 64 && !v.is_small())
          fail("integer segments over 64 bits need a small value", at);
        if (bits > (1u << 20)) fail("segment too large", at);
        int64_t x = v.is_small() ? v.as_int() : 0;
        if (!v.is_small()) {
          // Two's complement truncation of a bignum to <= 64 bits: its low limb.
          const detail::box* b = v.boxed();
          uint64_t low = detail::bignum_limbs(b)[0];
          x = int64_t((b->flags & 1) ? uint64_t(0) - low : low);
        }
        if (s.little) {
          if (bits % 8) fail("little-endian integer segments must be whole bytes", at);
          for (uint64_t i = 0; i < bits / 8; ++i)
            w.put(i < 8 ? uint64_t(x) >> (8 * i) : (x < 0 ? 0xFF : 0), 8);
        } else {
          for (uint64_t i = bits; i-- > 0;) w.put_bit(i < 64 ? (uint64_t(x) >> i) & 1 : x < 0);
        }
        break;
      }
    }
  }
}

term parser::binary() {
  advance();  // <<
  bit_writer w;
  if (is(">>")) {
    advance();
    return w.finish();
  }
  for (;;) {
    segment(w);
    if (is(">>")) {
      advance();
      return w.finish();
    }
    expect(",", "',' or '>>' after a binary segment");
  }
}

parse_error_info to_info(const lex_error& e) {
  return {std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column) + ": " + e.message,
          e.pos.line, e.pos.column, e.pos.offset};
}

// Runs `body`, turning every failure into parse_error_info.
template <class F>
std::optional<parse_error_info> guarded(F&& body) noexcept {
  try {
    body();
    return std::nullopt;
  } catch (const lex_error& e) {
    return to_info(e);
  } catch (const std::bad_alloc&) {
    return parse_error_info{"out of memory", 0, 0, 0};
  } catch (const std::exception& e) {
    return parse_error_info{e.what(), 0, 0, 0};
  }
}

// One term, optionally followed by '.', then the end of the input.
template <class Build>
typename Build::node one_term(parser& p) {
  auto v = p.value<Build>();
  if (p.current().kind == tok::dot) p.advance();
  if (p.current().kind != tok::end) p.unexpected("the end of input after the term");
  return v;
}

// Terms each ending with '.'; on error `out` keeps the complete ones before it.
template <class Build>
void all_terms(parser& p, std::vector<typename Build::node>& out) {
  while (p.current().kind != tok::end) {
    auto t = p.value<Build>();
    if (p.current().kind != tok::dot) p.unexpected("'.' after the term");
    p.advance();
    out.push_back(std::move(t));
  }
}

}  // namespace

term_parse_result try_parse_term(std::string_view text) noexcept {
  term_parse_result r;
  r.error = guarded([&] {
    parser p(text);
    r.value = one_term<plain_build>(p);
  });
  if (r.error) r.value = term();
  return r;
}

term parse_term(std::string_view text) {
  term_parse_result r = try_parse_term(text);
  if (r.error) throw term_parse_error(std::move(*r.error));
  return std::move(r.value);
}

consult_result try_consult(std::string_view text) noexcept {
  consult_result r;
  r.error = guarded([&] {
    parser p(text);
    all_terms<plain_build>(p, r.terms);
  });
  return r;
}

std::vector<term> consult(std::string_view text) {
  consult_result r = try_consult(text);
  if (r.error) throw term_parse_error(std::move(*r.error));
  return std::move(r.terms);
}

std::vector<term> consult_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  consult_result r = try_consult(ss.str());
  if (r.error) {
    r.error->message = path + ":" + r.error->message;
    throw term_parse_error(std::move(*r.error));
  }
  return std::move(r.terms);
}

namespace detail {

located_term::~located_term() {
  if (children.empty()) return;
  // Unnest onto a heap stack so that a deep tree does not recurse on the C stack.
  std::vector<located_term> pending = std::move(children);
  while (!pending.empty()) {
    located_term last = std::move(pending.back());
    pending.pop_back();
    for (located_term& c : last.children) pending.push_back(std::move(c));
    last.children.clear();
  }
}

located_term parse_term_located(std::string_view text) {
  located_term out;
  auto error = guarded([&] {
    parser p(text);
    out = one_term<located_build>(p);
  });
  if (error) throw term_parse_error(std::move(*error));
  return out;
}

std::vector<located_term> consult_located(std::string_view text) {
  std::vector<located_term> out;
  auto error = guarded([&] {
    parser p(text);
    all_terms<located_build>(p, out);
  });
  if (error) throw term_parse_error(std::move(*error));
  return out;
}

}  // namespace detail

}  // namespace otp
