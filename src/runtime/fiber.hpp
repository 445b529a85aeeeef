#pragma once
// Switching between a thread's own stack and a process's stack (Boost.Context fcontext),
// keeping the sanitizers and the C++ exception runtime informed.
//
// Why the extra work on each switch:
//  - ASan and TSan track "the current stack"; unannounced switches cause false reports.
//  - The C++ runtime keeps caught-exception state per thread (__cxa_get_globals). A process
//    that suspends inside a catch block and resumes on another thread must take that state
//    with it, so each switch swaps it in and out.

#include "process.hpp"

namespace otp::detail {

// Gives a fresh process its initial context at the top of lane `l`.
// REQUIRES: l locked and empty.
void prepare_fresh(process* p, lane& l);

// Runs p (on the calling thread) until it switches back; returns why it did.
switch_action resume(process* p);

// Switches from the running process back to the thread that resumed it, telling it `a`.
// Returns when the process is resumed again (possibly on another thread).
void suspend(process* p, switch_action a);

// The last switch of an exited process, or (idle) of a process going stackless: either
// way this stack is never resumed; an idle process restarts on a fresh stack when woken.
[[noreturn]] void final_switch(process* p, switch_action a = switch_action::exited);

// Frees per-fiber sanitizer state of an exited process. REQUIRES: not running it.
void release_fiber(process* p);

// The process's body and exit handling; defined in process_lifecycle.cpp.
void process_main(process* p);

}  // namespace otp::detail
