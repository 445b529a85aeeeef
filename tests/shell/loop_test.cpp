// run_loop and run_console with a line_reader on in-memory streams: prompts, continuation
// lines, the prompt counter, errors, evaluator restarts, q() and end of input.

#include <cstdio>

#include "fixture.hpp"

using namespace otp;
using namespace shell_test;

namespace {

// A line_reader over `input`; what it writes collects in text().
class memory_terminal {
 public:
  explicit memory_terminal(const std::string& input) : input_(input) {
    in_ = fmemopen(input_.data(), input_.size(), "r");
    out_ = open_memstream(&buf_, &size_);
    reader_ = std::make_unique<shell::line_reader>(in_, out_);
  }
  ~memory_terminal() {
    reader_.reset();
    std::fclose(in_);
    std::fclose(out_);
    std::free(buf_);
  }
  shell::line_reader& reader() { return *reader_; }
  std::string text() {
    std::fflush(out_);
    return std::string(buf_, size_);
  }

 private:
  std::string input_;
  std::FILE* in_ = nullptr;
  std::FILE* out_ = nullptr;
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::unique_ptr<shell::line_reader> reader_;
};

}  // namespace

TEST(ShellLoop, PromptsOncePerStatementFromAPipeAndNumbersStatements) {
  memory_terminal term_("a.\nb\n.\n\nc. d.\n");
  std::vector<std::string> seen;
  auto evaluate = [&](const std::string& text) {
    shell::eval_result r;
    if (text.find('.') == std::string::npos) {
      r.what = shell::eval_result::kind::incomplete;
      return r;
    }
    seen.push_back(text);
    r.output = "ran\n";
    r.evaluated = text.find("d.") != std::string::npos ? 2 : 1;
    return r;
  };
  EXPECT_FALSE(shell::run_loop(term_.reader(), evaluate, [] { return "nonode@nohost"; }));
  EXPECT_EQ(term_.text(), "1> ran\n2> ran\n3> ran\n5> ");
  EXPECT_EQ(seen, (std::vector<std::string>{"a.\n", "b\n.\n", "\nc. d.\n"}));
}

TEST(ShellLoop, ShowsTheNodeNameInThePromptWhenDistributed) {
  memory_terminal term_("x.\n");
  auto evaluate = [](const std::string&) {
    shell::eval_result r;
    r.what = shell::eval_result::kind::quit;
    r.output = "ok\n";
    r.evaluated = 1;
    return r;
  };
  EXPECT_TRUE(shell::run_loop(term_.reader(), evaluate, [] { return "cpp@127.0.0.1"; }));
  EXPECT_EQ(term_.text(), "(cpp@127.0.0.1)1> ok\n");
}

TEST_F(ShellTest, ConsoleRunsASessionInAProcessUntilQuit) {
  memory_terminal term_(
      "X = 1 + 1.\nX * 10.\nself() ! hi.\nflush().\n1 +\n2.\nfoo(.\n"
      "exit(self(), kill).\nX.\nq().\nnot_read.\n");
  EXPECT_TRUE(shell::run_console(node, term_.reader()));
  EXPECT_EQ(term_.text(),
            "1> 2\n2> 20\n3> hi\n4> Shell got hi\nok\n5> 3\n"
            "6> * 1:5: syntax error before: '.'\n"
            "6> ** exception exit: killed\n"  // a new evaluator keeps the bindings
            "7> 2\n8> ok\n");
  EXPECT_EQ(quits.load(), 1);
}

TEST_F(ShellTest, ConsoleEndsAtEndOfInput) {
  memory_terminal term_("1 + 1.\n2 +");
  EXPECT_FALSE(shell::run_console(node, term_.reader()));
  EXPECT_EQ(term_.text(), "1> 2\n2> ");
  EXPECT_EQ(quits.load(), 0);
}
