// The same input typed into erl's shell and into ours gives the same transcript. erl runs
// with its input piped (prompts, then results, no echo), as run_console does with a plain
// line_reader. Skipped when erl is not installed.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"

using namespace otp;
using namespace shell_test;

namespace {

// Deterministic inputs (no pids or references) whose results fit erl's 80 columns: erl
// breaks longer terms over lines, which the shell does not do.
const char* const session_input = R"(X = 1 + 1.
X * 10.
X = 3.
Y.
1 + a.
1 / 0.
1 div 0.
- a.
not 3.
3 andalso true.
true andalso 3.
a ! x.
1 ++ [].
foo:bar().
foo().
throw(x).
exit(x).
error(x).
error({badkey, a}).
error({badmap, 1}).
error(system_limit).
1 + .
f(, ).
10 > 9 == true.
1 foo.
1 "abc".
1 'Foo'.
1 end.
1 ~ 2.
1.foo.
"abc
".
7 div 2.
7 / 2.
-7 rem 3.
2 * 3 + 4.
2 - 3 * 4.
5 - 2 - 1.
1 / 3.
4 / 2.
1.5 * 2.
1 == 1.0.
1 =:= 1.0.
1 =/= 2.
a < b.
[1,2] ++ [3].
[1,2,3] -- [2].
"ab" -- "a".
[1] ++ 2.
1 band 3 bor 4.
1 bsl 3 + 1.
1 + 2 bsl 3.
3 bxor 1 band 3.
true or false and false.
bnot 5.
- - 3.
not true.
1 < 2 orelse x.
{1, X, [X|[]], #{a => X}}.
2 bsl 70.
100000000000000000000 * 100000000000000000000.
(1 bsl 100) div 3.
-(1 bsl 100) div 7.
-(1 bsl 70) - 1 bsr 69.
(-(1 bsl 70)) band 16#FFFF_FFFF_FFFF_FFFF_FFFF.
9223372036854775807 * 9223372036854775807.
(1 bsl 100) / 2.
1 bsl (1 bsl 40).
A = B = 3.
A + B.
{C, C} = {1, 2}.
C.
{D, D} = {1, 1}.
_.
_ = 3.
a + 1 = 2.
foo(1) = 2.
1 + 1 = 2.
"abc" ++ T = "abcdef".
T.
#{k := V} = #{k => v}.
V.
X2 = 1, Y2.
Z = 1,
W.
Z.
1 +
2.
X3 = 1, 1/0.
X3.
b().
f(X).
f(A).
b().
f().
b().
catch throw(x).
catch exit(y).
"abc" ++ "def".
[a | b].
<<"abc">>.
<<1,2>>.
$a.
fun lists:map/2.
begin 1, 2 end.
F = fun erlang:length/1, F([1,2]).
G = fun erlang:self/0, G(1).
X9 = 1, X9().
c:flush().
length([1,2,3]).
tuple_size({1,2}).
list_to_atom("foo bar").
atom_to_list(hello).
integer_to_list(255, 16).
term_to_binary(a).
binary_to_term(<<131,100,0,1,97>>).
pid(0,1,0).
list_to_pid("<0.1.0>").
<0.4.2>.
node().
nodes().
self() ! hi, ok.
flush().
flush().
logger:set_primary_config(level, foo).
)";

std::string read_all(std::FILE* f) {
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

bool erl_installed() {
  return std::system("command -v erl >/dev/null 2>&1") == 0;
}

// erl's transcript without its banner and its final "*** Terminating erlang" line.
std::string erl_transcript(const std::string& input) {
  namespace fs = std::filesystem;
  std::string dir_template = (fs::temp_directory_path() / "otpp_shell_erl_XXXXXX").string();
  if (!mkdtemp(dir_template.data())) return "mkdtemp failed";
  fs::path dir(dir_template);
  std::ofstream(dir / "input.txt") << input;
  std::string cmd =
      "cd '" + dir.string() + "' && HOME='" + dir.string() + "' erl +pc latin1 < input.txt 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out = p ? read_all(p) : "popen failed";
  if (p) pclose(p);
  fs::remove_all(dir);
  size_t first = out.find('\n');
  out = first == std::string::npos ? out : out.substr(first + 1);
  size_t end = out.rfind("*** Terminating erlang");
  return end == std::string::npos ? out : out.substr(0, end);
}

std::string our_transcript(node& n, const std::string& input) {
  std::string text = input;
  std::FILE* in = fmemopen(text.data(), text.size(), "r");
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  {
    shell::line_reader reader(in, out);
    shell::run_console(n, reader);
  }
  std::fclose(in);
  std::fclose(out);
  std::string s(buf, size);
  std::free(buf);
  return s;
}

}  // namespace

TEST_F(ShellTest, TranscriptMatchesErlsForTheSameInput) {
  if (!erl_installed()) GTEST_SKIP() << "erl is not installed";
  std::string expected = erl_transcript(session_input);
  std::string got = our_transcript(node, session_input);
  EXPECT_EQ(got, expected);
}
