#pragma once
// Checking and evaluating parsed statements. Private to the shell.
//
// A statement is first checked as erl_lint would (unbound variables, illegal patterns), so
// nothing of it runs when it cannot; then evaluated left to right in the calling process.
// Evaluation works on a copy of the bindings that the session keeps only if the statement
// succeeds, so a failed statement binds nothing (as in erl).

#include <map>
#include <set>
#include <string>

#include "otp/shell.hpp"
#include "shell/ast.hpp"

namespace otp::shell::detail {

using bindings = std::map<std::string, term>;

struct eval_context {
  bindings& vars;  // the statement's working copy
  output& out;     // what builtins print
  bool quit = false;
};

// Throws compile_error for the first problem, in evaluation order.
void check(const statement& s, const bindings& bound);

// The value of the last expression. Throws erlang_exception; an exit_exception that is
// ending the calling process (an exit signal) passes through untouched.
term evaluate(const statement& s, eval_context& ctx);

// What b() prints: `Name = Value` lines, sorted by name.
std::string format_bindings(const bindings& vars);

// What q() does besides ending the session: init::stop(0), or the action set for tests.
void run_quit_action();

}  // namespace otp::shell::detail
