// The evaluator: expressions left to right, matches, sends, and calls, which go to the
// shell's commands, then the built-in table, then the rpc registry (see shell.hpp).

#include "shell/eval.hpp"

#include <exception>

#include "dist/rpc.hpp"
#include "otp/process.hpp"
#include "otp/rpc.hpp"
#include "shell/arith.hpp"
#include "shell/builtins.hpp"
#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

const atom shell_module("shell");
const atom c_module("c");

class evaluator {
 public:
  explicit evaluator(eval_context& ctx) : ctx_(ctx) {}

  // Each form is evaluated by its own function, kept out of line: this one recurses, and
  // must stay small on the stack (a process has a fixed-size stack; sanitizers grow frames).
  term eval(const node& n) {
    switch (n.kind) {
      case node_kind::literal:
        return n.value;
      case node_kind::var:
      case node_kind::wildcard:
        return variable(n.text);
      case node_kind::tuple:
        return tuple(n);
      case node_kind::list:
        return list(n);
      case node_kind::map:
        return map_build(n);
      case node_kind::map_update:
        return map_update(n);
      case node_kind::binop:
        return binop(n);
      case node_kind::unop:
        return unop(n);
      case node_kind::match:
        return match(n);
      case node_kind::send:
        return send(n);
      case node_kind::andalso:
      case node_kind::orelse:
        return short_circuit(n);
      case node_kind::call:
        return call(n);
      case node_kind::remote:
        return remote(n);
      case node_kind::block:
        return sequence(n.kids);
      case node_kind::catch_:
        return catch_expr(n);
    }
    return term();
  }

  term sequence(const std::vector<node_ptr>& exprs) {
    term v;
    for (const node_ptr& e : exprs) v = eval(*e);
    return v;
  }

 private:
  const term* lookup(const std::string& name, const bindings* fresh = nullptr) const {
    if (fresh) {
      auto it = fresh->find(name);
      if (it != fresh->end()) return &it->second;
    }
    auto it = ctx_.vars.find(name);
    return it == ctx_.vars.end() ? nullptr : &it->second;
  }

  // Checked before evaluation; still possible after f(X) in the same statement.
  [[gnu::noinline]] term variable(const std::string& name) {
    if (const term* v = lookup(name)) return *v;
    throw erlang_exception{atoms::error,
                           otp::tuple(atom("unbound_var"), atom(name)),
                           "variable '" + name + "' is unbound",
                           {},
                           term()};
  }

  std::vector<term> values(const node& n, size_t from) {
    std::vector<term> out;
    for (size_t i = from; i < n.kids.size(); ++i) out.push_back(eval(*n.kids[i]));
    return out;
  }

  [[gnu::noinline]] term tuple(const node& n) { return term::tuple(values(n, 0)); }

  [[gnu::noinline]] term list(const node& n) {
    std::vector<term> elems = values(n, 0);
    term tail;
    if (n.has_tail) {
      tail = std::move(elems.back());
      elems.pop_back();
    }
    return term::list(std::move(elems), std::move(tail));
  }

  [[gnu::noinline]] term map_build(const node& n) { return map_fields(term::map({}), n, 0); }
  [[gnu::noinline]] term map_update(const node& n) { return map_fields(eval(*n.kids[0]), n, 1); }

  // A left-associative chain (1 + 2 + 3 ...) is a spine of binops down the left: evaluated
  // in a loop, so a long chain does not recurse.
  [[gnu::noinline]] term binop(const node& n) {
    std::vector<const node*> spine;
    const node* p = &n;
    for (; p->kind == node_kind::binop; p = p->kids[0].get()) spine.push_back(p);
    term acc = eval(*p);
    for (auto it = spine.rbegin(); it != spine.rend(); ++it)
      acc = binary_op((*it)->text, acc, eval(*(*it)->kids[1]));
    return acc;
  }

  [[gnu::noinline]] term unop(const node& n) { return unary_op(n.text, eval(*n.kids[0])); }

  [[gnu::noinline]] term catch_expr(const node& n) {
    try {
      return eval(*n.kids[0]);
    } catch (const erlang_exception& e) {
      return caught_value(e);
    }
  }

  // Fields from kids[first]: `K => V` adds or replaces, `K := V` only replaces.
  term map_fields(term base, const node& n, size_t first) {
    if (!base.is_map()) raise_error(otp::tuple(atom("badmap"), base));
    std::vector<std::pair<term, term>> kvs(base.map_entries().begin(), base.map_entries().end());
    for (size_t i = first; i + 1 < n.kids.size(); i += 2) {
      term k = eval(*n.kids[i]);
      term v = eval(*n.kids[i + 1]);
      if (n.exact[(i - first) / 2] && !term::map(kvs).map_find(k))
        raise_error(otp::tuple(atom("badkey"), k));
      kvs.emplace_back(std::move(k), std::move(v));
    }
    return term::map(std::move(kvs));
  }

  [[gnu::noinline]] term match(const node& n) {
    term v = eval(*n.kids[1]);
    bindings fresh;
    if (!matches(*n.kids[0], v, fresh)) raise_error(otp::tuple(atoms::badmatch, v));
    for (auto& [name, value] : fresh) ctx_.vars[name] = std::move(value);
    return v;
  }

  // Binds new variables into `fresh`; the caller keeps them only if the whole match holds.
  bool matches(const node& p, const term& v, bindings& fresh) {
    switch (p.kind) {
      case node_kind::wildcard:
        return true;
      case node_kind::literal:
        return p.value == v;
      case node_kind::var:
        if (const term* bound = lookup(p.text, &fresh)) return *bound == v;
        fresh[p.text] = v;
        return true;
      case node_kind::tuple:
        if (!v.is_tuple(p.kids.size())) return false;
        for (size_t i = 0; i < p.kids.size(); ++i)
          if (!matches(*p.kids[i], v[i], fresh)) return false;
        return true;
      case node_kind::list:
        return list_matches(p, v, fresh);
      case node_kind::map:
        if (!v.is_map()) return false;
        for (size_t i = 0; i + 1 < p.kids.size(); i += 2) {
          const term* found = v.map_find(eval(*p.kids[i]));
          if (!found || !matches(*p.kids[i + 1], *found, fresh)) return false;
        }
        return true;
      case node_kind::match:
        return matches(*p.kids[0], v, fresh) && matches(*p.kids[1], v, fresh);
      case node_kind::binop:
        if (p.text == "++") return prefix_matches(p, v, fresh);
        return eval(p) == v;  // an operator on constants (checked before)
      default:
        return eval(p) == v;
    }
  }

  bool list_matches(const node& p, const term& v, bindings& fresh) {
    size_t heads = p.kids.size() - (p.has_tail ? 1 : 0);
    const term* rest = &v;
    for (size_t i = 0; i < heads; ++i) {
      if (!rest->is_cons() || !matches(*p.kids[i], rest->head(), fresh)) return false;
      rest = &rest->tail();
    }
    return p.has_tail ? matches(*p.kids.back(), *rest, fresh) : rest->is_nil();
  }

  // "abc" ++ Rest
  bool prefix_matches(const node& p, const term& v, bindings& fresh) {
    const term* rest = &v;
    for (const term* x = &p.kids[0]->value; x->is_cons(); x = &x->tail()) {
      if (!rest->is_cons() || !(rest->head() == x->head())) return false;
      rest = &rest->tail();
    }
    return matches(*p.kids[1], *rest, fresh);
  }

  [[gnu::noinline]] term short_circuit(const node& n) {
    bool is_and = n.kind == node_kind::andalso;
    term l = eval(*n.kids[0]);
    if (!l.is_boolean()) raise_error(otp::tuple(atoms::badarg, l));
    if (l.as_bool() != is_and) return l;  // false andalso _, true orelse _
    return eval(*n.kids[1]);
  }

  [[gnu::noinline]] term send(const node& n) {
    term to = eval(*n.kids[0]);
    term msg = eval(*n.kids[1]);
    try {
      if (to.is_pid()) {
        otp::send(to.as_pid(), msg);
      } else if (to.is_atom()) {
        otp::send(to.as_atom(), msg);
      } else if (to.is_tuple(2) && to[0].is_atom() && to[1].is_atom()) {
        otp::send(to[0].as_atom(), to[1].as_atom(), msg);
      } else {
        throw bad_term_access("badarg");
      }
    } catch (const bad_term_access&) {
      raise_error(term(atoms::badarg), operator_where("!", {to, msg}),
                  call_stack(names::erlang, atom("!"), {to, msg}));
    }
    return msg;
  }

  [[gnu::noinline]] term call(const node& n) {
    const node& callee = *n.kids[0];
    if (callee.kind == node_kind::literal && callee.value.is_atom()) {
      atom f = callee.value.as_atom();
      if (auto v = shell_command(f, n)) return *v;
      return local_call(f, values(n, 1));
    }
    term fn = eval(callee);
    std::vector<term> args = values(n, 1);
    if (!fn.is_export_fun()) raise_error(otp::tuple(atom("badfun"), fn));
    export_fun_info info = fn.as_export_fun();
    if (info.arity != args.size())
      raise_error(otp::tuple(atom("badarity"), otp::tuple(fn, term::list(args))));
    return remote_call(info.module, info.function, std::move(args));
  }

  // b(), f(), f(X) and q() work on the session itself.
  std::optional<term> shell_command(atom f, const node& n) {
    size_t arity = n.kids.size() - 1;
    std::string_view name = f.name();
    if (name == "b" && arity == 0) {
      ctx_.out.write(format_bindings(ctx_.vars));
      return term(atoms::ok);
    }
    if (name == "f" && arity == 0) {
      ctx_.vars.clear();
      return term(atoms::ok);
    }
    if (name == "f" && arity == 1 && n.kids[1]->kind == node_kind::var) {
      ctx_.vars.erase(n.kids[1]->text);
      return term(atoms::ok);
    }
    if (name == "q" && arity == 0) {
      ctx_.quit = true;
      run_quit_action();
      return term(atoms::ok);
    }
    return std::nullopt;
  }

  term local_call(atom f, std::vector<term> args) {
    auto arity = unsigned(args.size());
    if (auto fn = find_builtin(atom(), f, arity)) return invoke(*fn, atom(), f, args);
    if (auto fn = find_builtin(names::erlang, f, arity)) return invoke(*fn, atom(), f, args);
    throw erlang_exception{
        atoms::error,
        term(names::undef),
        "undefined shell command " + to_string(term(f)) + "/" + std::to_string(arity),
        {},
        call_stack(shell_module, f, args)};
  }

  [[gnu::noinline]] term remote(const node& n) {
    term m = eval(*n.kids[0]);
    term f = eval(*n.kids[1]);
    std::vector<term> args = values(n, 2);
    if (!m.is_atom() || !f.is_atom()) raise_error(otp::tuple(atom("badfun"), otp::tuple(m, f)));
    return remote_call(m.as_atom(), f.as_atom(), std::move(args));
  }

  term remote_call(atom m, atom f, std::vector<term> args) {
    auto arity = unsigned(args.size());
    if (auto fn = find_builtin(m, f, arity)) return invoke(*fn, m, f, args);
    if (m == c_module || m == shell_module) {  // c:i(), c:flush(), ...
      if (auto fn = find_builtin(atom(), f, arity)) return invoke(*fn, m, f, args);
    }
    if (rpc::is_registered(m, f, arity)) return registered(m, f, args);
    throw erlang_exception{atoms::error,
                           term(names::undef),
                           "undefined function " + to_string(term(m)) + ":" + to_string(term(f)) +
                               "/" + std::to_string(arity),
                           {},
                           call_stack(m, f, args)};
  }

  // A builtin's failure, as Erlang shows a failing BIF: with "in function ... called as".
  term invoke(const builtin& fn, atom m, atom f, const std::vector<term>& args) {
    try {
      return fn(args, ctx_.out);
    } catch (const erlang_exception&) {
      throw;
    } catch (const exit_exception& e) {
      if (otp::detail::exiting_by_signal()) throw;  // this process is being killed
      throw erlang_exception{names::exit, e.reason(), {}, {}, term()};
    } catch (const term& thrown) {
      throw erlang_exception{names::throw_, thrown, {}, {}, term()};
    } catch (const rpc::error& e) {
      raise_error(e.reason(), function_where(m, f, args), call_stack(m, f, args));
    } catch (const bad_term_access&) {
      raise_error(term(atoms::badarg), function_where(m, f, args), call_stack(m, f, args));
    } catch (const std::exception&) {
      raise_error(exit_reason_of(std::current_exception()), function_where(m, f, args),
                  call_stack(m, f, args));
    }
  }

  // A function registered with otp::rpc, run here as rex would run it for another node.
  term registered(atom m, atom f, const std::vector<term>& args) {
    dist::rpc_outcome o = dist::apply_registered(m, f, term::list(args));
    using kind = dist::rpc_outcome::kind;
    switch (o.how) {
      case kind::returned:
        return o.value;
      case kind::thrown:
        throw erlang_exception{names::throw_, o.value, {}, {}, term()};
      case kind::exited:
        throw erlang_exception{names::exit, o.value, {}, {}, term()};
      case kind::error:
        break;
    }
    std::string where = "     in function  " + to_string(term(m)) + ":" + to_string(term(f)) + "/" +
                        std::to_string(args.size()) + "\n";
    raise_error(o.value, std::move(where), o.stack);
  }

  eval_context& ctx_;
};

}  // namespace

term evaluate(const statement& s, eval_context& ctx) {
  return evaluator(ctx).sequence(s);
}

std::string format_bindings(const bindings& vars) {
  std::string out;
  for (const auto& [name, value] : vars) out += name + " = " + to_string(value) + "\n";
  return out;
}

}  // namespace otp::shell::detail
