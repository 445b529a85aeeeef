// The shell's reader: operator tokens (lex_mode::shell), statement splitting, incomplete
// input, and depth limits.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shell/parser.hpp"
#include "term/term_lex.hpp"

using namespace otp;
using otp::detail::lex_mode;
using otp::detail::lexer;
using otp::detail::tok;

namespace {

// Token texts of `src` lexed in shell mode: punctuation as itself, others by kind.
std::vector<std::string> tokens(std::string_view src) {
  lexer lx(src, lex_mode::shell);
  std::vector<std::string> out;
  for (;;) {
    otp::detail::token t = lx.next();
    if (t.kind == tok::end) return out;
    if (t.kind == tok::punct || t.kind == tok::reserved || t.kind == tok::var) {
      out.push_back(t.text);
    } else if (t.kind == tok::dot) {
      out.push_back(".");
    } else {
      out.push_back(to_string(t.value));
    }
  }
}

using strings = std::vector<std::string>;

}  // namespace

TEST(ShellLexer, ReadsErlangOperatorsAsSingleTokens) {
  EXPECT_EQ(tokens("a =:= b =/= c == d /= e =< f >= g < h > i"),
            (strings{"a", "=:=", "b", "=/=", "c", "==", "d", "/=", "e", "=<", "f", ">=", "g", "<",
                     "h", ">", "i"}));
  EXPECT_EQ(tokens("P ! m; x ++ y -- z * 2 -> #{k := v}"),
            (strings{"P", "!", "m", ";", "x", "++", "y", "--", "z", "*", "2", "->", "#{", "k",
                     ":=", "v", "}"}));
}

TEST(ShellLexer, TakesTheLongestOperatorAsErlScanDoes) {
  // erl reads X=<<1>> as X =< <1>> too: the shell must not guess otherwise.
  EXPECT_EQ(tokens("X=<<1>>"), (strings{"X", "=<", "<", "1", ">>"}));
  EXPECT_EQ(tokens("X = <<1>>"), (strings{"X", "=", "<<", "1", ">>"}));
}

TEST(ShellLexer, ReadsLocalPidLiteralsOnly) {
  EXPECT_EQ(tokens("<0.42.7>"), (strings{"<0.42.7>"}));
  EXPECT_EQ(tokens("A<0.5"), (strings{"A", "<", "0.5"}));
  lexer lx("<1.2.3>", lex_mode::shell);  // a remote node number: not a pid literal
  EXPECT_NE(lx.next().kind, tok::pid);
}

TEST(ShellLexer, LeavesTheTermModeAsItWas) {
  lexer lx("= ", lex_mode::term);
  EXPECT_THROW(lx.next(), otp::detail::lex_error);
  lexer lx2("<0.1.0>", lex_mode::term);
  EXPECT_THROW(lx2.next(), otp::detail::lex_error);
}

TEST(ShellReader, SplitsTextIntoDotTerminatedStatements) {
  auto parts = shell::detail::split_statements("1. 2,\n3.\n");
  EXPECT_FALSE(parts.incomplete);
  ASSERT_EQ(parts.statements.size(), 2u);
  EXPECT_EQ(parts.statements[1].size(), 4u);  // 2 , 3 .
}

TEST(ShellReader, ReportsTextWithoutAFinalDotAsIncomplete) {
  for (const char* text : {"", "  \n", "1 +", "1. 2", "\"abc.", "'quoted", "f(, )"})
    EXPECT_TRUE(shell::detail::split_statements(text).incomplete) << text;
}

TEST(ShellParser, RefusesNestingDeeperThanItsLimitWithoutCrashing) {
  std::string deep = std::string(5000, '(') + "1" + std::string(5000, ')') + ".";
  auto parts = shell::detail::split_statements(deep);
  ASSERT_EQ(parts.statements.size(), 1u);
  try {
    shell::detail::parse_statement(std::move(parts.statements[0]), deep);
    FAIL() << "parsed";
  } catch (const shell::detail::compile_error& e) {
    EXPECT_EQ(e.message, "expression nested too deeply");
  }
}

TEST(ShellParser, RefusesOperatorChainsTallerThanTheEvaluatorAllows) {
  std::string chain = "1";
  for (int i = 0; i < 3000; ++i) chain += " + 1";
  chain += ".";
  auto parts = shell::detail::split_statements(chain);
  EXPECT_THROW(shell::detail::parse_statement(std::move(parts.statements[0]), chain),
               shell::detail::compile_error);
}

TEST(ShellParser, NamesTheTokenBeforeWhichTheSyntaxFails) {
  auto error_of = [](std::string text) {
    auto parts = shell::detail::split_statements(text);
    try {
      shell::detail::parse_statement(std::move(parts.statements.at(0)), text);
    } catch (const shell::detail::compile_error& e) {
      return shell::detail::format(e);
    }
    return std::string("parsed");
  };
  EXPECT_EQ(error_of("1 + ."), "* 1:5: syntax error before: '.'\n");
  EXPECT_EQ(error_of("f(, )."), "* 1:3: syntax error before: ','\n");
  EXPECT_EQ(error_of("1 foo."), "* 1:3: syntax error before: foo\n");
  EXPECT_EQ(error_of("1 'Foo'."), "* 1:3: syntax error before: 'Foo'\n");
  EXPECT_EQ(error_of("1 \"abc\"."), "* 1:3: syntax error before: \"abc\"\n");
  EXPECT_EQ(error_of("1 X."), "* 1:3: syntax error before: X\n");
  EXPECT_EQ(error_of("1 end."), "* 1:3: syntax error before: 'end'\n");
  EXPECT_EQ(error_of("1 $a."), "* 1:3: syntax error before: $a\n");
  EXPECT_EQ(error_of("1 2.5."), "* 1:3: syntax error before: 2.5\n");
  EXPECT_EQ(error_of("10 > 9 == true."), "* 1:8: syntax error before: '=='\n");
  EXPECT_EQ(error_of("case X of _ -> 1 end."),
            "* 1:1: 'case' expressions are not supported in this shell\n");
}
