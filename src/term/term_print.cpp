// Printing terms as io_lib:format("~p") does, on a single line.

#include <charconv>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "box.hpp"
#include "otp/term.hpp"
#include "utf8.hpp"

namespace otp {
namespace detail {
std::string bignum_to_decimal(const box* b);
}

namespace {

bool printable_char(int64_t c) {
  return (c >= 32 && c <= 126) || (c >= 160 && c <= 255) || (c >= 8 && c <= 13) || c == 27;
}

// A non-empty proper list of printable Latin-1 characters prints as "...".
bool is_printable_string(const term& t) {
  if (!t.is_cons()) return false;
  const term* p = &t;
  for (; p->is_cons(); p = &p->tail()) {
    const term& h = p->head();
    if (!h.is_small() || !printable_char(h.as_int())) return false;
  }
  return p->is_nil();
}

void escape_char(int64_t c, char quote, std::string& out) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case '\r': out += "\\r"; return;
    case '\v': out += "\\v"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case 27: out += "\\e"; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  if (c == quote) {
    out += '\\';
    out += char(c);
  } else {
    detail::utf8_encode(c, out);
  }
}

void print_float(double d, std::string& out) {
  // Shortest representation that reads back to the same double, written the Erlang way:
  // always with a ".0" fraction, exponents as "e+NN" become "eNN".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, res.ptr);
  auto e = s.find('e');
  std::string mant = e == std::string::npos ? s : s.substr(0, e);
  std::string exp = e == std::string::npos ? "" : s.substr(e + 1);
  if (mant.find('.') == std::string::npos) mant += ".0";
  if (!exp.empty()) {
    if (exp[0] == '+') exp.erase(0, 1);
    size_t z = (exp[0] == '-') ? 1 : 0;
    while (exp.size() > z + 1 && exp[z] == '0') exp.erase(z, 1);
    out += mant + "e" + exp;
  } else {
    out += mant;
  }
}

void print_binary(const term& t, std::string& out) {
  auto [bytes, bits] = t.as_bitstring();
  size_t whole = bits / 8;
  bool printable = whole > 0 && bits % 8 == 0;
  for (size_t i = 0; printable && i < whole; ++i)
    printable = printable_char(static_cast<unsigned char>(bytes[i]));
  out += "<<";
  if (printable) {
    out += '"';
    for (size_t i = 0; i < whole; ++i) escape_char(static_cast<unsigned char>(bytes[i]), '"', out);
    out += '"';
  } else {
    for (size_t i = 0; i < whole; ++i) {
      if (i) out += ',';
      out += std::to_string(static_cast<unsigned char>(bytes[i]));
    }
    if (bits % 8) {
      if (whole) out += ',';
      unsigned rest = unsigned(bits % 8);
      unsigned v = static_cast<unsigned char>(bytes[whole]) >> (8 - rest);
      out += std::to_string(v) + ":" + std::to_string(rest);
    }
  }
  out += ">>";
}

// Printing is iterative: `work` holds either a term to print or a literal to emit.
struct item {
  const term* t;
  const char* lit;
};

void print(const term& root, std::string& out) {
  std::vector<item> work{{&root, nullptr}};
  while (!work.empty()) {
    item it = work.back();
    work.pop_back();
    if (it.lit) {
      out += it.lit;
      continue;
    }
    const term& t = *it.t;
    switch (t.type()) {
      case term_type::integer:
        out += t.is_small() ? std::to_string(t.as_int()) : detail::bignum_to_decimal(t.boxed());
        break;
      case term_type::float_: print_float(t.as_float(), out); break;
      case term_type::atom: out += to_string(t.as_atom()); break;
      case term_type::nil: out += "[]"; break;
      case term_type::pid: out += to_string(t.as_pid()); break;
      case term_type::reference: out += to_string(t.as_reference()); break;
      case term_type::port: out += to_string(t.as_port()); break;
      case term_type::bitstring: print_binary(t, out); break;
      case term_type::fun: out += "#Fun<>"; break;
      case term_type::tuple: {
        out += '{';
        work.push_back({nullptr, "}"});
        for (size_t i = t.tuple_size(); i-- > 0;) {
          work.push_back({&t.element(i), nullptr});
          if (i) work.push_back({nullptr, ","});
        }
        break;
      }
      case term_type::map: {
        out += "#{";
        work.push_back({nullptr, "}"});
        auto entries = t.map_entries();
        for (size_t i = entries.size(); i-- > 0;) {
          work.push_back({&entries[i].second, nullptr});
          work.push_back({nullptr, " => "});
          work.push_back({&entries[i].first, nullptr});
          if (i) work.push_back({nullptr, ","});
        }
        break;
      }
      case term_type::list: {
        if (is_printable_string(t)) {
          out += '"';
          for (const term* p = &t; p->is_cons(); p = &p->tail()) escape_char(p->head().as_int(), '"', out);
          out += '"';
          break;
        }
        out += '[';
        std::vector<item> elems;
        const term* p = &t;
        for (bool first = true; p->is_cons(); p = &p->tail(), first = false) {
          if (!first) elems.push_back({nullptr, ","});
          elems.push_back({&p->head(), nullptr});
        }
        if (!p->is_nil()) {
          elems.push_back({nullptr, "|"});
          elems.push_back({p, nullptr});
        }
        work.push_back({nullptr, "]"});
        for (size_t i = elems.size(); i-- > 0;) work.push_back(elems[i]);
        break;
      }
    }
  }
}

}  // namespace

std::string to_string(const term& t) {
  std::string out;
  print(t, out);
  return out;
}

std::ostream& operator<<(std::ostream& os, const term& t) { return os << to_string(t); }

}  // namespace otp
