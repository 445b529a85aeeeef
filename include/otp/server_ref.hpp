#pragma once
/// \file
/// `otp::server_ref`: how behaviour APIs name a process — a pid or a registered name.

#include <string>

#include "otp/atom.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp {

class server_ref {
 public:
  server_ref(const pid& p) : pid_(p) {}  // NOLINT: implicit, like Erlang's ServerRef
  server_ref(atom name) : name_(name), by_name_(true) {}    // NOLINT
  server_ref(const char* name) : server_ref(atom(name)) {}  // NOLINT

  bool by_name() const noexcept { return by_name_; }
  atom name() const noexcept { return name_; }
  /// The pid now behind this reference (null when the name is not registered).
  pid resolve() const;
  /// The pid or the name, as Erlang shows it in exit reasons.
  term to_term() const { return by_name_ ? term(name_) : term(pid_); }

 private:
  pid pid_;
  atom name_;
  bool by_name_ = false;
};

}  // namespace otp
