// Properties over random terms (seeded, deterministic): the external format and the text
// syntax round-trip, the order is total and agrees with equality and hashing, and random
// damage to encodings never crashes the decoder.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "otp/etf.hpp"
#include "otp/term_parse.hpp"

using namespace otp;

namespace {

class generator {
 public:
  explicit generator(uint64_t seed) : rng_(seed) {}

  // `readable`: only what the text syntax can express (no pids, refs, ports, local funs).
  term any(int depth, bool readable) {
    switch (depth > 0 ? pick(10) : 0) {
      case 1: {
        std::vector<term> v;
        for (size_t n = pick(5); n > 0; --n) v.push_back(any(depth - 1, readable));
        return term::tuple(std::move(v));
      }
      case 2: {
        std::vector<term> v;
        for (size_t n = pick(5); n > 0; --n) v.push_back(any(depth - 1, readable));
        return term::list(std::move(v), pick(4) == 0 ? leaf(readable) : term());
      }
      case 3: {
        std::vector<std::pair<term, term>> kvs;
        for (size_t n = pick(4); n > 0; --n)
          kvs.emplace_back(any(depth - 1, readable), any(depth - 1, readable));
        return term::map(std::move(kvs));
      }
      default:
        return leaf(readable);
    }
  }

  term leaf(bool readable) {
    switch (pick(readable ? 12 : 16)) {
      case 0:
        return term(int64_t(pick(600)) - 300);
      case 1: {
        static const int64_t edges[] = {255,
                                        256,
                                        INT32_MAX,
                                        int64_t(INT32_MAX) + 1,
                                        INT32_MIN,
                                        int64_t(INT32_MIN) - 1,
                                        term::small_max,
                                        term::small_min,
                                        INT64_MAX,
                                        INT64_MIN};
        return term(edges[pick(10)]);
      }
      case 2: {
        std::string digits = pick(2) ? "-" : "";
        digits += char('1' + pick(9));
        for (size_t n = pick(60); n > 0; --n) digits += char('0' + pick(10));
        return term::integer_from_decimal(digits);
      }
      case 3: {
        for (;;) {
          uint64_t bits = rng_();
          double d;
          std::memcpy(&d, &bits, sizeof d);
          if (std::isfinite(d)) return term(d);
        }
      }
      case 4:
        return term(double(int64_t(pick(2000)) - 1000) / 8);
      case 5: {
        static const char* names[] = {"ok", "error", "Hello",   "with space", "ü",        "日本",
                                      "",   "a@b",   "receive", "it's",       "tab\there"};
        return term(atom(names[pick(11)]));
      }
      case 6: {
        std::vector<term> chars;
        for (size_t n = pick(6); n > 0; --n)
          chars.emplace_back(int64_t(pick(2) ? 32 + pick(95) : pick(300)));
        return term::list(std::move(chars));
      }
      case 7: {
        std::string bytes;
        for (size_t n = pick(pick(8) == 0 ? 200 : 8); n > 0; --n)
          bytes += char(pick(2) ? 'a' + pick(26) : pick(256));
        return term::binary(bytes);
      }
      case 8: {
        std::string bytes;
        for (size_t n = 1 + pick(4); n > 0; --n) bytes += char(pick(256));
        return term::bitstring(bytes, (bytes.size() - 1) * 8 + 1 + pick(7));
      }
      case 9:
        return term();
      case 10:
        return term::tuple({});
      case 11:
        return term::export_fun(atom(pick(2) ? "lists" : "Mod"), atom(pick(2) ? "map" : "f g"),
                                unsigned(pick(256)));
      case 12:
        return pick(2) ? term(pid::local(pick(1000)))
                       : term(pid::from_fields(atom("n@h"), uint32_t(rng_()), uint32_t(rng_()),
                                               uint32_t(rng_())));
      case 13: {
        std::vector<uint32_t> w;
        for (size_t n = 1 + pick(5); n > 0; --n) w.push_back(uint32_t(rng_()));
        return pick(2) ? term(reference::make())
                       : term(reference::from_words(atom("n@h"), uint32_t(rng_()), w));
      }
      case 14:
        return term(
            port_id::make(pick(2) ? atom() : atom("n@h"), rng_() >> pick(64), uint32_t(pick(5))));
      default: {
        local_fun_info f;
        f.module = atom("mod");
        f.arity = unsigned(pick(256));
        for (auto& b : f.uniq) b = uint8_t(pick(256));
        f.index = uint32_t(pick(100));
        f.old_index = f.index;
        f.old_uniq = uint32_t(rng_());
        f.creator = pid::local(1 + pick(100));
        for (size_t n = pick(3); n > 0; --n) f.free_vars.push_back(leaf(true));
        return term::local_fun(f);
      }
    }
  }

  size_t pick(size_t n) { return size_t(rng_() % n); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST(Property, RandomTermsRoundTripThroughTheExternalFormat) {
  generator g(0xE7F);
  etf_encode_options z;
  z.compression = 6;
  for (int i = 0; i < 3000; ++i) {
    term t = g.any(4, false);
    std::string enc = term_to_binary(t);
    auto r = try_binary_to_term(enc);
    ASSERT_TRUE(r) << to_string(t) << ": " << r.error->message;
    ASSERT_EQ(r.value, t) << to_string(t);
    ASSERT_EQ(term_to_binary(r.value), enc) << to_string(t);
    ASSERT_EQ(binary_to_term(term_to_binary(t, {}, z)), t);
  }
}

TEST(Property, RandomReadableTermsRoundTripThroughPrintAndParse) {
  generator g(0x7E47);
  for (int i = 0; i < 3000; ++i) {
    term t = g.any(4, true);
    std::string text = to_string(t);
    auto r = try_parse_term(text);
    ASSERT_TRUE(r) << text << ": " << r.error->message;
    ASSERT_EQ(r.value, t) << text << " read back as " << to_string(r.value);
  }
}

TEST(Property, TheOrderIsTotalAndAgreesWithEqualityAndHashing) {
  generator g(0x0DE5);
  std::vector<term> ts;
  for (int i = 0; i < 400; ++i) ts.push_back(g.any(2, false));
  for (int i = 0; i < 100; ++i) ts.push_back(ts[g.pick(ts.size())]);  // some duplicates
  for (const term& a : ts) {
    for (const term& b : ts) {
      auto ab = a <=> b, ba = b <=> a;
      ASSERT_EQ(ab<0, ba> 0) << to_string(a) << " vs " << to_string(b);
      ASSERT_EQ(ab == 0, ba == 0) << to_string(a) << " vs " << to_string(b);
      ASSERT_EQ(ab == 0, a == b);
      if (a == b) {
        ASSERT_EQ(a.hash(), b.hash());
      }
      // The arithmetic order never contradicts the exact one.
      auto w = compare(a, b);
      if (ab < 0) {
        ASSERT_TRUE(w <= 0);
      }
      if (ab > 0) {
        ASSERT_TRUE(w >= 0);
      }
    }
  }
  std::vector<term> sorted = ts;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i + 2 < sorted.size(); ++i) {
    ASSERT_TRUE(sorted[i] <= sorted[i + 1]);
    ASSERT_TRUE(sorted[i] <= sorted[i + 2]);  // transitivity along the sorted chain
  }
}

TEST(Property, DamagedEncodingsNeverCrashTheDecoder) {
  generator g(0xBAD);
  size_t rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string enc = term_to_binary(g.any(3, false));
    switch (g.pick(4)) {
      case 0:
        enc[g.pick(enc.size())] = char(g.pick(256));
        break;
      case 1:
        enc.resize(g.pick(enc.size() + 1));
        break;
      case 2:
        enc.insert(g.pick(enc.size() + 1), 1, char(g.pick(256)));
        break;
      default:
        enc[1 + g.pick(enc.size() - 1)] ^= char(1u << g.pick(8));
        break;
    }
    auto r = try_binary_to_term(enc);
    if (!r) {
      ++rejected;
      ASSERT_FALSE(r.error->message.empty());
      ASSERT_LE(r.error->offset, enc.size());
      continue;
    }
    // What decodes must encode and decode again to the same term.
    ASSERT_EQ(binary_to_term(term_to_binary(r.value)), r.value);
  }
  EXPECT_GT(rejected, 1000u);
}
