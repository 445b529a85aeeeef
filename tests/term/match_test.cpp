// Matching terms against patterns with placeholders and typed captures.

#include "otp/match.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace otp;
using namespace otp::literals;

TEST(Match, OkTupleCapturesItsPayload) {
  term t = tuple(atoms::ok, list(1, 2, 3));
  auto m = match(t, tuple(atoms::ok, cap<>));
  ASSERT_TRUE(m);
  auto& [payload] = *m;
  EXPECT_EQ(payload, list(1, 2, 3));
}

TEST(Match, AWrongTagOrSizeDoesNotMatch) {
  EXPECT_FALSE(match(tuple(atoms::error, 1), tuple(atoms::ok, _)));
  EXPECT_FALSE(match(tuple(atoms::ok, 1, 2), tuple(atoms::ok, _)));
  EXPECT_FALSE(match(term(1), tuple(atoms::ok, _)));
  EXPECT_TRUE(match(tuple(atoms::error, 1), tuple(atoms::error, _)));
}

TEST(Match, TypedCapturesConvertAndRejectWhatDoesNotFit) {
  term p = tuple("point"_a, 3, 4);
  auto m = match(p, tuple("point"_a, cap<int>, cap<int>));
  ASSERT_TRUE(m);
  auto [x, y] = *m;
  EXPECT_EQ(x, 3);
  EXPECT_EQ(y, 4);
  EXPECT_FALSE(match(tuple("point"_a, 3, 4.5), tuple("point"_a, cap<int>, cap<int>)));
  EXPECT_FALSE(match(tuple("point"_a, term::integer_from_decimal("99999999999999999999"), 1),
                     tuple("point"_a, cap<int64_t>, _)));
}

TEST(Match, LiteralsCompareExactlySoOneDoesNotMatchOnePointZero) {
  EXPECT_TRUE(match(tuple(1, atoms::ok), tuple(1, _)));
  EXPECT_FALSE(match(tuple(1.0, atoms::ok), tuple(1, _)));
}

TEST(Match, NestedPatternsCaptureLeftToRight) {
  term t = tuple(atoms::reply, tuple(atoms::ok, term::binary("x")), list(7, 8));
  auto m = match(t, tuple(atoms::reply, tuple(cap<atom>, cap<std::string>), list(cap<int>, _)));
  ASSERT_TRUE(m);
  auto [status, text, first] = *m;
  EXPECT_EQ(status, atoms::ok);
  EXPECT_EQ(text, "x");
  EXPECT_EQ(first, 7);
}

TEST(Match, ListPatternsNeedTheExactLengthAndConsTakesHeadAndTail) {
  EXPECT_TRUE(match(list(1, 2), list(_, _)));
  EXPECT_FALSE(match(list(1, 2, 3), list(_, _)));
  EXPECT_FALSE(match(term::list({1, 2}, term(3)), list(_, _)));  // improper
  auto m = match(list(1, 2, 3), cons(cap<int>, cap<>));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<0>(*m), 1);
  EXPECT_EQ(std::get<1>(*m), list(2, 3));
  EXPECT_FALSE(match(term(), cons(_, _)));
}

TEST(Match, MapPatternsNeedTheirKeysAndIgnoreOthers) {
  term m = term::map({{term("name"_a), term::binary("otpp")}, {term("stars"_a), term(5)}});
  auto r = match(m, map_with(entry("name"_a, cap<std::string>)));
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<0>(*r), "otpp");
  EXPECT_FALSE(match(m, map_with(entry("missing"_a, _))));
  EXPECT_FALSE(match(m, map_with(entry("stars"_a, 6))));
  EXPECT_FALSE(match(term(1), map_with()));
}

TEST(Match, GuardsRunAfterThePatternMatches) {
  auto positive = [](const term& t) { return t.as_int() > 0; };
  EXPECT_TRUE(match(tuple(atoms::ok, 5), tuple(atoms::ok, where(cap<int>, positive))));
  EXPECT_FALSE(match(tuple(atoms::ok, -5), tuple(atoms::ok, where(cap<int>, positive))));
}

TEST(Match, AWildcardAloneMatchesAnything) {
  EXPECT_TRUE(match(term(), _));
  auto m = match(term(atoms::ok), cap<>);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<0>(*m), term(atoms::ok));
}

TEST(Match, TupleWithoutPatternsStillBuildsATerm) {
  term t = tuple(atoms::ok, 1);  // plain values: the term builder, not a pattern
  EXPECT_EQ(to_string(t), "{ok,1}");
}
