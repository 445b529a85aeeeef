// The read-eval-print loop, and the console: run_loop fed to an evaluator (evaluator.cpp).

#include <optional>

#include "otp/dist.hpp"
#include "otp/node.hpp"
#include "otp/shell.hpp"

namespace otp::shell {

bool run_loop(line_reader& in, const std::function<eval_result(const std::string&)>& evaluate,
              const std::function<std::string()>& node_name_for_prompt) {
  unsigned number = 1;
  std::string pending, line;
  for (;;) {
    std::string name = node_name_for_prompt ? node_name_for_prompt() : std::string();
    std::string prompt = name.empty() || name == "nonode@nohost" ? "" : "(" + name + ")";
    prompt += std::to_string(number) + "> ";
    // Continuation lines repeat the prompt on a terminal and get none from a pipe, as in erl.
    if (!pending.empty() && !in.interactive()) prompt.clear();
    if (!in.read(prompt, line)) return false;
    pending += line;
    pending += '\n';
    eval_result r = evaluate(pending);
    if (r.what == eval_result::kind::incomplete) continue;
    pending.clear();
    in.write(r.output);
    number += r.evaluated;
    if (r.what == eval_result::kind::quit) return true;
  }
}

bool run_console(node& n, line_reader& in) {
  std::optional<evaluator> ev;
  try {
    ev.emplace(n);
  } catch (const std::runtime_error&) {  // the node is shutting down
    return false;
  }
  return run_loop(
      in, [&](const std::string& text) { return ev->eval(text); },
      [] { return std::string(node_name().name()); });
}

}  // namespace otp::shell
