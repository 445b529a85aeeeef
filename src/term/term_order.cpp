// Erlang's term order, exact equality and hashing, all iterative (no recursion on depth).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "box.hpp"
#include "otp/term.hpp"

namespace otp {

using detail::box;
using detail::box_kind;

namespace {

int rank(term_type t) {
  return t == term_type::float_ ? 0 : int(t);
}

template <class T>
int sign_of(const T& c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int cmp_bignum_mag(const box* a, const box* b) {
  if (a->count != b->count) return a->count < b->count ? -1 : 1;
  for (size_t i = a->count; i-- > 0;) {
    uint64_t x = detail::bignum_limbs(a)[i], y = detail::bignum_limbs(b)[i];
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// Integers compared exactly (any size).
int cmp_integers(const term& a, const term& b) {
  if (a.is_small() && b.is_small()) return sign_of(a.as_int() <=> b.as_int());
  auto sign = [](const term& t) {
    if (t.is_small()) return sign_of(t.as_int() <=> 0);
    return (t.boxed()->flags & 1) ? -1 : 1;
  };
  int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  // Same sign; a bignum has a larger magnitude than any small integer.
  if (a.is_small()) return -sa;
  if (b.is_small()) return sa;
  return sa * cmp_bignum_mag(a.boxed(), b.boxed());
}

// Magnitude of an integral double (|d| >= 2^53, so exactly an integer) as 64-bit limbs.
size_t double_limbs(double d, uint64_t (&limbs)[17]) {
  int exp = 0;
  double m = std::frexp(std::fabs(d), &exp);  // |d| = m * 2^exp, 0.5 <= m < 1
  auto mant = uint64_t(std::ldexp(m, 53));    // exact: 53 significant bits
  int shift = exp - 53;                       // >= 0 since |d| >= 2^53
  size_t n = size_t(shift / 64) + 2;
  for (size_t i = 0; i < n; ++i) limbs[i] = 0;
  limbs[shift / 64] = mant << (shift % 64);
  if (shift % 64) limbs[shift / 64 + 1] = mant >> (64 - shift % 64);
  while (n > 0 && limbs[n - 1] == 0) --n;
  return n;
}

// An integer against a float, exactly (as Erlang does: no rounding of either side).
int cmp_int_float(const term& i, double d) {
  constexpr double two60 = 1152921504606846976.0;  // 2^60: small integers lie in [-2^60, 2^60)
  if (i.is_small()) {
    if (d >= two60) return -1;
    if (d < -two60) return 1;  // -2^60 itself is small_min: compare below
    double fl = std::floor(d);
    auto f = int64_t(fl);
    int64_t v = i.as_int();
    if (v != f) return v < f ? -1 : 1;
    return d > fl ? -1 : 0;
  }
  const box* b = i.boxed();
  int sign = (b->flags & 1) ? -1 : 1;
  if (std::fabs(d) < two60 || (d < 0) != (sign < 0)) return sign;
  uint64_t limbs[17];
  size_t n = double_limbs(d, limbs);  // |d| >= 2^60 is integral
  int mag = 0;
  if (b->count != n) {
    mag = b->count < n ? -1 : 1;
  } else {
    for (size_t k = n; k-- > 0 && mag == 0;) {
      uint64_t x = detail::bignum_limbs(b)[k];
      if (x != limbs[k]) mag = x < limbs[k] ? -1 : 1;
    }
  }
  return sign * mag;
}

int cmp_numbers(const term& a, const term& b) {
  bool ai = a.is_integer(), bi = b.is_integer();
  if (ai && bi) return cmp_integers(a, b);
  if (ai) return cmp_int_float(a, b.as_float());
  if (bi) return -cmp_int_float(b, a.as_float());
  double x = a.as_float(), y = b.as_float();
  return x < y ? -1 : (x > y ? 1 : 0);  // 0.0 == -0.0, as in OTP 25
}

int cmp_bits(const term& a, const term& b) {
  auto [ab, an] = a.as_bitstring();
  auto [bb, bn] = b.as_bitstring();
  size_t n = std::min(ab.size(), bb.size());
  int c = n ? std::memcmp(ab.data(), bb.data(), n) : 0;
  if (c) return c < 0 ? -1 : 1;
  return sign_of(an <=> bn);
}

struct pending {
  const term* a;
  const term* b;
  bool key_order;
};

// Compares two terms without recursion. Pairs flagged `key_order` compare in Erlang's map
// key order (the term order, except that all integers sort before all floats: an exact
// order), as do all their parts. Elsewhere numbers compare by value and `*tiebreak` records
// the first place where arithmetic equality hides an exact difference (integer first).
int compare_terms(const term& a0, const term& b0, bool key_order0, int* tiebreak) {
  // Immediates (small integers, atoms, []) compare without the work list: map lookups and
  // sorts mostly compare atoms and small integers.
  if (a0.raw() == b0.raw()) return 0;
  if (!a0.boxed() && !b0.boxed()) {
    if (a0.is_small() && b0.is_small()) return sign_of(a0.as_int() <=> b0.as_int());
    if (a0.is_atom() && b0.is_atom()) return sign_of(a0.as_atom() <=> b0.as_atom());
    return rank(a0.type()) < rank(b0.type()) ? -1 : 1;
  }
  // Comparisons never nest (the walk is iterative), so one work list per thread suffices.
  thread_local std::vector<pending> todo;
  todo.clear();
  todo.push_back({&a0, &b0, key_order0});
  while (!todo.empty()) {
    auto [a, b, key_order] = todo.back();
    todo.pop_back();
    if (a->raw() == b->raw()) continue;
    term_type ta = a->type(), tb = b->type();
    bool na = a->is_number(), nb = b->is_number();
    if (na && nb) {
      if (key_order && ta != tb) return ta == term_type::integer ? -1 : 1;
      int c = cmp_numbers(*a, *b);
      if (c) return c;
      if (tiebreak && *tiebreak == 0 && ta != tb) *tiebreak = ta == term_type::integer ? -1 : 1;
      continue;
    }
    if (ta != tb) return rank(ta) < rank(tb) ? -1 : 1;
    switch (ta) {
      case term_type::atom: {
        int c = sign_of(a->as_atom() <=> b->as_atom());
        if (c) return c;
        break;
      }
      case term_type::reference: {
        int c = sign_of(a->as_reference() <=> b->as_reference());
        if (c) return c;
        break;
      }
      case term_type::port: {
        int c = sign_of(a->as_port() <=> b->as_port());
        if (c) return c;
        break;
      }
      case term_type::pid: {
        int c = sign_of(a->as_pid() <=> b->as_pid());
        if (c) return c;
        break;
      }
      case term_type::bitstring: {
        int c = cmp_bits(*a, *b);
        if (c) return c;
        break;
      }
      case term_type::tuple: {
        size_t n = a->tuple_size(), m = b->tuple_size();
        if (n != m) return n < m ? -1 : 1;
        for (size_t i = n; i-- > 0;) todo.push_back({&a->element(i), &b->element(i), key_order});
        break;
      }
      case term_type::list:  // compare heads, then tails
        todo.push_back({&a->tail(), &b->tail(), key_order});
        todo.push_back({&a->head(), &b->head(), key_order});
        break;
      case term_type::map: {
        size_t n = a->map_size(), m = b->map_size();
        if (n != m) return n < m ? -1 : 1;
        auto ea = a->map_entries(), eb = b->map_entries();
        // All keys (in map key order, left to right) before any value; values in key order.
        for (size_t i = n; i-- > 0;) todo.push_back({&ea[i].second, &eb[i].second, key_order});
        for (size_t i = n; i-- > 0;) todo.push_back({&ea[i].first, &eb[i].first, true});
        break;
      }
      case term_type::fun:
        // A fun's descriptor term is laid out so that its order is Erlang's (see fun.cpp).
        todo.push_back({a->boxed()->trailing<term>(), b->boxed()->trailing<term>(), key_order});
        break;
      default:
        break;
    }
  }
  return 0;
}

uint64_t mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xFF51AFD7ED558CCDull;
}

}  // namespace

bool operator==(const term& a, const term& b) noexcept {
  if (a.raw() == b.raw()) return true;
  if (!a.boxed() || !b.boxed()) return false;  // distinct immediates
  int tie = 0;
  return compare_terms(a, b, false, &tie) == 0 && tie == 0;
}

std::strong_ordering operator<=>(const term& a, const term& b) noexcept {
  int tie = 0;
  int c = compare_terms(a, b, false, &tie);
  if (c == 0) c = tie;
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::weak_ordering compare(const term& a, const term& b) noexcept {
  int c = compare_terms(a, b, false, nullptr);
  return c < 0 ? std::weak_ordering::less
               : (c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent);
}

namespace detail {
bool map_key_less(const term& a, const term& b) noexcept {
  return compare_terms(a, b, true, nullptr) < 0;
}
}  // namespace detail

size_t term::hash() const noexcept {
  uint64_t h = 0x243F6A8885A308D3ull;
  if (!boxed()) return size_t(mix(h, raw()));  // immediates need no walk
  std::vector<const term*> todo{this};
  while (!todo.empty()) {
    const term* t = todo.back();
    todo.pop_back();
    if (!t->boxed()) {
      h = mix(h, t->raw());
      continue;
    }
    const box* b = t->boxed();
    h = mix(h, uint64_t(b->kind) + 1);
    switch (b->kind) {
      case box_kind::bignum:
        h = mix(h, b->flags);
        for (uint32_t i = 0; i < b->count; ++i) h = mix(h, detail::bignum_limbs(b)[i]);
        break;
      case box_kind::flonum: {
        double d = t->as_float();
        if (d == 0) d = 0;  // 0.0 =:= -0.0 in OTP 25
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        h = mix(h, bits);
        break;
      }
      case box_kind::tuple:
        h = mix(h, b->count);
        for (uint32_t i = 0; i < b->count; ++i) todo.push_back(&detail::tuple_elems(b)[i]);
        break;
      case box_kind::cons:
        todo.push_back(&t->tail());
        todo.push_back(&t->head());
        break;
      case box_kind::map:
        h = mix(h, b->count);
        for (uint32_t i = 0; i < b->count; ++i) {
          todo.push_back(&detail::map_entries(b)[i].first);
          todo.push_back(&detail::map_entries(b)[i].second);
        }
        break;
      case box_kind::binary: {
        auto [bytes, bits] = t->as_bitstring();
        h = mix(h, bits);
        for (unsigned char c : bytes) h = mix(h, c);
        break;
      }
      case box_kind::pid:
        h = mix(h, std::hash<pid>{}(t->as_pid()));
        break;
      case box_kind::reference:
        h = mix(h, std::hash<reference>{}(t->as_reference()));
        break;
      case box_kind::port:
        h = mix(h, t->as_port().number());
        break;
      case box_kind::fun:
        todo.push_back(b->trailing<term>());
        break;
    }
  }
  return size_t(h);
}

}  // namespace otp
