// The shell's own commands (erl's c module): i(), regs(), help(), flush(), pid/3,
// which_applications(), and the action behind q().

#include <algorithm>
#include <mutex>

#include "dist/rpc.hpp"
#include "otp/dist.hpp"
#include "otp/init.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "shell/builtins.hpp"
#include "shell/eval.hpp"
#include "shell/raise.hpp"
#include "shell/table_format.hpp"

namespace otp::shell::detail {

namespace {

// ---- i() and regs() -------------------------------------------------------------------

// A process's label, shortened for a column: a spawned lambda's type names the function
// that spawned it ("otp::detail::make_body<ns::f(int)::{lambda()#1}>(...)" is "ns::f").
std::string initial_call(std::string_view label) {
  constexpr std::string_view wrapper = "otp::detail::make_body<";
  constexpr std::string_view anon = "(anonymous namespace)";
  if (label.substr(0, wrapper.size()) != wrapper) return std::string(label);
  label.remove_prefix(wrapper.size());
  std::string out;
  for (size_t i = 0; i < label.size(); ++i) {
    if (label.substr(i, anon.size()) == anon) {
      out += anon;
      i += anon.size() - 1;
    } else if (label[i] == '<' || label[i] == '(') {
      break;
    } else {
      out += label[i];
    }
  }
  return out;
}

// c:i()'s columns ("~-21s ~-33s ~8s ~8s ~4s"), with what otpp knows in place of what it
// does not: Memory for Heap, Links for Reds, Status for Current Function.
std::string i_row(std::string_view a, std::string_view b, std::string_view c, std::string_view d,
                  std::string_view e) {
  return left(a, 21) + " " + left(b, 33) + " " + right(c, 8) + " " + right(d, 8) + " " +
         right(e, 4) + "\n";
}

term i(const std::vector<term>&, output& out) {
  std::vector<pid> ps = processes();
  std::sort(ps.begin(), ps.end());
  out.write(i_row("Pid", "Initial Call", "Memory", "Links", "Msgs"));
  out.write(i_row("Registered", "Status", "Stack", "", ""));
  size_t memory = 0, links = 0, msgs = 0, stack = 0;
  for (const pid& p : ps) {
    std::optional<process_info> info = get_process_info(p);
    if (!info) continue;  // ended meanwhile
    memory += info->memory;
    links += info->links.size();
    msgs += info->message_queue_len;
    stack += info->stack_bytes;
    out.write(i_row(to_string(p), initial_call(info->current_function),
                    std::to_string(info->memory), std::to_string(info->links.size()),
                    std::to_string(info->message_queue_len)));
    std::string name = info->registered_name ? std::string(info->registered_name->name()) : "";
    out.write(i_row(name, info->status.name(), std::to_string(info->stack_bytes), "", ""));
  }
  out.write(
      i_row("Total", "", std::to_string(memory), std::to_string(links), std::to_string(msgs)));
  out.write(i_row("", "", std::to_string(stack), "", ""));
  return term(atoms::ok);
}

// c:regs()'s columns ("~-21s ~-12s ~-25s ~12s ~4s"), Memory in place of Reds.
std::string regs_row(std::string_view a, std::string_view b, std::string_view c, std::string_view d,
                     std::string_view e) {
  return left(a, 21) + " " + left(b, 12) + " " + left(c, 25) + " " + right(d, 12) + " " +
         right(e, 4) + "\n";
}

term regs(const std::vector<term>&, output& out) {
  std::vector<atom> names = registered();
  std::sort(names.begin(), names.end());
  out.write("\n** Registered procs on node " + std::string(node_name().name()) + " **\n");
  out.write(regs_row("Name", "Pid", "Initial Call", "Memory", "Msgs"));
  for (atom name : names) {
    pid p = whereis(name);
    std::optional<process_info> info = p.is_null() ? std::nullopt : get_process_info(p);
    if (!info) continue;
    out.write(regs_row(name.name(), to_string(p), initial_call(info->current_function),
                       std::to_string(info->memory), std::to_string(info->message_queue_len)));
  }
  return term(atoms::ok);
}

// ---- flush() and help() ---------------------------------------------------------------

// A message as the shell shows it: terms as they are, C++ values by their term form, or
// {cpp_value, <<"Type">>} when they have none (as gen_server replies describe them).
term message_term(const any_message& m) {
  term t;
  if (const term* v = m.get<term>()) return *v;
  if (m.raw()->ops->to_term(m.raw(), t)) return t;
  return otp::tuple(atom("cpp_value"), term::binary(m.type_name()));
}

term flush(const std::vector<term>&, output& out) {
  using namespace std::chrono_literals;
  while (receive(
      [&](any_message m) {
        out.write("Shell got " + to_string(message_term(m)) + "\n");
        return true;
      },
      after(0ms, [] { return false; }))) {
  }
  return term(atoms::ok);
}

constexpr std::string_view help_text =
    "** shell internal commands **\n"
    "b()        -- display all variable bindings\n"
    "f()        -- forget all variable bindings\n"
    "f(X)       -- forget the binding of variable X\n"
    "** commands in module c **\n"
    "flush()    -- flush any messages sent to the shell\n"
    "help()     -- help info\n"
    "i()        -- information about the system\n"
    "pid(X,Y,Z) -- convert X,Y,Z to a Pid\n"
    "q()        -- quit - shorthand for init:stop()\n"
    "regs()     -- information about registered processes\n"
    "** otpp **\n"
    "which_applications() -- the running applications\n"
    "Also: erlang's built-ins, sys, gen_server and logger functions, and every function\n"
    "registered with otp::rpc (see docs/shell.md).\n";

term help(const std::vector<term>&, output& out) {
  out.write(help_text);
  return term(atoms::true_);
}

// ---- pid/3, which_applications() ------------------------------------------------------

uint32_t pid_field(const term& t) {
  std::optional<uint64_t> v = t.try_uint64();
  if (!v || *v > 0xFFFF'FFFF) throw bad_term_access("badarg");
  return uint32_t(*v);
}

term make_pid(const std::vector<term>& a, output&) {
  if (pid_field(a[0]) != 0) throw bad_term_access("badarg: only pids of this node (0)");
  return term(pid::from_fields(atom(), pid_field(a[1]), pid_field(a[2]), 0));
}

// The application controller registers application:which_applications/0 with otp::rpc; it
// is looked up at each call, so the shell works with or without it.
term which_applications(const std::vector<term>&, output&) {
  atom m("application"), f("which_applications");
  dist::rpc_outcome o = dist::apply_registered(m, f, term());
  using kind = dist::rpc_outcome::kind;
  switch (o.how) {
    case kind::returned:
      return o.value;
    case kind::thrown:
      throw o.value;
    case kind::exited:
      throw exit_exception(o.value);
    case kind::error:
      break;
  }
  if (o.value.is_atom(names::undef))
    throw erlang_exception{
        atoms::error, o.value, "undefined function application:which_applications/0", {}, o.stack};
  raise_error(o.value, "     in function  application:which_applications/0\n", o.stack);
}

// ---- q() ------------------------------------------------------------------------------

std::mutex quit_mu;
std::function<void()>& quit_action() {
  static auto* fn = new std::function<void()>();  // guarded by quit_mu; never destroyed
  return *fn;
}

}  // namespace

void run_quit_action() {
  std::function<void()> fn;
  {
    std::lock_guard lk(quit_mu);
    fn = quit_action();
  }
  if (fn) {
    fn();
  } else {
    init::stop(0, "q() in the shell");
  }
}

void add_shell_builtins(table_add add) {
  atom none;
  add(none, atom("i"), 0, i);
  add(none, atom("regs"), 0, regs);
  add(none, atom("flush"), 0, flush);
  add(none, atom("help"), 0, help);
  add(none, atom("pid"), 3, make_pid);
  add(none, atom("which_applications"), 0, which_applications);
}

}  // namespace otp::shell::detail

namespace otp::shell {

void set_quit_action(std::function<void()> action) {
  std::lock_guard lk(detail::quit_mu);
  detail::quit_action() = std::move(action);
}

}  // namespace otp::shell
