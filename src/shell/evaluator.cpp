// shell::evaluator: a session in a process of the node (so self(), calls and flush() work
// as in erl's shell), fed by a thread outside the node.

#include <future>
#include <memory>

#include "otp/node.hpp"
#include "otp/receive.hpp"
#include "otp/shell.hpp"

namespace otp::shell {
namespace {

struct eval_reply {
  eval_result result;
  bool evaluator_died = false;  // killed while evaluating (exit(self(), kill), ...)
};

// The promise is broken when the request is destroyed unread (the process died first, or
// the node shut down): the waiting thread learns it from the future, never waits forever.
struct eval_request {
  std::string text;
  std::shared_ptr<std::promise<eval_reply>> reply;
};

struct stop_request {};

// The evaluator process. Only its own requests are received here, so messages sent to the
// shell (self() ! x) wait in the mailbox for flush(), as in erl.
void evaluate_requests(std::shared_ptr<session> s) {
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

evaluator::evaluator(node& n) : node_(n), session_(std::make_shared<session>()) {
  worker_ = node_.spawn(evaluate_requests, session_);
}

evaluator::~evaluator() {
  node_.send(worker_, stop_request{});
}

bool evaluator::respawn() {
  try {
    worker_ = node_.spawn(evaluate_requests, session_);
    return true;
  } catch (const std::runtime_error&) {  // the node is shutting down
    return false;
  }
}

eval_result evaluator::eval(const std::string& text) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto p = std::make_shared<std::promise<eval_reply>>();
    std::future<eval_reply> f = p->get_future();
    node_.send(worker_, eval_request{text, std::move(p)});
    try {
      eval_reply r = f.get();
      if (r.evaluator_died && !respawn()) r.result = stopping();
      return std::move(r.result);
    } catch (const std::future_error&) {  // it died before reading the request
      if (!respawn()) break;
    }
  }
  return stopping();
}

}  // namespace otp::shell
