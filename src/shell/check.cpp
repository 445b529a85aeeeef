// The checks erl_lint makes before the shell evaluates anything: every variable used is
// bound by then, and the left side of '=' is a pattern.

#include <set>
#include <vector>

#include "shell/arith.hpp"
#include "shell/eval.hpp"
#include "shell/parser.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

[[noreturn]] void illegal_pattern(const node& n) {
  throw compile_error{n.at, "illegal pattern"};
}

// A pattern may contain an operator on constants (`1 + 1 = 2`), which must evaluate.
bool is_constant(const node& n) {
  if (n.kind == node_kind::literal) return true;
  if (n.kind != node_kind::binop && n.kind != node_kind::unop) return false;
  for (const node_ptr& k : n.kids)
    if (!is_constant(*k)) return false;
  return true;
}

class checker {
 public:
  explicit checker(const bindings& vars) {
    for (const auto& [name, value] : vars) bound_.insert(name);
  }

  void expr(const node& n) {
    switch (n.kind) {
      case node_kind::literal:
        return;
      case node_kind::var:
        if (!bound_.count(n.text))
          throw compile_error{n.at, "variable '" + n.text + "' is unbound"};
        return;
      case node_kind::wildcard:
        throw compile_error{n.at, "variable '_' is unbound"};
      case node_kind::map:
        for (bool exact : n.exact)
          if (exact)
            throw compile_error{n.at,
                                "only association operators '=>' are allowed in map "
                                "construction"};
        break;
      case node_kind::match:
        expr(*n.kids[1]);
        pattern(*n.kids[0]);
        return;
      case node_kind::call:
        if (forget(n)) return;
        break;
      case node_kind::binop:
        binop(n);
        return;
      default:
        break;
    }
    for (const node_ptr& k : n.kids) expr(*k);
  }

 private:
  // A left-associative chain is walked in a loop, in evaluation order (as the evaluator
  // does), so a long chain does not recurse.
  void binop(const node& n) {
    std::vector<const node*> spine;
    const node* p = &n;
    for (; p->kind == node_kind::binop; p = p->kids[0].get()) spine.push_back(p);
    expr(*p);
    for (auto it = spine.rbegin(); it != spine.rend(); ++it) expr(*(*it)->kids[1]);
  }

  // f() and f(X) unbind as they run: later uses are unbound (their argument is a name, not
  // an expression).
  bool forget(const node& n) {
    const node& callee = *n.kids[0];
    if (callee.kind != node_kind::literal || !callee.value.is_atom(atom("f"))) return false;
    if (n.kids.size() == 1) {
      bound_.clear();
      return true;
    }
    if (n.kids.size() == 2 && n.kids[1]->kind == node_kind::var) {
      bound_.erase(n.kids[1]->text);
      return true;
    }
    return false;
  }

  void pattern(const node& n) {
    switch (n.kind) {
      case node_kind::literal:
      case node_kind::wildcard:
        return;
      case node_kind::var:
        bound_.insert(n.text);
        return;
      case node_kind::tuple:
      case node_kind::list:
      case node_kind::match:
        for (const node_ptr& k : n.kids) pattern(*k);
        return;
      case node_kind::map:
        for (size_t i = 0; i + 1 < n.kids.size(); i += 2) {
          if (!n.exact[i / 2]) illegal_pattern(n);
          expr(*n.kids[i]);  // keys are values: literals or bound variables
          pattern(*n.kids[i + 1]);
        }
        return;
      case node_kind::binop:
        if (n.text == "++" && n.kids[0]->kind == node_kind::literal && n.kids[0]->value.is_list()) {
          pattern(*n.kids[1]);
          return;
        }
        [[fallthrough]];
      case node_kind::unop:
        constant_pattern(n);
        return;
      default:
        illegal_pattern(n);
    }
  }

  // Constant patterns are small in practice; the height bound keeps their recursion short.
  void constant_pattern(const node& n) {
    if (n.height > 50 || !is_constant(n)) illegal_pattern(n);
    try {
      constant_value(n);
    } catch (const erlang_exception&) {
      illegal_pattern(n);
    }
  }

  static term constant_value(const node& n) {
    if (n.kind == node_kind::literal) return n.value;
    if (n.kind == node_kind::unop) return unary_op(n.text, constant_value(*n.kids[0]));
    return binary_op(n.text, constant_value(*n.kids[0]), constant_value(*n.kids[1]));
  }

  std::set<std::string> bound_;
};

}  // namespace

void check(const statement& s, const bindings& bound) {
  checker c(bound);
  for (const node_ptr& e : s) c.expr(*e);
}

}  // namespace otp::shell::detail
