// Printing terms as io_lib:format("~p") does, on a single line (Latin-1 printable range, the
// default of `erl`): strings and binaries print as text only when every character is
// printable Latin-1, atoms are quoted when io_lib would quote them, floats in the shortest
// form that reads back exactly.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "box.hpp"
#include "otp/term.hpp"
#include "utf8.hpp"

namespace otp {
namespace detail {
std::string bignum_to_decimal(const box* b);

// The shortest digits that read back as `d`, laid out as Erlang's float_to_list(D, [short])
// does (what ~p prints since OTP 25): of the plain form (123.5, 0.001) and the scientific one
// (1.0e10, 1.2345e-4), the shorter; the plain one on a tie. Both always show a fraction.
// From 2^53 up, where not every integer is a double, it is always scientific.
std::string format_float(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view s(buf, size_t(res.ptr - buf));
  std::string sign;
  if (s.front() == '-') {
    sign = "-";
    s.remove_prefix(1);
  }
  size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  int exp = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+'), s.data() + s.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  // digits = d1 d2 ... dn, value = d1.d2...dn * 10^exp
  int n = int(digits.size());
  std::string sci =
      digits.substr(0, 1) + "." + (n > 1 ? digits.substr(1) : "0") + "e" + std::to_string(exp);
  std::string plain;
  if (exp >= 0) {
    if (n - 1 <= exp) {
      plain = digits + std::string(size_t(exp - (n - 1)), '0') + ".0";
    } else {
      plain = digits.substr(0, size_t(exp + 1)) + "." + digits.substr(size_t(exp + 1));
    }
  } else {
    plain = "0." + std::string(size_t(-exp - 1), '0') + digits;
  }
  bool exact_range = std::fabs(d) < 9007199254740992.0;
  return sign + (!exact_range || sci.size() < plain.size() ? sci : plain);
}
}  // namespace detail

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

void print_binary(const term& t, std::string& out) {
  auto [bytes, bits] = t.as_bitstring();
  size_t whole = bits / 8;
  bool printable = whole > 0 && bits % 8 == 0;
  for (size_t i = 0; printable && i < whole; ++i)
    printable = printable_char(static_cast<unsigned char>(bytes[i]));
  out += "<<";
  if (printable) {
    out += '"';
    for (size_t i = 0; i < whole; ++i)
      detail::write_escaped_char(static_cast<unsigned char>(bytes[i]), '"', out);
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

void print_fun(const term& t, std::string& out) {
  if (t.is_export_fun()) {
    export_fun_info f = t.as_export_fun();
    out +=
        "fun " + to_string(f.module) + ":" + to_string(f.function) + "/" + std::to_string(f.arity);
    return;
  }
  // As erl: #Fun<Module.OldIndex.OldUniq>.
  local_fun_info f = t.as_local_fun();
  out += "#Fun<" + to_string(f.module) + "." + std::to_string(f.old_index) + "." +
         std::to_string(f.old_uniq) + ">";
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
      case term_type::float_:
        out += detail::format_float(t.as_float());
        break;
      case term_type::atom:
        out += to_string(t.as_atom());
        break;
      case term_type::nil:
        out += "[]";
        break;
      case term_type::pid:
        out += to_string(t.as_pid());
        break;
      case term_type::reference:
        out += to_string(t.as_reference());
        break;
      case term_type::port:
        out += to_string(t.as_port());
        break;
      case term_type::bitstring:
        print_binary(t, out);
        break;
      case term_type::fun:
        print_fun(t, out);
        break;
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
          for (const term* p = &t; p->is_cons(); p = &p->tail())
            detail::write_escaped_char(p->head().as_int(), '"', out);
          out += '"';
          break;
        }
        out += '[';
        size_t mark = work.size();
        work.push_back({nullptr, "]"});
        const term* p = &t;
        for (bool first = true; p->is_cons(); p = &p->tail(), first = false) {
          if (!first) work.push_back({nullptr, ","});
          work.push_back({&p->head(), nullptr});
        }
        if (!p->is_nil()) {
          work.push_back({nullptr, "|"});
          work.push_back({p, nullptr});
        }
        // Pushed front to back; the stack pops back to front, so reverse this run.
        std::reverse(work.begin() + std::ptrdiff_t(mark) + 1, work.end());
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

std::ostream& operator<<(std::ostream& os, const term& t) {
  return os << to_string(t);
}

}  // namespace otp
