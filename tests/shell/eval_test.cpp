// Evaluation: values, precedence, bindings, matches, errors, as erl's shell prints them
// (expected texts copied from erl 25 sessions; erl_compare_test runs erl itself).

#include <otp/init.hpp>

#include "fixture.hpp"

using namespace otp;
using namespace shell_test;

namespace {

struct example {
  const char* input;
  const char* output;
};

void expect_outputs(ShellTest& t, const std::vector<example>& table) {
  std::vector<std::string> inputs;
  for (const example& e : table) inputs.emplace_back(e.input);
  std::vector<std::string> got = t.outputs(inputs);
  for (size_t i = 0; i < table.size(); ++i) EXPECT_EQ(got[i], table[i].output) << table[i].input;
}

}  // namespace

TEST_F(ShellTest, ArithmeticFollowsErlangPrecedence) {
  expect_outputs(*this, {
                            {"1 + 1.", "2\n"},
                            {"2 * 3 + 4.", "10\n"},
                            {"2 - 3 * 4.", "-10\n"},
                            {"5 - 2 - 1.", "2\n"},
                            {"7 div 2.", "3\n"},
                            {"7 / 2.", "3.5\n"},
                            {"4 / 2.", "2.0\n"},
                            {"1 / 3.", "0.3333333333333333\n"},
                            {"-7 rem 3.", "-1\n"},
                            {"-3 div 2.", "-1\n"},
                            {"1.5 * 2.", "3.0\n"},
                            {"- - 3.", "3\n"},
                            {"-(3).", "-3\n"},
                            {"+3.", "3\n"},
                            {"bnot 5.", "-6\n"},
                            {"1 bsl 3 + 1.", "9\n"},
                            {"1 + 2 bsl 3.", "24\n"},
                            {"3 bxor 1 band 3.", "2\n"},
                            {"1 band 3 bor 4.", "5\n"},
                            {"true or false and false.", "true\n"},
                            {"true xor true.", "false\n"},
                        });
}

TEST_F(ShellTest, IntegersGrowBeyondSixtyFourBits) {
  expect_outputs(
      *this, {
                 {"2 bsl 70.", "2361183241434822606848\n"},
                 {"100000000000000000000 * 100000000000000000000.",
                  "10000000000000000000000000000000000000000\n"},
                 {"(1 bsl 100) div 3.", "422550200076076467165567735125\n"},
                 {"(1 bsl 100) rem 7.", "2\n"},
                 {"-(1 bsl 100) div 7.", "-181092942889747057356671886482\n"},
                 {"(1 bsl 100) - (1 bsl 100) + 5.", "5\n"},
                 {"-(1 bsl 70) bsr 3.", "-147573952589676412928\n"},
                 {"-(1 bsl 70) - 1 bsr 69.", "-3\n"},
                 {"(-(1 bsl 70)) band 16#FFFF_FFFF_FFFF_FFFF_FFFF.", "1207745227993911763402752\n"},
                 {"(1 bsl 64) bor 1.", "18446744073709551617\n"},
                 {"(1 bsl 64) bxor (1 bsl 64).", "0\n"},
                 {"bnot (1 bsl 64).", "-18446744073709551617\n"},
                 {"1152921504606846975 + 1.", "1152921504606846976\n"},
                 {"9223372036854775807 * 9223372036854775807.",
                  "85070591730234615847396907784232501249\n"},
                 {"(1 bsl 100) / 2.", "6.338253001141147e29\n"},
             });
}

TEST_F(ShellTest, ComparisonsListsAndMapsEvaluateAsInErlang) {
  expect_outputs(*this, {
                            {"1 == 1.0.", "true\n"},
                            {"1 =:= 1.0.", "false\n"},
                            {"1 =/= 2.", "true\n"},
                            {"1 /= 2.", "true\n"},
                            {"a < b.", "true\n"},
                            {"2 >= 2.", "true\n"},
                            {"not true.", "false\n"},
                            {"true andalso false.", "false\n"},
                            {"1 < 2 orelse x.", "true\n"},
                            {"true andalso 3.", "3\n"},
                            {"[1,2] ++ [3].", "[1,2,3]\n"},
                            {"[1,2,3] -- [2].", "[1,3]\n"},
                            {"\"ab\" -- \"a\".", "\"b\"\n"},
                            {"[1] ++ 2.", "[1|2]\n"},
                            {"[a | b].", "[a|b]\n"},
                            {"{1, [2], #{a => 3}}.", "{1,[2],#{a => 3}}\n"},
                            {"#{a => 1, b => [1,2]}.", "#{a => 1,b => [1,2]}\n"},
                            {"M = #{a => 1}, M#{a := 2, b => 3}.", "#{a => 2,b => 3}\n"},
                            {"\"ab\" \"c\".", "\"abc\"\n"},
                            {"<<\"abc\">>.", "<<\"abc\">>\n"},
                            {"<<1,2>>.", "<<1,2>>\n"},
                            {"fun lists:map/2.", "fun lists:map/2\n"},
                            {"begin 1, 2 end.", "2\n"},
                            {"F = fun erlang:length/1, F([1,2]).", "2\n"},
                            {"G = fun erlang:self/0, G(1).",
                             "** exception error: self/0 called with one argument\n"},
                            {"X = 1, X().", "** exception error: bad function 1\n"},
                            {"c:flush().", "ok\n"},
                            {"$a.", "97\n"},
                        });
}

TEST_F(ShellTest, BindingsPersistAndMatchesCompare) {
  expect_outputs(
      *this,
      {
          {"X = 1 + 1.", "2\n"},
          {"X * 10.", "20\n"},
          {"X = 3.", "** exception error: no match of right hand side value 3\n"},
          {"X = 2.", "2\n"},
          {"{A, B} = {1, 2}.", "{1,2}\n"},
          {"A + B.", "3\n"},
          {"[H | T] = [1, 2, 3].", "[1,2,3]\n"},
          {"T.", "[2,3]\n"},
          {"{C, C} = {1, 2}.", "** exception error: no match of right hand side value {1,2}\n"},
          {"C.", "* 1:1: variable 'C' is unbound\n"},
          {"{D, D} = {1, 1}.", "{1,1}\n"},
          {"P = Q = 3.", "3\n"},
          {"P + Q.", "6\n"},
          {"_ = 3.", "3\n"},
          {"\"abc\" ++ Rest = \"abcdef\".", "\"abcdef\"\n"},
          {"Rest.", "\"def\"\n"},
          {"#{a := V} = #{a => 1}.", "#{a => 1}\n"},
          {"V.", "1\n"},
          {"1 + 1 = 2.", "2\n"},
          {"-1 = -1.", "-1\n"},
          {"1 = 1.0.", "** exception error: no match of right hand side value 1.0\n"},
      });
}

TEST_F(ShellTest, AFailedStatementBindsNothing) {
  expect_outputs(*this, {
                            {"X = 1, 1/0.",
                             "** exception error: an error occurred when evaluating an arithmetic "
                             "expression\n     in operator  '/'/2\n        called as 1 / 0\n"},
                            {"X.", "* 1:1: variable 'X' is unbound\n"},
                        });
}

TEST_F(ShellTest, UnboundVariablesAreFoundBeforeAnythingRuns) {
  expect_outputs(*this, {
                            {"Y.", "* 1:1: variable 'Y' is unbound\n"},
                            {"Z = 1, self() ! hello, W.", "* 1:24: variable 'W' is unbound\n"},
                            {"Z.", "* 1:1: variable 'Z' is unbound\n"},
                            {"flush().", "ok\n"},  // the send did not run
                            {"Z = 1,\nW.", "* 2:1: variable 'W' is unbound\n"},
                            {"_.", "* 1:1: variable '_' is unbound\n"},
                            {"a + 1 = 2.", "* 1:3: illegal pattern\n"},
                            {"foo(1) = 2.", "* 1:1: illegal pattern\n"},
                        });
}

TEST_F(ShellTest, ErrorsPrintAsErlPrintsThem) {
  expect_outputs(
      *this, {
                 {"1 + a.",
                  "** exception error: an error occurred when evaluating an arithmetic expression\n"
                  "     in operator  +/2\n        called as 1 + a\n"},
                 {"1 div 0.",
                  "** exception error: an error occurred when evaluating an arithmetic expression\n"
                  "     in operator  div/2\n        called as 1 div 0\n"},
                 {"- a.",
                  "** exception error: an error occurred when evaluating an arithmetic expression\n"
                  "     in operator  -/1\n        called as - a\n"},
                 {"not 3.",
                  "** exception error: bad argument\n     in operator  not/1\n"
                  "        called as not 3\n"},
                 {"3 andalso true.", "** exception error: bad argument: 3\n"},
                 {"1 ++ [].",
                  "** exception error: bad argument\n     in operator  ++/2\n"
                  "        called as 1 ++ []\n"},
                 {"a ! x.",
                  "** exception error: bad argument\n     in operator  !/2\n"
                  "        called as a ! x\n"},
                 {"element(5, {1}).",
                  "** exception error: bad argument\n     in function  element/2\n"
                  "        called as element(5,{1})\n"},
                 {"hd([]).",
                  "** exception error: bad argument\n     in function  hd/1\n"
                  "        called as hd([])\n"},
                 {"foo:bar().", "** exception error: undefined function foo:bar/0\n"},
                 {"foo().", "** exception error: undefined shell command foo/0\n"},
                 {"throw({a, \"b\"}).", "** exception throw: {a,\"b\"}\n"},
                 {"exit({shutdown, x}).", "** exception exit: {shutdown,x}\n"},
                 {"error({badkey, a}).", "** exception error: bad key: a\n"},
                 {"error(noproc).", "** exception error: no such process or port\n"},
                 {"error(1.5).", "** exception error: 1.5\n"},
                 {"M = #{}, M#{c := 1}.", "** exception error: bad key: c\n"},
                 {"1 bsl (1 bsl 40).",
                  "** exception error: a system limit has been reached\n"
                  "     in operator  bsl/2\n        called as 1 bsl 1099511627776\n"},
                 {"1 + .", "* 1:5: syntax error before: '.'\n"},
                 {"1 ~ 2.", "* 1:3: syntax error before: '~'\n"},
                 {"1.foo.", "* 1:2: syntax error before: '.'\n"},
                 {"1 + 1.", "2\n"},  // and the session goes on
             });
}

TEST_F(ShellTest, CatchTurnsExceptionsIntoValues) {
  expect_outputs(*this, {
                            {"catch throw(x).", "x\n"},
                            {"catch exit(y).", "{'EXIT',y}\n"},
                            {"catch 1 / 0.", "{'EXIT',{badarith,[{erlang,'/',[1,0],[]}]}}\n"},
                            {"catch foo:bar(1).", "{'EXIT',{undef,[{foo,bar,[1],[]}]}}\n"},
                            {"X = catch 1 + 1.", "2\n"},
                        });
}

TEST_F(ShellTest, SeveralStatementsInOneTextRunInOrder) {
  node.run([] {
    shell::session s;
    shell::eval_result r = s.eval("X = 1. Y = X + 1. 1 +. Y * 10.");
    EXPECT_EQ(r.output, "1\n2\n* 1:4: syntax error before: '.'\n20\n");
    EXPECT_EQ(r.what, shell::eval_result::kind::value);
    EXPECT_EQ(r.value, term(20));
    EXPECT_EQ(r.evaluated, 3u);  // the syntax error does not count
  });
}

TEST_F(ShellTest, IncompleteInputEvaluatesNothing) {
  node.run([] {
    shell::session s;
    EXPECT_EQ(s.eval("X = 1. Y = 2").what, shell::eval_result::kind::incomplete);
    EXPECT_EQ(s.bindings(), "");
    shell::eval_result r = s.eval("X = 1. Y = 2\n.");
    EXPECT_EQ(r.output, "1\n2\n");
    EXPECT_EQ(s.bindings(), "X = 1\nY = 2\n");
  });
}

TEST_F(ShellTest, BAndFShowAndForgetBindings) {
  expect_outputs(*this, {
                            {"X = 5.", "5\n"},
                            {"Y = {a, \"str\", <<\"bin\">>}.", "{a,\"str\",<<\"bin\">>}\n"},
                            {"b().", "X = 5\nY = {a,\"str\",<<\"bin\">>}\nok\n"},
                            {"f(X).", "ok\n"},
                            {"b().", "Y = {a,\"str\",<<\"bin\">>}\nok\n"},
                            {"f().", "ok\n"},
                            {"b().", "ok\n"},
                        });
}

TEST_F(ShellTest, QuitCallsTheQuitActionAndEndsTheSession) {
  node.run([] {
    shell::session s;
    shell::eval_result r = s.eval("q(). 1 + 1.");
    EXPECT_EQ(r.what, shell::eval_result::kind::quit);
    EXPECT_EQ(r.output, "ok\n");  // nothing after q() runs
  });
  EXPECT_EQ(quits.load(), 1);
}

TEST_F(ShellTest, PidsReadBackFromTheirPrintedForm) {
  expect_outputs(*this, {
                            {"pid(0, 1, 0).", "<0.1.0>\n"},
                            {"list_to_pid(\"<0.7.3>\").", "<0.7.3>\n"},
                            {"<0.4.2>.", "<0.4.2>\n"},
                            {"pid_to_list(pid(0, 5, 0)).", "\"<0.5.0>\"\n"},
                        });
}

TEST_F(ShellTest, ConversionBuiltinsMatchErlang) {
  expect_outputs(*this, {
                            {"length([1,2,3]).", "3\n"},
                            {"tuple_size({1,2}).", "2\n"},
                            {"element(2, {a, b}).", "b\n"},
                            {"tl([1,2]).", "[2]\n"},
                            {"list_to_atom(\"foo bar\").", "'foo bar'\n"},
                            {"atom_to_list(hello).", "\"hello\"\n"},
                            {"integer_to_list(42).", "\"42\"\n"},
                            {"integer_to_list(255, 16).", "\"FF\"\n"},
                            {"integer_to_list(-(1 bsl 70), 16).", "\"-400000000000000000\"\n"},
                            {"list_to_integer(\"-12\").", "-12\n"},
                            {"term_to_binary(a).", "<<131,100,0,1,97>>\n"},
                            {"binary_to_term(<<131,100,0,1,97>>).", "a\n"},
                            {"binary_to_term(term_to_binary({x, [1.5]})).", "{x,[1.5]}\n"},
                            {"is_atom(a) andalso is_integer(1 bsl 80).", "true\n"},
                            {"abs(-(1 bsl 64)).", "18446744073709551616\n"},
                            {"round(2.5).", "3\n"},
                            {"erlang:max(1, 2.0).", "2.0\n"},
                        });
}

TEST_F(ShellTest, TheDeepestAcceptedExpressionsEvaluateInAProcess) {
  std::string chain = "0";
  for (int i = 0; i < 990; ++i) chain += " + 1";
  std::string nested = std::string(97, '[') + "x" + std::string(97, ']');
  std::string pattern = std::string(96, '{') + "Y" + std::string(96, '}');
  std::string value = std::string(96, '{') + "1" + std::string(96, '}');
  std::string appends = "[1]";
  for (int i = 0; i < 90; ++i) appends += " ++ [1]";
  auto out = outputs({chain + ".", "length(" + nested + ").", pattern + " = " + value + ", Y.",
                      "length(" + appends + ")."});
  EXPECT_EQ(out[0], "990\n");
  EXPECT_EQ(out[1], "1\n");
  EXPECT_EQ(out[2], "1\n");
  EXPECT_EQ(out[3], "91\n");
}

TEST_F(ShellTest, QuitAsksInitToStopByDefault) {
  shell::set_quit_action({});
  init::reset();
  EXPECT_EQ(output("q()."), "ok\n");
  EXPECT_EQ(init::stop_requested(), std::optional<int>(0));
  EXPECT_EQ(init::stop_reason(), "q() in the shell");
  init::reset();
}
