// Blocking-work threads (see blocking_pool.hpp) and otp::blocking's process side.

#include "blocking_pool.hpp"

#include <stdexcept>

#include "fiber.hpp"
#include "node_impl.hpp"
#include "signals.hpp"

namespace otp::detail {

process* require_process();

void run_blocking(dirty_job& job) {
  process* p = require_process();
  if (p->exiting) die_now(p);
  if (p->in_blocking) throw std::logic_error("otpp: otp::blocking cannot nest");
  p->in_blocking = true;
  p->extension().blocking_job = &job;
  suspend(p, switch_action::to_blocking);    // we continue on a blocking thread...
  job.run();                                 // ...on our own stack
  suspend(p, switch_action::from_blocking);  // and go back to a scheduler
  p->ext->blocking_job = nullptr;
  p->in_blocking = false;
  drain(p);  // a yield point: signals that arrived meanwhile take effect
}

blocking_pool::blocking_pool(node_impl& node, unsigned threads, size_t first_participant)
    : node_(node), count_(threads), first_participant_(first_participant) {}

void blocking_pool::start() {
  for (unsigned i = 0; i < count_; ++i)
    threads_.emplace_back([this, i] { loop(first_participant_ + i); });
}

void blocking_pool::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void blocking_pool::submit(process* p) {
  node_.blocking_in_flight().fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard lk(mu_);
    queue_.push_back(p);
  }
  cv_.notify_one();
}

void blocking_pool::loop(size_t participant) {
  thread_ctx& t = tls();
  t.node = &node_;
  t.participant = participant;
  for (;;) {
    process* p;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;
      p = queue_.front();
      queue_.pop_front();
    }
    node_.reclaim().online(participant);
    t.current = p;
    switch_action a = resume(p);  // runs the job; p comes back with from_blocking
    t.current = nullptr;
    if (a != switch_action::from_blocking) std::abort();
    release_lane(*p->home);
    node_.schedule(p);
    node_.blocking_in_flight().fetch_sub(1, std::memory_order_seq_cst);
    node_.reclaim().quiescent(participant);
    node_.reclaim().offline(participant);
  }
  t = thread_ctx{};
}

}  // namespace otp::detail
