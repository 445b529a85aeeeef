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
  server_ref(const otp::pid& p) : pid_(p) {}  // NOLINT: implicit, like Erlang's ServerRef
  server_ref(atom name) : name_(name), by_name_(true) {}    // NOLINT
  server_ref(const char* name) : server_ref(atom(name)) {}  // NOLINT
  /// `{Name, Node}`: the process registered as `name` on `node` (this node or another).
  server_ref(atom name, atom node) : name_(name), node_(node), by_name_(true) {}

  bool by_name() const noexcept { return by_name_; }
  atom name() const noexcept { return name_; }
  /// The node of a `{Name, Node}` reference (empty for a plain name).
  atom node() const noexcept { return node_; }
  /// The pid of a reference by pid.
  const otp::pid& pid() const noexcept { return pid_; }
  /// True when the process is on another node: requests then travel as Erlang terms.
  bool is_remote() const noexcept;
  /// The pid now behind this reference (null when the name is not registered).
  otp::pid resolve() const;
  /// The pid or the name, as Erlang shows it in exit reasons.
  term to_term() const {
    if (!by_name_) return term(pid_);
    return node_ == atom() ? term(name_) : term::tuple({term(name_), term(node_)});
  }

 private:
  otp::pid pid_;
  atom name_;
  atom node_;
  bool by_name_ = false;
};

}  // namespace otp
