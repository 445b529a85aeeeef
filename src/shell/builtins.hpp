#pragma once
// The built-in function table and the helpers builtins share. Private to the shell.
//
// The table starts with the shell's own functions (builtins_shell.cpp), erlang's
// (builtins_erlang.cpp, builtins_process.cpp) and those of sys, gen_server and logger
// (builtins_behaviours.cpp); register_builtin adds more at any time.

#include <memory>
#include <string_view>
#include <vector>

#include "otp/server_ref.hpp"
#include "otp/shell.hpp"

namespace otp::shell::detail {

// The function registered under module:function/arity, or null.
std::shared_ptr<const builtin> find_builtin(atom module, atom function, unsigned arity);

// Registration helpers for the default tables (no locking: called while the table is built).
using table_add = void (*)(atom module, atom function, unsigned arity, builtin fn);
void add_shell_builtins(table_add add);
void add_erlang_builtins(table_add add);
void add_process_builtins(table_add add);
void add_behaviour_builtins(table_add add);

// Argument helpers: throw bad_term_access (badarg) on the wrong type.
atom arg_atom(const std::vector<term>& args, size_t i);
pid arg_pid(const std::vector<term>& args, size_t i);
// A process as Erlang names one for a call: Pid, Name or {Name, Node}.
server_ref arg_server(const term& t);

// `<0.5.0>` (and `<node@host.5.0>`, as otpp prints remote pids) back to a pid.
pid parse_pid(std::string_view text);

}  // namespace otp::shell::detail
