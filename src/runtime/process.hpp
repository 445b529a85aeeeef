#pragma once
// The process control block.
//
// Ownership and thread safety, field by field:
//  - `mailbox` is pushed to by any thread; read only by the process (or by the scheduler
//    acting for it while it is suspended).
//  - `next_run` links the block into at most one queue at a time (inject queue, lane
//    pending list); the queue owns that field while the block is in it.
//  - `fctx`, `saved*`, `home` describe the process's stack; they change only under its
//    lane's lock (or before the first run, by the scheduler that starts it).
//  - Everything under "owned by the process" is touched only by code running as the process
//    (including signal handling, which the process does itself), so it needs no locks.
//  - `name` is guarded by the node's registry mutex (see registry.cpp for the flags).
// A block is reclaimed only after it leaves the process table and every thread has passed
// a quiescent point (see process_table.hpp), so a sender holding a pointer from a lookup
// can always push (a closed mailbox refuses the item).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mailbox.hpp"
#include "otp/pid.hpp"
#include "otp/process.hpp"
#include "otp/term.hpp"
#include "pool_list.hpp"
#include "timer_key.hpp"

namespace otp::detail {

class node_impl;
struct lane;
struct run_state;

enum class switch_action : uint8_t {
  none,
  yielded,        // runnable again: back of the run queue
  waiting,        // wants to block until its mailbox gets something
  exited,         // done; never resumed
  idle,           // waiting with an empty stack: drop the frames, restart the body on wake
  to_blocking,    // move me to a blocking-work thread (keep my lane locked)
  from_blocking,  // blocking job done: back to a scheduler
};

enum class run_status : uint8_t { runnable, running, waiting, exiting };

struct link_entry {
  pid peer;
  uint64_t unlink_id = 0;  // 0: linked; otherwise we sent UNLINK with this id, awaiting ack
};

struct monitor_entry {  // a monitor this process holds on `target`
  reference ref;
  pid target;
  atom name;  // set when monitoring by registered name
  bool by_name = false;
};

struct watcher_entry {  // someone monitoring this process
  reference ref;
  pid watcher;
};

// Rarely used state, allocated on first use so a plain process stays small.
struct process_ext {
  std::unique_ptr<std::string> label;    // set_process_label
  std::shared_ptr<run_state> run_watch;  // node::run waits on this process
  mailbox_item* leftover = nullptr;      // items not yet handled when an exit signal killed us
  dirty_job* blocking_job = nullptr;     // the otp::blocking job in progress
  uint64_t next_unlink_id = 1;
};

struct process {
  // Field order keeps small fields together: this block is most of what an idle process
  // costs (see bench/RESULTS.md), so padding matters.

  // --- shared ---
  inbox mailbox;
  process* next_run = nullptr;

  // --- identity ---
  uint64_t number = 0;
  node_impl* node = nullptr;

  // --- stack (guarded by the lane lock) ---
  void* fctx = nullptr;       // saved context: the stack pointer while suspended
  void* resumer = nullptr;    // context to switch back to
  lane* home = nullptr;       // null until first run
  char* saved = nullptr;      // evacuated frames
  void* eh_caught = nullptr;  // this fiber's C++ exception-handling globals (see fiber.cpp)
#if defined(OTPP_ASAN)
  void* asan_fake_stack = nullptr;
  const void* resumer_stack_bottom = nullptr;
  size_t resumer_stack_size = 0;
#endif
#if defined(OTPP_TSAN)
  void* tsan_fiber = nullptr;
  void* resumer_tsan_fiber = nullptr;
#endif

  // --- owned by the process ---
  process_body* body = nullptr;
  private_queue queue;
  process_ext* ext = nullptr;
  pool_list<link_entry> links;
  pool_list<monitor_entry> monitors;      // monitors this process holds
  pool_list<watcher_entry> monitored_by;  // monitors on this process
  term proc_lib_data;                     // {Parent, Ancestors}, for proc_lib-started processes
  term exit_reason;
  timer_key receive_timer;
  uint64_t awaited_reply = 0;  // tag id of the call this process waits on (0: none)
  uint32_t receive_seq = 0;    // identifies the current receive's timeout
  uint32_t reductions = 0;
  uint32_t saved_size = 0;
  uint32_t saved_cap = 0;
  unsigned eh_uncaught = 0;
  atom name;  // registered name: guarded by the registry mutex (see registry.cpp)

  std::atomic<run_status> status{run_status::runnable};
  switch_action action = switch_action::none;
  bool timer_armed = false;
  bool trap_exit = false;
  bool exiting = false;  // an exit reason is set; unwinding or cleaning up
  bool in_receive = false;
  bool idle_requested = false;  // the body returned to wait without a stack (request_idle)
  bool in_blocking = false;     // inside otp::blocking (the job is in ext)
  bool timed_out = false;       // the current receive's timer fired
  // Atomics, so an exiting process that never had a name skips the registry mutex.
  std::atomic<bool> named{false};
  std::atomic<bool> name_closed{false};

  pid self() const noexcept {
    return pid::local(number);
  }
  process_ext& extension() {
    if (!ext) ext = new process_ext();
    return *ext;
  }
};

// The process running on this thread, or null.
process* current_process() noexcept;
void set_current_process(process* p) noexcept;

// Reduction budget per time slice: sends and receives each cost one.
constexpr uint32_t reduction_budget = 2000;

}  // namespace otp::detail
