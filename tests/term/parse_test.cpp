// Reading Erlang term syntax, and the errors it reports with line and column.

#include "otp/term_parse.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace otp;
using namespace otp::literals;
using namespace std::string_literals;

namespace {
parse_error_info error_of(std::string_view text) {
  auto r = try_parse_term(text);
  EXPECT_FALSE(r) << "parsed " << to_string(r.value);
  return r.error.value_or(parse_error_info{});
}
}  // namespace

TEST(Parse, ReadsTheTermInTheIssue) {
  EXPECT_EQ(parse_term("{ok, [1,2,3]}."), tuple(atoms::ok, list(1, 2, 3)));
  EXPECT_EQ(parse_term("{ok, [1,2,3]}"), tuple(atoms::ok, list(1, 2, 3)));  // the dot is optional
}

TEST(Parse, IntegersInAnyBaseWithSeparatorsAndCharacters) {
  EXPECT_EQ(parse_term("16#FF"), term(255));
  EXPECT_EQ(parse_term("2#1010"), term(10));
  EXPECT_EQ(parse_term("36#zz"), term(1295));
  EXPECT_EQ(parse_term("-16#10"), term(-16));
  EXPECT_EQ(parse_term("1_000_000"), term(1000000));
  EXPECT_EQ(to_string(parse_term("123456789012345678901234567890")),
            "123456789012345678901234567890");
  EXPECT_EQ(parse_term("- 8"), term(-8));
  EXPECT_EQ(parse_term("+9"), term(9));
  EXPECT_EQ(parse_term("$a"), term(97));
  EXPECT_EQ(parse_term("$\\n"), term(10));
  EXPECT_EQ(parse_term("$\\x{1F600}"), term(0x1F600));
  EXPECT_EQ(parse_term("$\\^A"), term(1));
  EXPECT_EQ(parse_term("$ "), term(32));
  EXPECT_EQ(parse_term("$日"), term(0x65E5));
  EXPECT_EQ(parse_term("$\\101"), term(65));
}

TEST(Parse, Floats) {
  EXPECT_EQ(parse_term("1.5"), term(1.5));
  EXPECT_EQ(parse_term("-0.5"), term(-0.5));
  EXPECT_EQ(parse_term("1.0e10"), term(1.0e10));
  EXPECT_EQ(parse_term("2.5E-3"), term(2.5e-3));
  EXPECT_EQ(parse_term("1_0.2_5"), term(10.25));
  EXPECT_EQ(error_of("1.0e400").message, "1:1: float 1.0e400 is out of range");
}

TEST(Parse, AtomsBareAndQuoted) {
  EXPECT_EQ(parse_term("ok"), term(atoms::ok));
  EXPECT_EQ(parse_term("'hello world'"), term(atom("hello world")));
  EXPECT_EQ(parse_term("'it\\'s'"), term(atom("it's")));
  EXPECT_EQ(parse_term("a@b_C1"), term(atom("a@b_C1")));
  EXPECT_EQ(parse_term("''"), term(atom()));
  EXPECT_EQ(parse_term("åäö"), term(atom("åäö")));
  EXPECT_EQ(parse_term("'\\x{65E5}'"), term(atom("日")));
  EXPECT_EQ(parse_term("'receive'"), term(atom("receive")));
}

TEST(Parse, StringsWithEscapesConcatenateWhenAdjacent) {
  EXPECT_EQ(parse_term("\"abc\" \"def\""), term::string("abcdef"));
  EXPECT_EQ(parse_term("\"t\\t\\n\\\"\\\\\\e\\d\\s\""), term::string("t\t\n\"\\\x1b\x7f "));
  EXPECT_EQ(parse_term("\"日本\""), term::string("日本"));
  EXPECT_EQ(parse_term("\"\""), term());
  EXPECT_EQ(parse_term("\"\\1234\""), term::string("S4"));  // at most three octal digits
  EXPECT_EQ(parse_term("\"\\q\""), term::string("q"));      // unknown escapes are the character
  EXPECT_EQ(parse_term("\"a\nb\""), term::string("a\nb"));  // raw newlines are allowed
}

TEST(Parse, BinariesWithSegments) {
  EXPECT_EQ(parse_term("<<\"abc\">>"), term::binary("abc"));
  EXPECT_EQ(parse_term("<<1,2,3>>"), term::binary("\x01\x02\x03"));
  EXPECT_EQ(parse_term("<<>>"), term::binary(""));
  EXPECT_EQ(parse_term("<<1:3>>"), term::bitstring("\x20", 3));
  EXPECT_EQ(parse_term("<<97,98,3:2>>"), term::bitstring("ab\xC0", 18));
  EXPECT_EQ(parse_term("<<\"é\"/utf8>>"), term::binary("é"));
  EXPECT_EQ(parse_term("<<\"ab\"/utf16>>"), term::binary(std::string("\0a\0b", 4)));
  EXPECT_EQ(parse_term("<<300:16>>"), term::binary("\x01\x2C"));
  EXPECT_EQ(parse_term("<<-1:16/little>>"), term::binary("\xFF\xFF"));
  EXPECT_EQ(parse_term("<<1:4/unit:2>>"), term::binary("\x01"));
  EXPECT_EQ(parse_term("<<256>>"), term::binary(std::string(1, '\0')));  // truncated to 8 bits
  EXPECT_EQ(parse_term("<<1.5/float>>"), term::binary("\x3F\xF8\0\0\0\0\0\0"s));
  EXPECT_EQ(parse_term("<<1.5:32/float>>"), term::binary("\x3F\xC0\0\0"s));
  EXPECT_EQ(parse_term("<<$a, \"b\">>"), term::binary("ab"));
  EXPECT_FALSE(try_parse_term("<<\"x\"/binary>>"));
  EXPECT_FALSE(try_parse_term("<<1/bogus>>"));
  EXPECT_FALSE(try_parse_term("<<1.5>>"));
  EXPECT_FALSE(try_parse_term("<<a>>"));
}

TEST(Parse, ListsTuplesAndMaps) {
  EXPECT_EQ(parse_term("[]"), term());
  EXPECT_EQ(parse_term("[a|b]"), term::cons(term("a"_a), term("b"_a)));
  EXPECT_EQ(parse_term("[1,2|[3]]"), list(1, 2, 3));
  EXPECT_EQ(parse_term("{}"), term::tuple({}));
  EXPECT_EQ(parse_term("{a,{b}}"), tuple("a"_a, tuple("b"_a)));
  EXPECT_EQ(parse_term("#{}"), term::map({}));
  EXPECT_EQ(parse_term("#{a => 1, \"k\" => [v]}"),
            term::map({{term("a"_a), term(1)}, {term::string("k"), list("v"_a)}}));
  EXPECT_EQ(parse_term("fun lists:map/2"), term::export_fun("lists"_a, "map"_a, 2));
}

TEST(Parse, CommentsAndWhitespaceAreSkipped) {
  EXPECT_EQ(parse_term("% lead\n{a, % inner\n b} % trail"), tuple("a"_a, "b"_a));
}

TEST(Parse, ConsultReadsTermsEachEndingWithADot) {
  auto ts = consult("a. {b, 1}.\n% comment\n[c].\n");
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[1], tuple("b"_a, 1));
  EXPECT_TRUE(consult("  % nothing\n").empty());
  auto r = try_consult("a. b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.terms.size(), 1u);
  EXPECT_EQ(r.error->message, "1:5: expected '.' after the term, found end of input");
  EXPECT_THROW(consult("a b."), term_parse_error);
  EXPECT_THROW(consult_file("/nonexistent/file"), std::runtime_error);
}

TEST(Parse, ErrorsGiveLineAndColumn) {
  auto e = error_of("{ok,\n  [1, 2}");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 8u);
  EXPECT_EQ(e.message, "2:8: expected ',', '|' or ']' after a list element, found '}'");
  EXPECT_EQ(error_of("\"abc").message, "1:1: unterminated string starting here");
  EXPECT_EQ(error_of("  'abc").message, "1:3: unterminated quoted atom starting here");
  EXPECT_EQ(error_of("{a, X}").message, "1:5: variables are not allowed in a term: X");
  EXPECT_EQ(error_of("<0.1.0>").message,
            "1:1: unexpected '<' (pids, references and ports cannot be read)");
  EXPECT_EQ(error_of("[1 2]").message,
            "1:4: expected ',', '|' or ']' after a list element, found integer 2");
  EXPECT_EQ(error_of("#{a 1}").message, "1:5: expected '=>' after a map key, found integer 1");
  EXPECT_EQ(error_of("{a,").message, "1:4: expected a term, found end of input");
  EXPECT_EQ(error_of("[a|b|c]").message, "1:5: expected ']' after the tail of a list, found '|'");
  EXPECT_EQ(error_of("37#1").message, "1:1: integer base 37 is not 2..36");
  EXPECT_EQ(error_of("16#").message, "1:1: no digits after 16#");
  EXPECT_EQ(error_of("a.b").message, "1:2: '.' must be followed by white space to end a term");
  EXPECT_EQ(error_of("receive").message, "1:1: expected a term, found reserved word 'receive'");
  EXPECT_EQ(error_of("-a").message, "1:2: expected a number after unary '-', found atom a");
  EXPECT_EQ(error_of("1 2").message,
            "1:3: expected the end of input after the term, found integer 2");
  EXPECT_EQ(error_of("\"\\x{110000}\"").message,
            "1:3: character code in \\x{...} is beyond Unicode");
  EXPECT_EQ(error_of("$").message, "1:1: character literal $ without a character");
  EXPECT_EQ(error_of("'\\").message, "1:1: unterminated escape sequence");
  EXPECT_EQ(error_of("\xFF").message, "1:1: invalid UTF-8");
  EXPECT_EQ(error_of("a ++ b").message, "1:3: expected the end of input after the term, found '+'");
  EXPECT_EQ(error_of("fun m:f/256").message, "1:9: expected an arity 0..255, found integer 256");
  EXPECT_EQ(error_of("'" + std::string(256, 'a') + "'").message,
            "1:1: atom longer than 255 characters");
  EXPECT_EQ(error_of("= ").message, "1:1: unexpected '='");
  EXPECT_EQ(error_of("~").message, "1:1: unexpected '~'");
  EXPECT_THROW(parse_term("{"), term_parse_error);
  try {
    parse_term("\n\n   }");
  } catch (const term_parse_error& ex) {
    EXPECT_EQ(ex.line(), 3u);
    EXPECT_EQ(ex.column(), 4u);
  }
}

TEST(Parse, DeeplyNestedBracketsParseWithoutRecursion) {
  constexpr size_t depth = 200'000;
  std::string text = std::string(depth, '[') + std::string(depth, ']');
  term t = parse_term(text);
  size_t n = 0;
  for (const term* p = &t; p->is_cons(); p = &p->head()) ++n;
  EXPECT_EQ(n, depth - 1);  // the innermost [] is nil
  std::string tuples;
  for (int i = 0; i < 100000; ++i) tuples += "{a,";
  tuples += "1";
  for (int i = 0; i < 100000; ++i) tuples += "}";
  EXPECT_TRUE(try_parse_term(tuples));
}

TEST(Parse, EveryLexicalAndBinarySegmentErrorIsReported) {
  EXPECT_EQ(error_of("\"\\xZ\"").message, "1:3: \\x needs two hexadecimal digits or {...}");
  EXPECT_EQ(error_of("\"\\x{}\"").message, "1:3: \\x{ needs hexadecimal digits and a closing }");
  EXPECT_EQ(error_of("\"\\x{41\"").message, "1:3: \\x{ needs hexadecimal digits and a closing }");
  EXPECT_EQ(error_of("#a").message, "1:1: '#' must start a map: #{");
  EXPECT_EQ(error_of(">").message, "1:1: unexpected '>'");
  EXPECT_EQ(error_of("'\\x{D800}'").message, "1:1: atom contains a character that is not Unicode");
  EXPECT_EQ(error_of("_x").message, "1:1: variables are not allowed in a term: _x");
  EXPECT_EQ(error_of("fun m/1").message, "1:6: expected ':' after the module name, found '/'");
  EXPECT_EQ(error_of("fun 1").message, "1:5: expected a module name after 'fun', found integer 1");
  EXPECT_EQ(error_of("fun m:1").message, "1:7: expected a function name, found integer 1");
  EXPECT_EQ(error_of("fun m:f 1").message,
            "1:9: expected '/' after the function name, found integer 1");
  EXPECT_EQ(error_of("<<1 2>>").message,
            "1:5: expected ',' or '>>' after a binary segment, found integer 2");
  EXPECT_EQ(error_of("<<\"a\"/utf8:8>>").message,
            "1:11: expected ',' or '>>' after a binary segment, found ':'");
  EXPECT_EQ(error_of("<<1:8/utf8>>").message, "1:3: utf segments take no size");
  EXPECT_EQ(error_of("<<1.5:8/float>>").message, "1:3: float segments are 16, 32 or 64 bits");
  EXPECT_EQ(error_of("<<1.5:16/float>>").message, "1:3: 16-bit float segments are not supported");
  EXPECT_EQ(error_of("<<1:3/little>>").message,
            "1:3: little-endian integer segments must be whole bytes");
  EXPECT_EQ(error_of("<<100000000000000000000:72>>").message,
            "1:3: integer segments over 64 bits need a small value");
  EXPECT_EQ(error_of("<<1/unit:0>>").message, "1:5: unit must be 1..256");
  EXPECT_EQ(error_of("<<1/unit>>").message, "1:9: expected ':' after unit, found '>>'");
  EXPECT_EQ(error_of("<<1.5/integer>>").message, "1:3: a float in an integer segment (add /float)");
  EXPECT_EQ(error_of("<<16#110000/utf8>>").message, "1:3: not a Unicode code point: 1114112");
  EXPECT_EQ(error_of("<<1:a>>").message, "1:5: expected a segment size, found atom a");
  EXPECT_EQ(error_of("<<1/1>>").message, "1:5: expected a type specifier, found integer 1");
  EXPECT_EQ(error_of("<<1:99999999>>").message,
            "1:5: expected a segment size, found integer 99999999");
  EXPECT_EQ(error_of("<<-\"a\">>").message,
            "1:4: expected a number, character or string in a binary, found a string");
  EXPECT_EQ(error_of("#{a => 1 b}").message,
            "1:10: expected ',' or '}' after a map value, found atom b");
  EXPECT_EQ(error_of("{a b}").message,
            "1:4: expected ',' or '}' after a tuple element, found atom b");
  // Big and little endian, signedness and 64-bit values all write the right bits.
  EXPECT_EQ(parse_term("<<1:16/big-unsigned, -2:8/signed, 16#0102:16/little-integer>>"),
            term::binary("\x00\x01\xFE\x02\x01"s));
  EXPECT_EQ(parse_term("<<-1:72>>"), term::binary(std::string(9, '\xFF')));
  EXPECT_EQ(parse_term("<<$\\x{1F600}/utf16-little>>"), term::binary("\x3D\xD8\x00\xDE"s));
  EXPECT_EQ(parse_term("<<16#41/utf32>>"), term::binary("\0\0\0A"s));
  EXPECT_EQ(parse_term("<<16#41/utf32-little>>"), term::binary("A\0\0\0"s));
  EXPECT_EQ(parse_term("<<1.5/float-little>>"), term::binary("\0\0\0\0\0\0\xF8\x3F"s));
  EXPECT_EQ(parse_term("<<-1.5/float>>"), term::binary("\xBF\xF8\0\0\0\0\0\0"s));
}
