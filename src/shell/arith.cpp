// Operators. Small integers take a fast path; anything that may overflow 64 bits goes
// through bigint, so integers never lose precision, as in Erlang.

#include "shell/arith.hpp"

#include <cmath>
#include <vector>

#include "shell/bigint.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

// Results wider than this are refused with system_limit (erl refuses `1 bsl (1 bsl 40)`
// too, at a limit of its own), so one typo cannot eat the node's memory.
constexpr uint64_t max_result_bits = uint64_t(1) << 24;

[[noreturn]] void fail(atom reason, std::string_view op, std::vector<term> args) {
  std::string where = operator_where(op, args);
  raise_error(term(reason), std::move(where), call_stack(names::erlang, atom(op), args));
}

[[noreturn]] void badarith(std::string_view op, const term& a, const term& b) {
  fail(atoms::badarith, op, {a, b});
}

term checked_float(double d, std::string_view op, const term& a, const term& b) {
  if (!std::isfinite(d)) badarith(op, a, b);
  return term(d);
}

// Both numbers; at least one a float. Bignums too large for a double are badarith.
term float_op(std::string_view op, const term& a, const term& b) {
  double x = a.as_number(), y = b.as_number();
  if (!std::isfinite(x) || !std::isfinite(y)) badarith(op, a, b);
  if (op == "+") return checked_float(x + y, op, a, b);
  if (op == "-") return checked_float(x - y, op, a, b);
  return checked_float(x * y, op, a, b);
}

term small_op(std::string_view op, int64_t x, int64_t y) {
  // Small integers have 61 bits: sums and differences fit in int64; products may not.
  if (op == "+") return term(x + y);
  if (op == "-") return term(x - y);
  __extension__ __int128 p = __int128(x) * y;
  if (p >= INT64_MIN && p <= INT64_MAX) return term(int64_t(p));
  return (bigint(x) * bigint(y)).to_term();
}

term integer_op(std::string_view op, const term& a, const term& b) {
  if (a.is_small() && b.is_small()) return small_op(op, a.as_int(), b.as_int());
  bigint x = bigint::of(a), y = bigint::of(b);
  if (op == "+") return (x + y).to_term();
  if (op == "-") return (x - y).to_term();
  if (x.bit_length() + y.bit_length() > max_result_bits) fail(atoms::system_limit, op, {a, b});
  return (x * y).to_term();
}

term arithmetic(std::string_view op, const term& a, const term& b) {
  if (!a.is_number() || !b.is_number()) badarith(op, a, b);
  if (op == "/") {
    double y = b.as_number();
    if (y == 0.0) badarith(op, a, b);
    return checked_float(a.as_number() / y, op, a, b);
  }
  if (a.is_float() || b.is_float()) return float_op(op, a, b);
  return integer_op(op, a, b);
}

term division(std::string_view op, const term& a, const term& b) {
  if (!a.is_integer() || !b.is_integer()) badarith(op, a, b);
  if (b.is_small() && b.as_int() == 0) badarith(op, a, b);
  if (a.is_small() && b.is_small()) {  // 61-bit operands: no INT64_MIN / -1 overflow
    return op == "div" ? term(a.as_int() / b.as_int()) : term(a.as_int() % b.as_int());
  }
  bigint q, r;
  bigint::divmod(bigint::of(a), bigint::of(b), q, r);
  return op == "div" ? q.to_term() : r.to_term();
}

term shift(std::string_view op, const term& a, const term& b) {
  if (!a.is_integer() || !b.is_integer()) badarith(op, a, b);
  bool left = op == "bsl";
  std::optional<int64_t> n = b.try_int64();
  bigint x = bigint::of(a);
  if (!n) {  // a shift by a bignum: to nothing, or beyond any limit
    bool grows = left != bigint::of(b).negative();
    if (grows && !x.is_zero()) fail(atoms::system_limit, op, {a, b});
    return term(grows || !x.negative() ? 0 : -1);
  }
  if (*n < 0) left = !left;
  uint64_t bits = *n < 0 ? uint64_t(0) - uint64_t(*n) : uint64_t(*n);
  if (!left) return x.shift_right(bits).to_term();
  if (x.is_zero()) return term(0);
  if (bits > max_result_bits || x.bit_length() + bits > max_result_bits)
    fail(atoms::system_limit, op, {a, b});
  return x.shift_left(bits).to_term();
}

term bitwise(std::string_view op, const term& a, const term& b) {
  if (!a.is_integer() || !b.is_integer()) badarith(op, a, b);
  if (a.is_small() && b.is_small()) {
    int64_t x = a.as_int(), y = b.as_int();
    return term(op == "band" ? (x & y) : op == "bor" ? (x | y) : (x ^ y));
  }
  bigint x = bigint::of(a), y = bigint::of(b);
  return (op == "band" ? (x & y) : op == "bor" ? (x | y) : (x ^ y)).to_term();
}

term boolean(std::string_view op, const term& a, const term& b) {
  if (!a.is_boolean() || !b.is_boolean()) fail(atoms::badarg, op, {a, b});
  bool x = a.as_bool(), y = b.as_bool();
  return term(op == "and" ? (x && y) : op == "or" ? (x || y) : (x != y));
}

term comparison(std::string_view op, const term& a, const term& b) {
  if (op == "=:=") return term(a == b);
  if (op == "=/=") return term(a != b);
  std::weak_ordering c = compare(a, b);
  if (op == "==") return term(c == 0);
  if (op == "/=") return term(c != 0);
  if (op == "<") return term(c < 0);
  if (op == "=<") return term(c <= 0);
  if (op == ">") return term(c > 0);
  return term(c >= 0);
}

bool is_proper_list(const term& t) {
  const term* p = &t;
  while (p->is_cons()) p = &p->tail();
  return p->is_nil();
}

term list_op(std::string_view op, const term& a, const term& b) {
  if (!is_proper_list(a) || (op == "--" && !is_proper_list(b))) fail(atoms::badarg, op, {a, b});
  if (op == "++") return term::list(a.list_elements(), b);
  // Each element of b removes the first equal (=:=) element of a.
  std::vector<term> left = a.list_elements();
  for (const term& x : b.list_elements()) {
    for (auto it = left.begin(); it != left.end(); ++it) {
      if (*it == x) {
        left.erase(it);
        break;
      }
    }
  }
  return term::list(std::move(left));
}

}  // namespace

term negate_number(const term& n) {
  if (n.is_float()) return term(-n.as_float());
  if (n.is_small()) return term(-n.as_int());
  return (-bigint::of(n)).to_term();
}

term binary_op(std::string_view op, const term& a, const term& b) {
  if (op == "+" || op == "-" || op == "*" || op == "/") return arithmetic(op, a, b);
  if (op == "div" || op == "rem") return division(op, a, b);
  if (op == "bsl" || op == "bsr") return shift(op, a, b);
  if (op == "band" || op == "bor" || op == "bxor") return bitwise(op, a, b);
  if (op == "and" || op == "or" || op == "xor") return boolean(op, a, b);
  if (op == "++" || op == "--") return list_op(op, a, b);
  return comparison(op, a, b);
}

term unary_op(std::string_view op, const term& a) {
  if (op == "not") {
    if (!a.is_boolean()) fail(atoms::badarg, op, {a});
    return term(!a.as_bool());
  }
  if (op == "bnot") {
    if (!a.is_integer()) fail(atoms::badarith, op, {a});
    return (-bigint::of(a) - bigint(1)).to_term();
  }
  if (!a.is_number()) fail(atoms::badarith, op, {a});
  return op == "-" ? negate_number(a) : a;
}

}  // namespace otp::shell::detail
