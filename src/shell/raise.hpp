#pragma once
// Erlang exceptions inside the shell: what evaluation raises, how `catch` sees it and how
// it prints (as erl_error:format_exception does). Private to the shell.

#include <string>
#include <string_view>
#include <vector>

#include "otp/atom.hpp"
#include "otp/term.hpp"

namespace otp::shell::detail {

// Atoms the shell uses that the runtime does not predefine.
namespace names {
inline const atom throw_{"throw"};
inline const atom exit{"exit"};
inline const atom erlang{"erlang"};
inline const atom undef{"undef"};
}  // namespace names

// An exception raised by an expression. Thrown as a C++ exception through the evaluator;
// deliberately not a std::exception, so builtins catching those do not swallow it.
struct erlang_exception {
  atom cls;  // error, exit or throw
  term reason;
  std::string message;  // when set, printed instead of describing `reason` (undef)
  std::string where;    // lines printed after the first: "     in operator  +/2\n..."
  term stack;           // what `catch` puts in {'EXIT', {Reason, Stack}}
};

[[noreturn]] void raise_error(term reason, std::string where = {}, term stack = term());

// "     in operator  +/2\n        called as 1 + a\n" (and for unary operators).
std::string operator_where(std::string_view op, const std::vector<term>& args);
// "     in function  element/2\n        called as element(5,{1})\n"; `module` empty for
// auto-imported functions.
std::string function_where(atom module, atom function, const std::vector<term>& args);
// [{erlang, Op, Args, []}] and [{M, F, Args, []}], for catch.
term call_stack(atom module, atom function, const std::vector<term>& args);

// "** exception error: bad argument\n" and the `where` lines.
std::string format(const erlang_exception& e);
// What `catch Expr` returns for it.
term caught_value(const erlang_exception& e);

}  // namespace otp::shell::detail
