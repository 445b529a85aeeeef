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
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) throw bad_term_access("badarg: no digits in integer");
  std::vector<uint64_t> mag;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;  // Erlang allows 1_000_000
    if (c < '0' || c > '9') throw bad_term_access("badarg: not a decimal integer: " + std::string(s));
    detail::u128 carry = uint64_t(c - '0');
    for (auto& limb : mag) {
      detail::u128 cur = detail::u128(limb) * 10 + carry;
      limb = uint64_t(cur);
      carry = cur >> 64;
    }
    if (carry) mag.push_back(uint64_t(carry));
  }
  return detail::make_integer(neg, mag.data(), mag.size());
}

}  // namespace otp
