#pragma once
// Work a scheduler thread defers until the process it is running switches out: e.g. the
// distribution layer flushes a connection's output once per time slice instead of once per
// message (batched writes under load, and still prompt for a process that sends one request
// and waits).
//
// Thread safety: thread-local; the deferred function runs on the same thread.

namespace otp::detail {

// Runs fn() after the current process switches out (yields, waits or exits). Returns false
// when the calling thread is not running a process on a scheduler; the caller then does the
// work itself. One function per thread at a time: deferring the one already deferred is a
// no-op that returns true; a different one returns false.
bool defer_after_run(void (*fn)()) noexcept;

}  // namespace otp::detail
