// Schoolbook arithmetic on 32-bit limbs: shell inputs are small, so clarity wins over
// asymptotic speed. Division is Knuth's algorithm D (TAOCP 4.3.1).

#include "shell/bigint.hpp"

#include <algorithm>
#include <bit>

#include "term/box.hpp"

namespace otp::shell::detail {

bigint::bigint(bool neg, limbs mag) : neg_(neg), mag_(std::move(mag)) {
  trim(mag_);
  if (mag_.empty()) neg_ = false;
}

bigint::bigint(int64_t v) {
  neg_ = v < 0;
  uint64_t m = neg_ ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  while (m) {
    mag_.push_back(uint32_t(m));
    m >>= 32;
  }
}

bigint bigint::of(const term& t) {
  if (t.is_small()) return bigint(t.as_int());
  const otp::detail::box* b = t.boxed();
  const uint64_t* w = otp::detail::bignum_limbs(b);
  limbs m;
  for (uint32_t i = 0; i < b->count; ++i) {
    m.push_back(uint32_t(w[i]));
    m.push_back(uint32_t(w[i] >> 32));
  }
  return bigint((b->flags & 1) != 0, std::move(m));
}

term bigint::to_term() const {
  std::vector<uint64_t> w((mag_.size() + 1) / 2, 0);
  for (size_t i = 0; i < mag_.size(); ++i) w[i / 2] |= uint64_t(mag_[i]) << (32 * (i % 2));
  if (w.empty()) return term(0);
  return otp::detail::make_integer(neg_, w.data(), w.size());
}

uint64_t bigint::bit_length() const noexcept {
  if (mag_.empty()) return 0;
  return 32 * uint64_t(mag_.size() - 1) + uint64_t(std::bit_width(mag_.back()));
}

void bigint::trim(limbs& m) {
  while (!m.empty() && m.back() == 0) m.pop_back();
}

int bigint::compare_mag(const limbs& a, const limbs& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

bigint::limbs bigint::add_mag(const limbs& a, const limbs& b) {
  limbs r(std::max(a.size(), b.size()) + 1, 0);
  uint64_t carry = 0;
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    uint64_t s = carry + (i < a.size() ? a[i] : 0) + (i < b.size() ? b[i] : 0);
    r[i] = uint32_t(s);
    carry = s >> 32;
  }
  r.back() = uint32_t(carry);
  trim(r);
  return r;
}

bigint::limbs bigint::sub_mag(const limbs& a, const limbs& b) {
  limbs r(a.size(), 0);
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t d = int64_t(a[i]) - (i < b.size() ? int64_t(b[i]) : 0) - borrow;
    borrow = d < 0;
    r[i] = uint32_t(d + (borrow << 32));
  }
  trim(r);
  return r;
}

bigint operator+(const bigint& a, const bigint& b) {
  if (a.neg_ == b.neg_) return bigint(a.neg_, bigint::add_mag(a.mag_, b.mag_));
  int c = bigint::compare_mag(a.mag_, b.mag_);
  if (c == 0) return bigint();
  if (c > 0) return bigint(a.neg_, bigint::sub_mag(a.mag_, b.mag_));
  return bigint(b.neg_, bigint::sub_mag(b.mag_, a.mag_));
}

bigint bigint::operator-() const {
  return bigint(!neg_, mag_);
}

bigint operator-(const bigint& a, const bigint& b) {
  return a + (-b);
}

bigint operator*(const bigint& a, const bigint& b) {
  if (a.mag_.empty() || b.mag_.empty()) return bigint();
  bigint::limbs r(a.mag_.size() + b.mag_.size(), 0);
  for (size_t i = 0; i < a.mag_.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.mag_.size(); ++j) {
      uint64_t t = uint64_t(a.mag_[i]) * b.mag_[j] + r[i + j] + carry;
      r[i + j] = uint32_t(t);
      carry = t >> 32;
    }
    r[i + b.mag_.size()] = uint32_t(carry);
  }
  return bigint(a.neg_ != b.neg_, std::move(r));
}

namespace {

using limbs = std::vector<uint32_t>;

// Magnitudes: u / v with v non-empty (Knuth D; v of one limb by short division).
void divmod_mag(const limbs& u, const limbs& v, limbs& q, limbs& r) {
  if (u.size() < v.size()) {
    q.clear();
    r = u;
    return;
  }
  if (v.size() == 1) {
    q.assign(u.size(), 0);
    uint64_t rem = 0;
    for (size_t i = u.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | u[i];
      q[i] = uint32_t(cur / v[0]);
      rem = cur % v[0];
    }
    r.assign(1, uint32_t(rem));
    return;
  }
  // Normalise so the divisor's top limb has its high bit set.
  int s = std::countl_zero(v.back());
  size_t n = v.size(), m = u.size() - n;
  limbs vn(n), un(u.size() + 1);
  for (size_t i = n - 1; i > 0; --i)
    vn[i] = (v[i] << s) | (s ? uint32_t(uint64_t(v[i - 1]) >> (32 - s)) : 0);
  vn[0] = v[0] << s;
  un[u.size()] = s ? uint32_t(uint64_t(u.back()) >> (32 - s)) : 0;
  for (size_t i = u.size() - 1; i > 0; --i)
    un[i] = (u[i] << s) | (s ? uint32_t(uint64_t(u[i - 1]) >> (32 - s)) : 0);
  un[0] = u[0] << s;
  q.assign(m + 1, 0);
  constexpr uint64_t base = uint64_t(1) << 32;
  for (size_t j = m + 1; j-- > 0;) {
    uint64_t num = (uint64_t(un[j + n]) << 32) | un[j + n - 1];
    uint64_t qhat = num / vn[n - 1], rhat = num % vn[n - 1];
    while (qhat >= base || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
      --qhat;
      rhat += vn[n - 1];
      if (rhat >= base) break;
    }
    int64_t borrow = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t p = qhat * vn[i] + carry;
      carry = p >> 32;
      int64_t t = int64_t(un[i + j]) - borrow - int64_t(uint32_t(p));
      un[i + j] = uint32_t(t);
      borrow = t < 0;
    }
    int64_t t = int64_t(un[j + n]) - borrow - int64_t(carry);
    un[j + n] = uint32_t(t);
    if (t < 0) {  // qhat was one too big: add the divisor back
      --qhat;
      uint64_t c = 0;
      for (size_t i = 0; i < n; ++i) {
        uint64_t sum = uint64_t(un[i + j]) + vn[i] + c;
        un[i + j] = uint32_t(sum);
        c = sum >> 32;
      }
      un[j + n] = uint32_t(uint64_t(un[j + n]) + c);
    }
    q[j] = uint32_t(qhat);
  }
  r.assign(n, 0);
  for (size_t i = 0; i < n; ++i)
    r[i] = (un[i] >> s) | (s ? uint32_t(uint64_t(un[i + 1]) << (32 - s)) : 0);
}

}  // namespace

void bigint::divmod(const bigint& n, const bigint& d, bigint& quotient, bigint& remainder) {
  limbs q, r;
  divmod_mag(n.mag_, d.mag_, q, r);
  quotient = bigint(n.neg_ != d.neg_, std::move(q));
  remainder = bigint(n.neg_, std::move(r));  // rem takes the dividend's sign
}

bigint bigint::shift_left(uint64_t bits) const {
  if (mag_.empty()) return *this;
  size_t whole = size_t(bits / 32);
  unsigned part = unsigned(bits % 32);
  limbs r(whole, 0);
  uint32_t carry = 0;
  for (uint32_t w : mag_) {
    r.push_back((w << part) | carry);
    carry = part ? uint32_t(uint64_t(w) >> (32 - part)) : 0;
  }
  r.push_back(carry);
  return bigint(neg_, std::move(r));
}

bigint bigint::shift_right(uint64_t bits) const {
  // A negative number rounds down: -((|a| - 1) >> n) - 1.
  if (neg_) return -((-*this - bigint(1)).shift_right(bits)) - bigint(1);
  if (bits >= 32 * uint64_t(mag_.size())) return bigint();
  size_t whole = size_t(bits / 32);
  unsigned part = unsigned(bits % 32);
  limbs r;
  for (size_t i = whole; i < mag_.size(); ++i) {
    uint32_t hi = i + 1 < mag_.size() && part ? uint32_t(uint64_t(mag_[i + 1]) << (32 - part)) : 0;
    r.push_back((mag_[i] >> part) | hi);
  }
  return bigint(false, std::move(r));
}

// `n` limbs of two's complement; n must leave room for the sign bit.
bigint::limbs bigint::twos_complement(size_t n) const {
  limbs v(n, 0);
  std::copy(mag_.begin(), mag_.end(), v.begin());
  if (!neg_) return v;
  uint64_t carry = 1;
  for (uint32_t& w : v) {
    uint64_t t = uint64_t(uint32_t(~w)) + carry;
    w = uint32_t(t);
    carry = t >> 32;
  }
  return v;
}

bigint bigint::from_twos_complement(limbs v) {
  bool neg = !v.empty() && (v.back() >> 31) != 0;
  if (!neg) return bigint(false, std::move(v));
  uint64_t carry = 1;
  for (uint32_t& w : v) {
    uint64_t t = uint64_t(uint32_t(~w)) + carry;
    w = uint32_t(t);
    carry = t >> 32;
  }
  return bigint(true, std::move(v));
}

template <class Op>
bigint bigint::bitwise(const bigint& a, const bigint& b, Op op) {
  size_t n = std::max(a.mag_.size(), b.mag_.size()) + 1;
  limbs x = a.twos_complement(n), y = b.twos_complement(n);
  for (size_t i = 0; i < n; ++i) x[i] = op(x[i], y[i]);
  return from_twos_complement(std::move(x));
}

bigint operator&(const bigint& a, const bigint& b) {
  return bigint::bitwise(a, b, [](uint32_t x, uint32_t y) { return x & y; });
}
bigint operator|(const bigint& a, const bigint& b) {
  return bigint::bitwise(a, b, [](uint32_t x, uint32_t y) { return x | y; });
}
bigint operator^(const bigint& a, const bigint& b) {
  return bigint::bitwise(a, b, [](uint32_t x, uint32_t y) { return x ^ y; });
}

}  // namespace otp::shell::detail
