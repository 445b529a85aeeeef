#pragma once
// The logger's process-wide state: the bounded event queue, the logger thread that drains
// it, and the configuration (primary level and filters, handlers) that thread applies.
//
// Two mutexes, never held together by one thread:
// - qmu_ guards the queue and flush bookkeeping; callers hold it only to push an event.
// - cmu_ guards the configuration; the logger thread holds it while dispatching a batch
//   (so handlers and filters are never called concurrently and are never removed while in
//   use), configuration calls hold it to change things.
// The core is created on first use and never deleted: shutdown() at exit stops the thread
// and destroys the handlers, and anything logged after that finds gate == -1 and returns.
// fork(): both mutexes are held across it, and the child, which has no logger thread,
// starts its own on its first event (see after_fork_child).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "otp/detail/mutex.hpp"
#include "otp/logger.hpp"

namespace otp::logger::detail {

struct handler_entry {
  atom id;
  std::unique_ptr<handler> h;
  handler_config config;
  bool failed = false;  // threw; removed after the current batch
};

using filter_list = std::vector<std::pair<atom, filter>>;

class core {
 public:
  // The core, created and started on first use.
  static core& get();

  // Queues `e`, or drops and counts it when the queue is full or the logger has stopped.
  void enqueue(event&& e);
  void flush();
  // Stops the thread after it has written everything queued; destroys the handlers.
  void shutdown();

  // Configuration (see logger.hpp). Each call first flushes.
  void add_handler(atom id, std::unique_ptr<handler> h, handler_config config);
  bool remove_handler(atom id);
  std::vector<atom> handler_ids();
  void set_handler_level(atom id, level l);
  void set_handler_format(atom id, formatter_options options);
  void add_handler_filter(atom handler_id, atom filter_id, filter f);
  bool remove_handler_filter(atom handler_id, atom filter_id);
  void set_primary_level(level l);
  level primary_level();
  void add_primary_filter(atom id, filter f);
  bool remove_primary_filter(atom id);
  void set_primary_filter_default(filter_result d);
  void set_queue_capacity(size_t events);
  size_t queue_capacity();

 private:
  core();
  void run();
  void ensure_running() OTPP_REQUIRES(qmu_);
  static void before_fork();
  static void after_fork_parent();
  static void after_fork_child();
  void begin_config_change();
  void dispatch(const event& e) OTPP_REQUIRES(cmu_);
  bool passes(filter_list& filters, filter_result dflt, const event& e, atom owner)
      OTPP_REQUIRES(cmu_);
  void end_batch() OTPP_REQUIRES(cmu_);
  void update_gate() OTPP_REQUIRES(cmu_);
  handler_entry& find(atom id) OTPP_REQUIRES(cmu_);
  // The logger's own notices (drops, failing handlers and filters), written right after
  // the batch that caused them, before flush() returns.
  void note(level l, std::string text) OTPP_REQUIRES(cmu_);

  otp::detail::mutex qmu_;
  // std::condition_variable rather than _any: it owns no heap memory, so the fork child can
  // simply make fresh ones.
  std::condition_variable work_cv_;  // the logger thread waits for work
  std::condition_variable done_cv_;  // flush() waits for the logger thread
  std::vector<event> pending_ OTPP_GUARDED_BY(qmu_);
  size_t capacity_ OTPP_GUARDED_BY(qmu_);
  uint64_t dropped_unreported_ OTPP_GUARDED_BY(qmu_) = 0;
  // flush() takes a ticket; the logger thread marks tickets done after each batch.
  uint64_t flush_requested_ OTPP_GUARDED_BY(qmu_) = 0;
  uint64_t flush_done_ OTPP_GUARDED_BY(qmu_) = 0;
  bool stopping_ OTPP_GUARDED_BY(qmu_) = false;
  bool running_ OTPP_GUARDED_BY(qmu_) = false;  // worker_ is a live thread
  std::thread worker_;
  // The batch being written; only the logger thread touches it. A member rather than a
  // local so that a fork child, which has no logger thread, still owns (and frees) it.
  std::vector<event> batch_;

  otp::detail::mutex cmu_;
  std::vector<handler_entry> handlers_ OTPP_GUARDED_BY(cmu_);
  filter_list primary_filters_ OTPP_GUARDED_BY(cmu_);
  filter_result primary_default_ OTPP_GUARDED_BY(cmu_) = filter_result::log;
  level primary_ OTPP_GUARDED_BY(cmu_) = level::notice;
  bool closed_ OTPP_GUARDED_BY(cmu_) = false;
  std::vector<event> notices_ OTPP_GUARDED_BY(cmu_);
};

// Events dropped because the queue was full (a global, so reading it never starts the core).
extern std::atomic<uint64_t> dropped_total;

// Fills pid, time, location and metadata (splitting out the domain) for a new event.
void stamp(event& e, const source_location& loc, metadata md);
int64_t now_us() noexcept;

}  // namespace otp::logger::detail
