// Behaviour of the term value type: construction, access, order, printing.

#include <gtest/gtest.h>

#include "otp/term.hpp"

using namespace otp;

TEST(Term, SmallIntegersRoundTripThroughTheWord) {
  EXPECT_EQ(term(42).as_int(), 42);
  EXPECT_EQ(term(-7).as_int(), -7);
  EXPECT_TRUE(term(1).is_small());
}

TEST(Term, IntegersBeyondSixtyBitsBecomeBignumsAndStillCompareExactly) {
  term big(INT64_MAX);
  EXPECT_FALSE(big.is_small());
  EXPECT_TRUE(big.is_integer());
  EXPECT_EQ(big.as_int(), INT64_MAX);
  EXPECT_EQ(to_string(big), "9223372036854775807");
  EXPECT_EQ(to_string(term(INT64_MIN)), "-9223372036854775808");
  EXPECT_LT(term(1), big);
  EXPECT_LT(term(INT64_MIN), term(-5));
  EXPECT_EQ(to_string(term::integer_from_decimal("123456789012345678901234567890")),
            "123456789012345678901234567890");
}

TEST(Term, OneEqualsOnePointZeroArithmeticallyButNotExactly) {
  EXPECT_NE(term(1), term(1.0));
  EXPECT_EQ(compare(term(1), term(1.0)), std::weak_ordering::equivalent);
  EXPECT_LT(term(1), term(1.0));  // the strong order puts the integer first
}

TEST(Term, TermOrderFollowsErlang) {
  // number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring
  std::vector<term> ordered = {term(1),
                               term(atoms::ok),
                               term(reference::make()),
                               term(port_id::make(atom(), 1, 0)),
                               term(pid::local(5)),
                               tuple(1, 2),
                               term::map({{term(1), term(2)}}),
                               term(),
                               list(1),
                               term::binary("a")};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(ordered[i], ordered[i + 1]) << to_string(ordered[i]) << " vs " << to_string(ordered[i + 1]);
  }
  EXPECT_LT(tuple(9), tuple(1, 1));  // tuples by size first
  EXPECT_LT(term(atom("abc")), term(atom("abd")));
}

TEST(Term, PrintsLikeErlang) {
  EXPECT_EQ(to_string(tuple(atoms::ok, list(1, 2, 3))), "{ok,[1,2,3]}");
  EXPECT_EQ(to_string(term::string("hello")), "\"hello\"");
  EXPECT_EQ(to_string(term::binary("abc")), "<<\"abc\">>");
  EXPECT_EQ(to_string(term::binary(std::string("\x01\x02", 2))), "<<1,2>>");
  EXPECT_EQ(to_string(term(atom("hello world"))), "'hello world'");
  EXPECT_EQ(to_string(term(atoms::EXIT)), "'EXIT'");
  EXPECT_EQ(to_string(term::list({1, 2}, term(3))), "[1,2|3]");
  EXPECT_EQ(to_string(term(1.5)), "1.5");
  EXPECT_EQ(to_string(term(1.0)), "1.0");
  EXPECT_EQ(to_string(term(pid::local(83))), "<0.83.0>");
  EXPECT_EQ(to_string(term::map({{term(atom("a")), term(1)}})), "#{a => 1}");
}

TEST(Term, CopiesShareStructureAndDestroyingDeepTermsDoesNotRecurse) {
  term t;
  for (int i = 0; i < 1'000'000; ++i) t = tuple(std::move(t));
  term copy = t;
  EXPECT_EQ(copy.raw(), t.raw());
  t = term();
  copy = term();  // would overflow the stack if destruction recursed
  term l;
  for (int i = 0; i < 1'000'000; ++i) l = term::cons(i, std::move(l));
  EXPECT_EQ(l.list_length(), 1'000'000u);
}

TEST(Term, WrongTypeAccessThrowsBadarg) {
  EXPECT_THROW(term(atoms::ok).as_int(), bad_term_access);
  EXPECT_THROW(term(1).tuple_size(), bad_term_access);
}

TEST(Term, MapsKeepOneValuePerKeyAndFindByExactKey) {
  term m = term::map({{term(1), term(atom("a"))}, {term(1.0), term(atom("b"))}, {term(1), term(atom("c"))}});
  EXPECT_EQ(m.map_size(), 2u);
  EXPECT_EQ(*m.map_find(term(1)), term(atom("c")));
  EXPECT_EQ(*m.map_find(term(1.0)), term(atom("b")));
  EXPECT_EQ(m.map_find(term(2)), nullptr);
}
