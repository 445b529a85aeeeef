// The read-eval-print loop, and the console: a session in a process of the node (so self(),
// calls and flush() work as in erl's shell), fed by the reading thread.

#include <future>
#include <memory>

#include "otp/dist.hpp"
#include "otp/node.hpp"
#include "otp/receive.hpp"
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

namespace {

struct eval_reply {
  eval_result result;
  bool evaluator_died = false;  // killed while evaluating (exit(self(), kill), ...)
};

struct eval_request {
  std::string text;
  std::shared_ptr<std::promise<eval_reply>> reply;
};

struct stop_request {};

// The console's evaluator process. Only its own requests are received here, so messages
// sent to the shell (self() ! x) wait in the mailbox for flush(), as in erl.
void evaluator(std::shared_ptr<session> s) {
  for (bool running = true; running;) {
    running = receive(
        [&](eval_request req) {
          try {
            req.reply->set_value({s->eval(req.text), false});
          } catch (const exit_exception& e) {  // an exit signal ends this process
            eval_result r;
            r.what = eval_result::kind::error;
            r.evaluated = 1;
            r.output = "** exception exit: " + to_string(e.reason()) + "\n";
            req.reply->set_value({std::move(r), true});
            throw;
          }
          return true;
        },
        [](stop_request) { return false; });
  }
}

eval_result stopping() {
  eval_result r;
  r.what = eval_result::kind::quit;
  r.output = "*** the node is stopping\n";
  return r;
}

}  // namespace

bool run_console(node& n, line_reader& in) {
  auto s = std::make_shared<session>();
  pid worker;
  auto respawn = [&] {
    try {
      worker = n.spawn(evaluator, s);
      return true;
    } catch (const std::exception&) {  // the node is shutting down
      return false;
    }
  };
  if (!respawn()) return false;
  // Like erl's shell, a new evaluator takes over (with the same bindings) when one dies.
  auto evaluate = [&](const std::string& text) -> eval_result {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto p = std::make_shared<std::promise<eval_reply>>();
      std::future<eval_reply> f = p->get_future();
      n.send(worker, eval_request{text, std::move(p)});
      try {
        eval_reply r = f.get();
        if (r.evaluator_died && !respawn()) r.result = stopping();
        return std::move(r.result);
      } catch (const std::future_error&) {  // it died before reading the request
        if (!respawn()) break;
      }
    }
    return stopping();
  };
  bool quit = run_loop(in, evaluate, [] { return std::string(node_name().name()); });
  n.send(worker, stop_request{});
  return quit;
}

}  // namespace otp::shell
