#pragma once
/// \file
/// The shell: reads Erlang expressions, evaluates them on the node, prints the results as
/// terms (the part of Erlang's shell an operator uses). See docs/shell.md.
///
///     otp::shell::session s;                       // in a process
///     auto r = s.eval("X = 1 + 1.");               // r.output == "2\n"
///     s.eval("X * 10.");                           // "20\n": bindings are kept
///     s.eval("whereis(logger) ! hello.");          // sends, prints hello
///
/// Expressions: term literals; variables (`X = Expr` binds, as Erlang's `=`: an already
/// bound variable must match; patterns on the left); arithmetic `+ - * / div rem` on
/// unbounded integers and floats, bitwise operators, comparisons, `++`/`--`,
/// `andalso`/`orelse`/`not`; tuples, lists and maps built from expressions, map updates;
/// `Pid ! Msg`; calls `f(Args)` and `m:f(Args)`; `catch`, `begin ... end`; `pid(0,1,0)`
/// and `<0.1.0>`-style pid literals; several expressions separated by `,` (the last one's
/// value prints). One or more statements end with `.`. Not supported (with a clear
/// error): `case`, `if`, `receive`, `try`, funs with clauses, comprehensions.
///
/// Functions, looked up in this order: the shell's own (`i()`, `regs()`, `q()`, `help()`,
/// `flush()`, `b()`, `f()`/`f(X)`, `pid/3`, `which_applications()`), the built-ins of
/// `erlang` (`node()`, `nodes()`, `self()`, `exit/2`, `whereis/1`, `register/2`,
/// `is_process_alive/1`, `process_info/1`, `length/1`, `element/2`, ...), `sys`
/// (`get_state/1`, `get_status/1`, `suspend/1`, `resume/1`), `gen_server` (`call/2,3`,
/// `cast/2`), `logger` (`set_primary_config(level, L)`, `get_primary_config()`), and then
/// every function registered with `otp::rpc::register_function` (the application
/// controller registers `application:start/1,2`, `stop/1`, `which_applications/0`,
/// `get_env/2`, ... there), so what erl nodes can call by rpc the shell can call too.
///
/// Errors — syntax (`* 1:5: syntax error before: '.'`), unbound variables, an exception or
/// exit in a call (`** exception error: ...`) — print as erl prints them and the session
/// goes on. Only an exit signal that kills the calling process ends it: that
/// otp::exit_exception passes through `eval`.
///
/// Thread safety: a session belongs to one process at a time; `eval` runs in the calling
/// process (it may call servers and wait). register_builtin and set_quit_action are safe
/// from any thread.

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "otp/atom.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp {
class node;
}

namespace otp::shell {

struct eval_result {
  enum class kind : uint8_t {
    value,       ///< evaluated: `value` is the (last statement's) result
    error,       ///< the last statement was a syntax error or raised; `output` says which
    incomplete,  ///< no terminating '.' yet: read more and call again with all the text
    quit,        ///< q() was evaluated: the caller ends the session (q() also stops the node)
  };
  kind what = kind::value;
  term value;
  /// Statements evaluated (or refused for an unbound variable or an exception): how far
  /// the prompt's number moves. A syntax error does not count, as in erl.
  unsigned evaluated = 0;
  /// Everything to show the user: what the evaluation printed (i(), flush(), ...) and then
  /// the value as `~p` prints it, or the error, each line ending with '\n'.
  std::string output;
};

/// What q() does besides ending the session. Unset (the default), it calls
/// `otp::init::stop(0)`, which stops the node in an orderly way; tests replace it. An
/// empty function restores the default. Safe from any thread.
void set_quit_action(std::function<void()> action);

/// Where a built-in writes what it prints (i(), regs(), flush(), help()).
class output {
 public:
  void write(std::string_view s) { text_.append(s); }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

/// A shell built-in: arguments evaluated, output to print into. Raises as an rpc handler
/// does: throw otp::rpc::error(R) (error R, printed with "in function ... called as"),
/// otp::exit(R) (exit R), an otp::term (throw), bad_term_access (badarg).
using builtin = std::function<term(const std::vector<term>& args, output& out)>;

/// Adds a built-in the shell finds before rpc-registered functions; `module` empty (atom())
/// for a local function such as `i()`. Replaces an earlier one with the same name and arity.
void register_builtin(atom module, atom function, unsigned arity, builtin fn);

class session {
 public:
  session();
  ~session();
  session(session&&) noexcept;
  session& operator=(session&&) noexcept;

  /// Evaluates the statements in `text` (ending with '.'), in order, in the calling
  /// process. Text that does not end a statement yet evaluates nothing (kind::incomplete).
  /// After q() the rest of the text is not evaluated (kind::quit).
  eval_result eval(std::string_view text);
  /// Variables bound so far, sorted by name, printed as `b()` prints them.
  std::string bindings() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Reads lines from a terminal with line editing and history (libedit), or from a pipe,
/// and writes the shell's output beside them. Thread safety: one thread at a time.
class line_reader {
 public:
  /// Standard input and output. Line editing when both are terminals; otherwise plain
  /// lines (pipes, files), with the prompt still written as erl writes it.
  /// `history_file` empty: history only for this run.
  explicit line_reader(std::string program_name, std::string history_file = {});
  /// Plain lines from `in`, prompts and output to `out`, never edited (tests, scripts).
  /// Neither stream is closed.
  line_reader(std::FILE* in, std::FILE* out);
  ~line_reader();
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;
  /// The next line without its newline, or false at end of input (Ctrl-D).
  bool read(const std::string& prompt, std::string& line);
  /// Writes `text` (results, errors) where the prompts go, and flushes.
  void write(std::string_view text);
  /// True when lines are edited on a terminal (then every line gets a prompt; erl reading
  /// a pipe prompts only for the first line of a statement, and so does run_loop).
  bool interactive() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The interactive loop: prompts `(node)N> ` as erl does (`N> ` when not distributed),
/// reads statements (continuing lines until a '.' ends them), hands each to `evaluate`,
/// prints what it returns through `in.write`, until end of input or a quit result. The
/// number moves by eval_result::evaluated. Runs on the calling (non-scheduler) thread.
/// Returns true when the loop ended by q().
bool run_loop(line_reader& in, const std::function<eval_result(const std::string&)>& evaluate,
              const std::function<std::string()>& node_name_for_prompt);

/// A shell session that lives in a process of node `n`, for a thread outside the node (a
/// console, a remote connection): eval hands the text to that process and waits for its
/// answer, so self(), calls and flush() behave as in erl's shell. When an evaluation kills
/// the process, a new one takes over with the same bindings, as erl's evaluator restarts.
/// Once the node shuts down, eval answers quit ("the node is stopping") and never hangs.
/// Thread safety: used from one non-scheduler thread at a time.
class evaluator {
 public:
  /// Starts the session's process; throws std::runtime_error if `n` is shutting down.
  explicit evaluator(node& n);
  /// Ends the session's process.
  ~evaluator();
  evaluator(const evaluator&) = delete;
  evaluator& operator=(const evaluator&) = delete;

  eval_result eval(const std::string& text);

 private:
  bool respawn();
  node& node_;
  std::shared_ptr<session> session_;
  pid worker_;
};

/// Runs a console on node `n`: run_loop with an evaluator on `n`. Call from a
/// non-scheduler thread; returns as run_loop does (false at once if `n` is shutting down).
bool run_console(node& n, line_reader& in);

}  // namespace otp::shell
