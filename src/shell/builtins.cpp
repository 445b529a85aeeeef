// The built-in table: a map behind a reader-writer lock, filled with the defaults on first
// use (registering at static initialisation would be lost: otpp is a static library, and
// an object file nothing refers to is not linked).

#include "shell/builtins.hpp"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>

namespace otp::shell::detail {

namespace {

using key = std::tuple<uint32_t, uint32_t, unsigned>;  // module, function, arity

struct table {
  std::shared_mutex mu;
  std::map<key, std::shared_ptr<const builtin>> fns;  // guarded by mu
};

table* build() {
  static table* t = new table();  // never destroyed: processes may outlive statics
  static table_add add = [](atom m, atom f, unsigned arity, builtin fn) {
    t->fns[{m.index(), f.index(), arity}] = std::make_shared<const builtin>(std::move(fn));
  };
  add_shell_builtins(add);
  add_erlang_builtins(add);
  add_process_builtins(add);
  add_behaviour_builtins(add);
  return t;
}

table& builtins() {
  static table* t = build();
  return *t;
}

}  // namespace

std::shared_ptr<const builtin> find_builtin(atom module, atom function, unsigned arity) {
  table& t = builtins();
  std::shared_lock lk(t.mu);
  auto it = t.fns.find({module.index(), function.index(), arity});
  return it == t.fns.end() ? nullptr : it->second;
}

atom arg_atom(const std::vector<term>& args, size_t i) {
  return args.at(i).as_atom();
}

pid arg_pid(const std::vector<term>& args, size_t i) {
  return args.at(i).as_pid();
}

server_ref arg_server(const term& t) {
  if (t.is_pid()) return server_ref(t.as_pid());
  if (t.is_atom()) return server_ref(t.as_atom());
  if (t.is_tuple(2) && t[0].is_atom() && t[1].is_atom())
    return server_ref(t[0].as_atom(), t[1].as_atom());
  throw bad_term_access("badarg: not a process reference");
}

pid parse_pid(std::string_view s) {
  // <Node.Id.Serial>: Node is 0 for this node, or a node name (otpp's remote form).
  if (s.size() < 7 || s.front() != '<' || s.back() != '>') throw bad_term_access("badarg");
  s = s.substr(1, s.size() - 2);
  size_t b = s.rfind('.'), a = b == 0 || b == std::string_view::npos ? b : s.rfind('.', b - 1);
  if (a == std::string_view::npos || b == std::string_view::npos || a == 0)
    throw bad_term_access("badarg");
  auto number = [](std::string_view d) {
    if (d.empty() || d.size() > 10) throw bad_term_access("badarg");
    uint64_t v = 0;
    for (char c : d) {
      if (c < '0' || c > '9') throw bad_term_access("badarg");
      v = v * 10 + uint64_t(c - '0');
    }
    if (v > 0xFFFF'FFFF) throw bad_term_access("badarg");
    return uint32_t(v);
  };
  std::string_view node = s.substr(0, a);
  uint32_t id = number(s.substr(a + 1, b - a - 1)), serial = number(s.substr(b + 1));
  if (node == "0") return pid::from_fields(atom(), id, serial, 0);
  if (node.find('@') == std::string_view::npos) throw bad_term_access("badarg");
  return pid::from_fields(atom(node), id, serial, 0);
}

}  // namespace otp::shell::detail

namespace otp::shell {

void register_builtin(atom module, atom function, unsigned arity, builtin fn) {
  auto f = std::make_shared<const builtin>(std::move(fn));
  detail::table& t = detail::builtins();
  std::unique_lock lk(t.mu);
  t.fns[{module.index(), function.index(), arity}] = std::move(f);
}

}  // namespace otp::shell
