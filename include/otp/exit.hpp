#pragma once
/// \file
/// Exit reasons and how a process ends.
///
/// Exit reasons are terms, as in Erlang: `normal`, `shutdown`, `killed`, `{shutdown, Why}`,
/// or anything a process passes to `otp::exit`. A C++ exception that escapes a process ends
/// it with reason `{cpp_exception, 'TypeName', <<"what()">>}`; a thrown `otp::term` that is
/// not caught ends it with `{nocatch, Term}` (Erlang's uncaught throw).

#include <exception>

#include "otp/term.hpp"

namespace otp {

/// Thrown by `otp::exit(reason)` and by the runtime when an exit signal kills a process
/// that is inside a yield point (receive, send, yield, call). It unwinds the process's stack
/// so destructors run. Deliberately not a std::exception: do not catch and swallow it; if
/// you do, the runtime throws it again at the next yield point, and the process still ends
/// with this reason when its function returns.
class exit_exception {
 public:
  explicit exit_exception(term reason) : reason_(std::move(reason)) {}
  const term& reason() const noexcept { return reason_; }

 private:
  term reason_;
};

/// The reason a C++ exception gives to the process it escapes from:
/// `{cpp_exception, 'std::runtime_error', <<"what">>}` (`unknown` type for non-std types).
term exit_reason_of(std::exception_ptr e);

}  // namespace otp
