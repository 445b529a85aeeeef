#pragma once
// The shell's syntax tree: one node type for every expression form, owned by its parent.
// Private to the shell.
//
// Invariants: `height` is 1 + the largest height of the kids, and never exceeds
// max_height (the parser refuses deeper input), so the recursive checker and evaluator
// stay well within a process's stack.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "otp/term.hpp"

namespace otp::shell::detail {

// A position in a statement, 1-based, counted from the statement's first token (as erl
// reports them: every statement starts at line 1).
struct pos {
  uint32_t line = 1;
  uint32_t column = 1;
};

enum class node_kind : uint8_t {
  literal,     // value
  var,         // text: the name
  wildcard,    // _
  tuple,       // kids: the elements
  list,        // kids: the elements, then the tail when has_tail
  map,         // kids: key, value, key, value...; exact[i]: field i uses :=
  map_update,  // kids[0]: the map; then key, value pairs as for map
  binop,       // text: the operator; kids[0] op kids[1]
  unop,        // text: the operator; kids[0]
  match,       // kids[0] = kids[1]
  send,        // kids[0] ! kids[1]
  andalso,     // kids[0] andalso kids[1]
  orelse,      // kids[0] orelse kids[1]
  call,        // kids[0]: what is called (an atom literal for f(...)); kids[1..]: arguments
  remote,      // kids[0]:kids[1](kids[2..])
  block,       // begin kids... end
  catch_,      // catch kids[0]
};

struct node {
  node_kind kind = node_kind::literal;
  pos at;
  std::string text;
  term value;
  std::vector<std::unique_ptr<node>> kids;
  std::vector<bool> exact;
  bool has_tail = false;
  uint32_t height = 1;
};

using node_ptr = std::unique_ptr<node>;

// Deeper trees are refused: evaluation recurses once per level.
inline constexpr uint32_t max_height = 1000;

// One statement: expressions separated by ',' (the last one's value is the result).
using statement = std::vector<node_ptr>;

}  // namespace otp::shell::detail
