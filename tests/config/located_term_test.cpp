// The located parser: the same values as the plain one, plus where each part starts.

#include <gtest/gtest.h>

#include <string>

#include "otp/term_parse.hpp"
#include "term/term_parse_located.hpp"

using namespace otp;
using otp::detail::consult_located;
using otp::detail::located_term;
using otp::detail::parse_term_located;

namespace {

std::string where(const located_term& t) {
  return std::to_string(t.pos.line) + ":" + std::to_string(t.pos.column);
}

}  // namespace

TEST(LocatedTerm, GivesTheValueThePlainParserGives) {
  for (const char* text : {"{ok, [1, 2 | 3], #{a => \"s\"}, <<1,2>>, -5, 1.5, fun m:f/1}", "[]",
                           "{}", "#{}", "'quoted atom'", "\"a\" \"b\"", "[[[[]]]]"})
    EXPECT_EQ(parse_term_located(text).value, parse_term(text)) << text;
}

TEST(LocatedTerm, RecordsTheStartOfEverySubTerm) {
  located_term t = parse_term_located("{app,\n  [{key, -1},\n   \"str\"], #{k => v}}.");
  EXPECT_EQ(where(t), "1:1");
  ASSERT_EQ(t.children.size(), 3u);
  EXPECT_EQ(where(t.at(0)), "1:2");
  const located_term& list = t.at(1);
  EXPECT_EQ(where(list), "2:3");
  EXPECT_EQ(where(list.at(0)), "2:4");
  EXPECT_EQ(where(list.at(0).at(1)), "2:10");  // a negative number starts at its sign
  EXPECT_EQ(where(list.at(1)), "3:4");
  EXPECT_EQ(where(t.at(2).at(0)), "3:14");  // map: key, value, ...
  EXPECT_EQ(where(t.at(2).at(1)), "3:19");
  EXPECT_EQ(t.at(2).children.size(), 2u);
}

TEST(LocatedTerm, StringLiteralsAreLeavesAndAtFallsBackToTheParent) {
  located_term t = parse_term_located("  \"abc\"");
  EXPECT_TRUE(t.children.empty());
  EXPECT_EQ(&t.at(1), &t);
  EXPECT_EQ(where(t), "1:3");
}

TEST(LocatedTerm, AnImproperTailIsTheLastChildAndAnEmptyTailIsNot) {
  located_term improper = parse_term_located("[a, b | c]");
  ASSERT_EQ(improper.children.size(), 3u);
  EXPECT_EQ(where(improper.children.back()), "1:9");
  EXPECT_EQ(parse_term_located("[a | []]").children.size(), 1u);
}

TEST(LocatedTerm, ConsultGivesEachTermAndErrorsAsThePlainParser) {
  auto terms = consult_located("a.\n{b}.\n");
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(where(terms[1]), "2:1");
  try {
    consult_located("a.\n{b,}.");
    FAIL();
  } catch (const term_parse_error& e) {
    EXPECT_EQ(std::string(e.what()), try_consult("a.\n{b,}.").error->message);
  }
}

TEST(LocatedTerm, DeepNestingParsesAndIsDestroyedWithoutRecursion) {
  const size_t depth = 200000;
  std::string text(depth, '[');
  text += std::string(depth, ']');
  located_term t = parse_term_located(text);
  EXPECT_EQ(t.children.size(), 1u);
}
