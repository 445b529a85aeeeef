#pragma once
// Arbitrary-precision integer arithmetic for the shell's operators. Terms store bignums but
// do no arithmetic on them; the shell needs Erlang's unbounded integers (`2 bsl 70`,
// `10000000000 * 10000000000`), so it converts to this form, computes, and converts back.
// Private to the shell. Thread safety: plain values.

#include <cstdint>
#include <vector>

#include "otp/term.hpp"

namespace otp::shell::detail {

class bigint {
 public:
  bigint() = default;
  explicit bigint(int64_t v);
  /// `t` must be an integer.
  static bigint of(const term& t);
  term to_term() const;

  bool negative() const noexcept { return neg_; }
  bool is_zero() const noexcept { return mag_.empty(); }
  /// Bits in the magnitude.
  uint64_t bit_length() const noexcept;

  friend bigint operator+(const bigint& a, const bigint& b);
  friend bigint operator-(const bigint& a, const bigint& b);
  friend bigint operator*(const bigint& a, const bigint& b);
  bigint operator-() const;
  /// Truncating division and its remainder (Erlang's div and rem); `d` must not be zero.
  static void divmod(const bigint& n, const bigint& d, bigint& quotient, bigint& remainder);
  /// Shifts with Erlang's bsl/bsr meaning: bsr rounds towards minus infinity.
  bigint shift_left(uint64_t bits) const;
  bigint shift_right(uint64_t bits) const;
  /// Two's-complement bitwise operations, as on integers of unbounded width.
  friend bigint operator&(const bigint& a, const bigint& b);
  friend bigint operator|(const bigint& a, const bigint& b);
  friend bigint operator^(const bigint& a, const bigint& b);

 private:
  using limbs = std::vector<uint32_t>;  // little-endian magnitude, no leading zero limbs
  bigint(bool neg, limbs mag);
  static int compare_mag(const limbs& a, const limbs& b);
  static limbs add_mag(const limbs& a, const limbs& b);
  static limbs sub_mag(const limbs& a, const limbs& b);  // requires a >= b
  static void trim(limbs& m);
  limbs twos_complement(size_t n) const;
  static bigint from_twos_complement(limbs v);
  template <class Op>
  static bigint bitwise(const bigint& a, const bigint& b, Op op);

  bool neg_ = false;
  limbs mag_;
};

}  // namespace otp::shell::detail
