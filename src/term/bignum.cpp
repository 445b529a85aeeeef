// Arbitrary-precision integers: decimal conversion. Magnitudes are little-endian 64-bit limbs.

#include <algorithm>
#include <string>
#include <vector>

#include "box.hpp"
#include "otp/term.hpp"

namespace otp {
namespace detail {

// Divides `limbs` in place by `d`, returning the remainder.
uint64_t divmod_small(std::vector<uint64_t>& limbs, uint64_t d) {
  u128 rem = 0;
  for (size_t i = limbs.size(); i-- > 0;) {
    u128 cur = (rem << 64) | limbs[i];
    limbs[i] = uint64_t(cur / d);
    rem = cur % d;
  }
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  return uint64_t(rem);
}

std::string bignum_to_decimal(const box* b) {
  std::vector<uint64_t> mag(bignum_limbs(b), bignum_limbs(b) + b->count);
  constexpr uint64_t chunk = 10'000'000'000'000'000'000ull;  // 10^19
  std::string digits;
  while (!mag.empty()) {
    uint64_t r = divmod_small(mag, chunk);
    for (int i = 0; i < 19; ++i) {
      digits += char('0' + r % 10);
      r /= 10;
      if (mag.empty() && r == 0) break;
    }
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (b->flags & 1) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace detail

term term::integer_from_decimal(std::string_view s) {
  return integer_from_string(s, 10);
}

term term::integer_from_string(std::string_view s, unsigned base) {
  if (base < 2 || base > 36) throw bad_term_access("badarg: integer base must be 2..36");
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) throw bad_term_access("badarg: no digits in integer");
  std::vector<uint64_t> mag;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' && prev_digit && i + 1 < s.size()) {  // Erlang allows 1_000_000
      prev_digit = false;
      continue;
    }
    unsigned d = c >= '0' && c <= '9'   ? unsigned(c - '0')
                 : c >= 'a' && c <= 'z' ? unsigned(c - 'a' + 10)
                 : c >= 'A' && c <= 'Z' ? unsigned(c - 'A' + 10)
                                        : 99;
    if (d >= base)
      throw bad_term_access("badarg: not an integer in base " + std::to_string(base) + ": " +
                            std::string(s));
    prev_digit = true;
    detail::u128 carry = d;
    for (auto& limb : mag) {
      detail::u128 cur = detail::u128(limb) * base + carry;
      limb = uint64_t(cur);
      carry = cur >> 64;
    }
    if (carry) mag.push_back(uint64_t(carry));
  }
  if (!prev_digit) throw bad_term_access("badarg: integer ends with '_': " + std::string(s));
  return detail::make_integer(neg, mag.data(), mag.size());
}

}  // namespace otp
