#pragma once
// Threads for blocking work (otp::blocking), like BEAM's dirty schedulers.
//
// A process calling otp::blocking switches out; its scheduler hands it here *without*
// releasing its lane, so the process's stack stays in place. A pool thread switches into
// the process, which runs the job on its own stack (so the job may use the caller's
// locals), then switches back; the pool thread releases the lane and makes the process
// runnable on the schedulers again.
//
// Thread safety: submit from any thread; a mutex guards the queue.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace otp::detail {

class node_impl;
struct process;

class blocking_pool {
 public:
  blocking_pool(node_impl& node, unsigned threads, size_t first_participant);
  void start();
  void stop();
  void submit(process* p);

 private:
  void loop(size_t participant);

  node_impl& node_;
  unsigned count_;
  size_t first_participant_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<process*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace otp::detail
