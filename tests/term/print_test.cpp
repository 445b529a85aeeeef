// Printing as io_lib:format("~p") does (single line); the erl-made corpus checks the rest.

#include <gtest/gtest.h>

#include <string>

#include "otp/term.hpp"

using namespace otp;
using namespace otp::literals;

TEST(Print, AtomsAreQuotedExactlyWhenErlQuotesThem) {
  EXPECT_EQ(to_string(term("ok"_a)), "ok");
  EXPECT_EQ(to_string(term(atom("a@b_C1"))), "a@b_C1");
  EXPECT_EQ(to_string(term(atom("Ab"))), "'Ab'");
  EXPECT_EQ(to_string(term(atom("_a"))), "'_a'");
  EXPECT_EQ(to_string(term(atom("9a"))), "'9a'");
  EXPECT_EQ(to_string(term(atom("a-b"))), "'a-b'");
  EXPECT_EQ(to_string(term(atom(""))), "''");
  EXPECT_EQ(to_string(term(atom("receive"))), "'receive'");
  EXPECT_EQ(to_string(term(atom("ßa"))), "ßa");  // Latin-1 lowercase letters are bare
  EXPECT_EQ(to_string(term(atom("aÀ"))), "aÀ");
  EXPECT_EQ(to_string(term(atom("a×"))), "'a×'");  // but not the multiplication sign
  EXPECT_EQ(to_string(term(atom("À"))), "'À'");
  EXPECT_EQ(to_string(term(atom("日本"))), "'\\x{65E5}\\x{672C}'");
  EXPECT_EQ(to_string(term(atom(std::string("a\0b", 3)))), "'a\\000b'");
  EXPECT_EQ(to_string(term(atom("\x7F"))), "'\\d'");
  EXPECT_EQ(to_string(term(atom("it's \\"))), "'it\\'s \\\\'");
  EXPECT_EQ(to_string(term(atom("\xC2\x80"))), "'\\200'");  // U+0080 is octal
}

TEST(Print, FloatsUseTheShortestFormThatReadsBack) {
  EXPECT_EQ(to_string(term(0.1)), "0.1");
  EXPECT_EQ(to_string(term(1.0e10)), "1.0e10");
  EXPECT_EQ(to_string(term(1.0e-5)), "1.0e-5");
  EXPECT_EQ(to_string(term(0.0001)), "0.0001");  // a tie goes to the plain form
  EXPECT_EQ(to_string(term(100.0)), "100.0");
  EXPECT_EQ(to_string(term(1000.0)), "1.0e3");
  EXPECT_EQ(to_string(term(123456789.0)), "123456789.0");
  EXPECT_EQ(to_string(term(9007199254740991.0)), "9007199254740991.0");
  EXPECT_EQ(to_string(term(9007199254740992.0)), "9.007199254740992e15");  // 2^53 and up
  EXPECT_EQ(to_string(term(-0.0)), "-0.0");
  EXPECT_EQ(to_string(term(5.0e-324)), "5.0e-324");
  EXPECT_EQ(to_string(term(1.7976931348623157e308)), "1.7976931348623157e308");
}

TEST(Print, StringsAndBinariesPrintAsTextOnlyWhenAllLatinOnePrintable) {
  EXPECT_EQ(to_string(term::string("a\nb\x1b\"\\")), "\"a\\nb\\e\\\"\\\\\"");
  EXPECT_EQ(to_string(list(7)), "[7]");
  EXPECT_EQ(to_string(list(127)), "[127]");
  EXPECT_EQ(to_string(list(0xE5, 0xE4)), "\"åä\"");
  EXPECT_EQ(to_string(term::string("日本")), "[26085,26412]");
  EXPECT_EQ(to_string(term::binary("h\xC3\xA9")), "<<\"hÃ©\">>");  // bytes, not UTF-8
  EXPECT_EQ(to_string(term::binary(std::string("abc\0", 4))), "<<97,98,99,0>>");
  EXPECT_EQ(to_string(term::binary("")), "<<>>");
  EXPECT_EQ(to_string(term::bitstring("ab\xC0", 18)), "<<97,98,3:2>>");
  EXPECT_EQ(to_string(term::list({"a"_a}, term::string("bc"))), "[a,98,99]");
  EXPECT_EQ(to_string(term::cons(97, term(98))), "[97|98]");
}

TEST(Print, CompoundTermsOnOneLine) {
  EXPECT_EQ(to_string(tuple()), "{}");
  EXPECT_EQ(to_string(term::map({})), "#{}");
  EXPECT_EQ(to_string(list(term(), tuple(term()))), "[[],{[]}]");
  EXPECT_EQ(to_string(term::map(
                {{term(1), term("y"_a)}, {term(1.0), term("x"_a)}, {term("a"_a), term(1)}})),
            "#{1 => y,1.0 => x,a => 1}");
  EXPECT_EQ(
      to_string(term(reference::from_words("a@b"_a, 1, std::vector<uint32_t>{1, 2, 3, 4, 5}))),
      "#Ref<a@b.5.4.3.2.1>");
  EXPECT_EQ(to_string(term(port_id::make(atom(), 3, 0))), "#Port<0.3>");
}
