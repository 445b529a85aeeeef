// Printing exceptions as erl's shell does (erl_error:format_exception/3 for the standard
// error reasons; anything else prints as the term).

#include "shell/raise.hpp"

namespace otp::shell::detail {

namespace {

std::string join_args(const std::vector<term>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ',';
    s += to_string(args[i]);
  }
  return s;
}

// "self/0 called with one argument", as erl_error words it.
std::string badarity(const term& fun, size_t args) {
  export_fun_info f = fun.as_export_fun();
  std::string name = f.module == names::erlang
                         ? to_string(term(f.function))
                         : to_string(term(f.module)) + ":" + to_string(term(f.function));
  static constexpr const char* counts[] = {"no arguments", "one argument", "two arguments"};
  std::string n = args < 3 ? counts[args] : std::to_string(args) + " arguments";
  return name + "/" + std::to_string(f.arity) + " called with " + n;
}

// The first line's text for an error reason (erl_error's explain_reason).
std::string explain(const term& r) {
  if (r.is_atom()) {
    std::string_view a = r.as_atom().name();
    if (a == "badarg") return "bad argument";
    if (a == "badarith") return "an error occurred when evaluating an arithmetic expression";
    if (a == "noproc") return "no such process or port";
    if (a == "notalive") return "the node cannot be part of a distributed system";
    if (a == "system_limit") return "a system limit has been reached";
    if (a == "timeout_value") return "bad receive timeout value";
    if (a == "if_clause") return "no true branch found when evaluating an if expression";
  }
  if (r.is_tuple(2) && r[0].is_atom(atom("badarity")) && r[1].is_tuple(2) &&
      r[1][0].is_export_fun() && r[1][1].is_list())
    return badarity(r[1][0], r[1][1].list_length());
  if (r.is_tuple(2) && r[0].is_atom()) {
    std::string_view a = r[0].as_atom().name();
    std::string v = to_string(r[1]);
    if (a == "badarg") return "bad argument: " + v;
    if (a == "badmatch") return "no match of right hand side value " + v;
    if (a == "badkey") return "bad key: " + v;
    if (a == "badmap") return "bad map: " + v;
    if (a == "badfun") return "bad function " + v;
    if (a == "case_clause") return "no case clause matching " + v;
    if (a == "try_clause") return "no try clause matching " + v;
  }
  return to_string(r);
}

}  // namespace

void raise_error(term reason, std::string where, term stack) {
  throw erlang_exception{atoms::error, std::move(reason), {}, std::move(where), std::move(stack)};
}

std::string operator_where(std::string_view op, const std::vector<term>& args) {
  // '/' alone is quoted: "//2" would read badly (erl prints '/'/2 too).
  std::string name = op == "/" ? "'/'" : std::string(op);
  std::string called = args.size() == 1
                           ? std::string(op) + " " + to_string(args[0])
                           : to_string(args[0]) + " " + std::string(op) + " " + to_string(args[1]);
  return "     in operator  " + name + "/" + std::to_string(args.size()) + "\n        called as " +
         called + "\n";
}

std::string function_where(atom module, atom function, const std::vector<term>& args) {
  std::string name = module == atom() ? to_string(term(function))
                                      : to_string(term(module)) + ":" + to_string(term(function));
  return "     in function  " + name + "/" + std::to_string(args.size()) + "\n        called as " +
         name + "(" + join_args(args) + ")\n";
}

term call_stack(atom module, atom function, const std::vector<term>& args) {
  return otp::list(otp::tuple(module, function, term::list(args), term()));
}

std::string format(const erlang_exception& e) {
  std::string first;
  if (!e.message.empty()) {
    first = e.message;
  } else if (e.cls == atoms::error) {
    first = explain(e.reason);
  } else {
    first = to_string(e.reason);
  }
  return "** exception " + std::string(e.cls.name()) + ": " + first + "\n" + e.where;
}

term caught_value(const erlang_exception& e) {
  if (e.cls == names::throw_) return e.reason;
  if (e.cls == names::exit) return otp::tuple(atoms::EXIT, e.reason);
  return otp::tuple(atoms::EXIT, otp::tuple(e.reason, e.stack));
}

}  // namespace otp::shell::detail
