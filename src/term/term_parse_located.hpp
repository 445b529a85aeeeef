#pragma once
// Reading Erlang term syntax while remembering where each sub-term starts. Private to otpp:
// the configuration readers use it to name the line and column of a *semantic* error ("the
// third element is 42, expected {App, Env}"), which the plain parser's terms cannot tell.
//
// Same grammar, same errors and same values as <otp/term_parse.hpp>; the plain functions
// there do not pay for positions. Thread safety: reentrant.

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "otp/term.hpp"
#include "otp/term_parse.hpp"

namespace otp::detail {

/// Where a sub-term starts: 1-based line and column (in characters), byte offset.
struct source_position {
  size_t line = 1, column = 1, offset = 0;
};

/// A term and the positions of its parts.
///
/// Invariant: `value` is what the plain parser returns for the same text. `children` holds
///  - tuples: the elements;
///  - lists written with brackets: the elements, then the tail when it is not `[]`;
///  - maps: keys and values alternating, in the order written;
///  - nothing for every other term, including string literals ("abc" is one leaf, though
///    its value is a list) and binaries.
///
/// Destruction does not recurse on the C stack (any depth parses, so any depth must go
/// away); copying does, so copy only what a reader keeps.
struct located_term {
  term value;
  source_position pos;
  std::vector<located_term> children;

  located_term() = default;
  located_term(term v, source_position p, std::vector<located_term> c = {})
      : value(std::move(v)), pos(p), children(std::move(c)) {}
  located_term(const located_term&) = default;
  located_term(located_term&&) noexcept = default;
  located_term& operator=(const located_term&) = default;
  located_term& operator=(located_term&&) noexcept = default;
  ~located_term();

  /// Child `i`, or this term when it has no such child (a string literal's characters):
  /// the closest known position of element `i`.
  const located_term& at(size_t i) const { return i < children.size() ? children[i] : *this; }
};

/// Exactly one term, optionally followed by '.'; throws term_parse_error.
located_term parse_term_located(std::string_view text);
/// What file:consult/1 reads (terms each ending with '.'); throws term_parse_error.
std::vector<located_term> consult_located(std::string_view text);

}  // namespace otp::detail
