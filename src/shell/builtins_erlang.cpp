// erlang's built-ins that compute on values: type tests, lists and tuples, conversions,
// term_to_binary, time, node(), and raising exceptions (throw/1, error/1, exit/1).

#include <chrono>
#include <cmath>

#include "otp/dist.hpp"
#include "otp/etf.hpp"
#include "otp/process.hpp"
#include "shell/bigint.hpp"
#include "shell/builtins.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

using args_t = const std::vector<term>&;

term proper_list_length(args_t a, output&) {
  return term(uint64_t(a[0].list_length()));
}

// element(N, Tuple), 1-based.
size_t index_arg(const term& n, size_t size) {
  std::optional<int64_t> i = n.try_int64();
  if (!i || *i < 1 || uint64_t(*i) > size) throw bad_term_access("badarg: index out of range");
  return size_t(*i - 1);
}

term element(args_t a, output&) {
  return a[1].element(index_arg(a[0], a[1].tuple_size()));
}

term setelement(args_t a, output&) {
  std::vector<term> elems(a[1].elements().begin(), a[1].elements().end());
  elems[index_arg(a[0], elems.size())] = a[2];
  return term::tuple(std::move(elems));
}

term hd(args_t a, output&) {
  return a[0].head();
}

term tl(args_t a, output&) {
  return a[0].tail();
}

// ---- conversions ----------------------------------------------------------------------

std::string text_of(const term& t) {
  if (!t.is_list()) throw bad_term_access("badarg: not a string");
  return t.as_string();
}

term integer_to_text(const term& n, const term& base_arg) {
  std::optional<int64_t> base = base_arg.try_int64();
  if (!n.is_integer() || !base || *base < 2 || *base > 36) throw bad_term_access("badarg");
  if (*base == 10) return term::string(to_string(n));
  bigint v = bigint::of(n), q, r, b(*base);
  bool neg = v.negative();
  if (neg) v = -v;
  std::string digits;
  do {
    bigint::divmod(v, b, q, r);
    int64_t d = r.to_term().as_int();
    digits += char(d < 10 ? '0' + d : 'A' + d - 10);
    v = q;
  } while (!v.is_zero());
  if (neg) digits += '-';
  return term::string(std::string(digits.rbegin(), digits.rend()));
}

term text_to_integer(const std::string& s, const term& base_arg) {
  std::optional<int64_t> base = base_arg.try_int64();
  if (!base || *base < 2 || *base > 36 || s.empty() || s.find('_') != std::string::npos)
    throw bad_term_access("badarg");
  try {
    return term::integer_from_string(s, unsigned(*base));
  } catch (const std::exception&) {
    throw bad_term_access("badarg: not an integer");
  }
}

term list_to_float(args_t a, output&) {
  std::string s = text_of(a[0]);
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(s, &used);
  } catch (const std::exception&) {
    throw bad_term_access("badarg");
  }
  if (used != s.size() || s.find('.') == std::string::npos) throw bad_term_access("badarg");
  return term(d);
}

// A flat list of bytes and binaries (enough of iolist_to_binary for a shell).
term list_to_binary(args_t a, output&) {
  std::string bytes;
  for (const term& e : a[0].list_elements()) {
    if (e.is_binary()) {
      bytes += e.as_binary();
    } else {
      int64_t b = e.as_int();
      if (b < 0 || b > 255) throw bad_term_access("badarg");
      bytes += char(b);
    }
  }
  return term::binary(bytes);
}

term binary_to_list(args_t a, output&) {
  std::vector<term> out;
  for (char c : a[0].as_binary()) out.emplace_back(int(uint8_t(c)));
  return term::list(std::move(out));
}

term round_or_trunc(const term& x, bool round) {
  if (x.is_integer()) return x;
  double d = round ? std::round(x.as_float()) : std::trunc(x.as_float());
  if (std::fabs(d) < 9.0e18) return term(int64_t(d));
  return term::integer_from_string(std::to_string(d).substr(0, std::to_string(d).find('.')));
}

// OTP 25's term_to_binary/1: atoms as Latin-1 ATOM_EXT, as erl shows them.
term to_binary(args_t a, output&) {
  etf_encode_options opts;
  opts.utf8_atoms = false;
  return term::binary(term_to_binary(a[0], {}, opts));
}

term from_binary(args_t a, output&) {
  etf_decode_result r = try_binary_to_term(a[0].as_binary());
  if (!r) throw bad_term_access("badarg: " + r.error->message);
  return r.value;
}

// ---- time -----------------------------------------------------------------------------

int64_t scaled(std::chrono::nanoseconds ns, const term& unit) {
  std::string_view u = unit.as_atom().name();
  if (u == "second" || u == "seconds") return ns.count() / 1'000'000'000;
  if (u == "millisecond" || u == "milli_seconds") return ns.count() / 1'000'000;
  if (u == "microsecond" || u == "micro_seconds") return ns.count() / 1000;
  if (u == "nanosecond" || u == "nano_seconds" || u == "native") return ns.count();
  throw bad_term_access("badarg: unknown time unit");
}

std::chrono::nanoseconds since_epoch() {
  return std::chrono::system_clock::now().time_since_epoch();
}

term timestamp(args_t, output&) {
  int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch()).count();
  return otp::tuple(us / 1'000'000'000'000, us / 1'000'000 % 1'000'000, us % 1'000'000);
}

// ---- raising --------------------------------------------------------------------------

term raise_throw(args_t a, output&) {
  throw a[0];
}

term raise_error_bif(args_t a, output&) {
  raise_error(a[0]);
}

term raise_exit(args_t a, output&) {
  throw erlang_exception{names::exit, a[0], {}, {}, term()};
}

term nodes_list(args_t, output&) {
  std::vector<term> out;
  for (atom n : otp::nodes()) out.emplace_back(n);
  return term::list(std::move(out));
}

template <bool (term::*Test)() const noexcept>
builtin type_test() {
  return [](args_t a, output&) { return term((a[0].*Test)()); };
}

void add_type_tests(atom erlang, table_add add) {
  add(erlang, atom("is_atom"), 1,
      type_test<static_cast<bool (term::*)() const noexcept>(&term::is_atom)>());
  add(erlang, atom("is_integer"), 1, type_test<&term::is_integer>());
  add(erlang, atom("is_float"), 1, type_test<&term::is_float>());
  add(erlang, atom("is_number"), 1, type_test<&term::is_number>());
  add(erlang, atom("is_list"), 1, type_test<&term::is_list>());
  add(erlang, atom("is_tuple"), 1,
      type_test<static_cast<bool (term::*)() const noexcept>(&term::is_tuple)>());
  add(erlang, atom("is_map"), 1, type_test<&term::is_map>());
  add(erlang, atom("is_pid"), 1, type_test<&term::is_pid>());
  add(erlang, atom("is_binary"), 1, type_test<&term::is_binary>());
  add(erlang, atom("is_boolean"), 1, type_test<&term::is_boolean>());
  add(erlang, atom("is_reference"), 1, type_test<&term::is_reference>());
  add(erlang, atom("is_function"), 1, type_test<&term::is_fun>());
}

void add_conversions(atom erlang, table_add add) {
  add(erlang, atom("list_to_atom"), 1, [](args_t a, output&) { return term(atom(text_of(a[0]))); });
  add(erlang, atom("atom_to_list"), 1,
      [](args_t a, output&) { return term::string(a[0].as_atom().name()); });
  add(erlang, atom("atom_to_binary"), 1,
      [](args_t a, output&) { return term::binary(a[0].as_atom().name()); });
  add(erlang, atom("binary_to_atom"), 1,
      [](args_t a, output&) { return term(atom(a[0].as_binary())); });
  add(erlang, atom("integer_to_list"), 1,
      [](args_t a, output&) { return integer_to_text(a[0], term(10)); });
  add(erlang, atom("integer_to_list"), 2,
      [](args_t a, output&) { return integer_to_text(a[0], a[1]); });
  add(erlang, atom("integer_to_binary"), 1,
      [](args_t a, output&) { return term::binary(integer_to_text(a[0], term(10)).as_string()); });
  add(erlang, atom("list_to_integer"), 1,
      [](args_t a, output&) { return text_to_integer(text_of(a[0]), term(10)); });
  add(erlang, atom("list_to_integer"), 2,
      [](args_t a, output&) { return text_to_integer(text_of(a[0]), a[1]); });
  add(erlang, atom("list_to_float"), 1, list_to_float);
  add(erlang, atom("float_to_list"), 1,
      [](args_t a, output&) { return term::string(to_string(term(a[0].as_float()))); });
  add(erlang, atom("list_to_tuple"), 1,
      [](args_t a, output&) { return term::tuple(a[0].list_elements()); });
  add(erlang, atom("tuple_to_list"), 1, [](args_t a, output&) {
    return term::list(std::vector<term>(a[0].elements().begin(), a[0].elements().end()));
  });
  add(erlang, atom("list_to_binary"), 1, list_to_binary);
  add(erlang, atom("binary_to_list"), 1, binary_to_list);
  add(erlang, atom("list_to_pid"), 1,
      [](args_t a, output&) { return term(parse_pid(text_of(a[0]))); });
  add(erlang, atom("pid_to_list"), 1,
      [](args_t a, output&) { return term::string(to_string(a[0].as_pid())); });
  add(erlang, atom("term_to_binary"), 1, to_binary);
  add(erlang, atom("binary_to_term"), 1, from_binary);
}

void add_numbers(atom erlang, table_add add) {
  add(erlang, atom("abs"), 1, [](args_t a, output&) {
    if (a[0].is_float()) return term(std::fabs(a[0].as_float()));
    bigint v = bigint::of(a[0]);
    return (v.negative() ? -v : v).to_term();
  });
  add(erlang, atom("float"), 1, [](args_t a, output&) { return term(a[0].as_number()); });
  add(erlang, atom("round"), 1, [](args_t a, output&) { return round_or_trunc(a[0], true); });
  add(erlang, atom("trunc"), 1, [](args_t a, output&) { return round_or_trunc(a[0], false); });
  add(erlang, atom("min"), 2,
      [](args_t a, output&) { return compare(a[1], a[0]) < 0 ? a[1] : a[0]; });
  add(erlang, atom("max"), 2,
      [](args_t a, output&) { return compare(a[1], a[0]) > 0 ? a[1] : a[0]; });
}

}  // namespace

void add_erlang_builtins(table_add add) {
  const atom erlang = names::erlang;
  add(erlang, atom("length"), 1, proper_list_length);
  add(erlang, atom("element"), 2, element);
  add(erlang, atom("setelement"), 3, setelement);
  add(erlang, atom("hd"), 1, hd);
  add(erlang, atom("tl"), 1, tl);
  add(erlang, atom("tuple_size"), 1,
      [](args_t a, output&) { return term(uint64_t(a[0].tuple_size())); });
  add(erlang, atom("map_size"), 1,
      [](args_t a, output&) { return term(uint64_t(a[0].map_size())); });
  add_type_tests(erlang, add);
  add_conversions(erlang, add);
  add_numbers(erlang, add);
  add(erlang, atom("node"), 0, [](args_t, output&) { return term(node_name()); });
  add(erlang, atom("nodes"), 0, nodes_list);
  add(erlang, atom("self"), 0, [](args_t, output&) { return term(self()); });
  add(erlang, atom("make_ref"), 0, [](args_t, output&) { return term(reference::make()); });
  add(erlang, atom("system_time"), 0, [](args_t, output&) { return term(since_epoch().count()); });
  add(erlang, atom("system_time"), 1,
      [](args_t a, output&) { return term(scaled(since_epoch(), a[0])); });
  add(erlang, atom("timestamp"), 0, timestamp);
  add(erlang, atom("now"), 0, timestamp);
  add(erlang, atom("throw"), 1, raise_throw);
  add(erlang, atom("error"), 1, raise_error_bif);
  add(erlang, atom("exit"), 1, raise_exit);
}

}  // namespace otp::shell::detail
