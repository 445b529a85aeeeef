#pragma once
// Erlang's operators on values: arithmetic (unbounded integers, floats), bitwise, boolean,
// comparisons, ++ and --. Failures raise erlang_exception as erl does (badarith, badarg,
// with the "in operator" lines). Private to the shell.

#include <string_view>

#include "otp/term.hpp"

namespace otp::shell::detail {

// -N for a number literal.
term negate_number(const term& n);

// `a op b` for op in + - * / div rem band bor bxor bsl bsr and or xor == /= =< < >= >
// =:= =/= ++ --.
term binary_op(std::string_view op, const term& a, const term& b);

// `op a` for op in - + bnot not.
term unary_op(std::string_view op, const term& a);

}  // namespace otp::shell::detail
