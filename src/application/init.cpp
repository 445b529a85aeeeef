// otp/init.hpp: one stop request per OS process, and threads waiting for it.
//
// Invariant: once `status` is set it changes only through reset() (the first request wins),
// and every waiter wakes when it is set. The state is never destroyed: a stop may be asked
// from a static destructor or a thread still running at exit.

#include "otp/init.hpp"

#include <condition_variable>
#include <mutex>

#include "otp/logger.hpp"

namespace otp::init {
namespace {

struct stop_state {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<int> status;  // guarded by mu
  std::string why;            // guarded by mu
};

stop_state& state() {
  static auto* s = new stop_state();  // never destroyed (see the file comment)
  return *s;
}

}  // namespace

void stop(int status, std::string why) {
  stop_state& s = state();
  {
    std::lock_guard lk(s.mu);
    if (s.status) return;  // the first request wins
    s.status = status;
    s.why = why;
  }
  s.cv.notify_all();
  // Logged after the lock: the logger may block briefly, waiters need not wait for it.
  if (why.empty()) {
    logger::notice("init: stop requested (status {})", status);
  } else {
    logger::notice("init: stop requested (status {}): {}", status, why);
  }
}

std::optional<int> stop_requested() {
  stop_state& s = state();
  std::lock_guard lk(s.mu);
  return s.status;
}

int wait_for_stop() {
  stop_state& s = state();
  std::unique_lock lk(s.mu);
  s.cv.wait(lk, [&] { return s.status.has_value(); });
  return *s.status;
}

std::optional<int> wait_for_stop(std::chrono::milliseconds timeout) {
  stop_state& s = state();
  std::unique_lock lk(s.mu);
  if (!s.cv.wait_for(lk, timeout, [&] { return s.status.has_value(); })) return std::nullopt;
  return s.status;
}

std::string stop_reason() {
  stop_state& s = state();
  std::lock_guard lk(s.mu);
  return s.why;
}

void reset() {
  stop_state& s = state();
  std::lock_guard lk(s.mu);
  s.status.reset();
  s.why.clear();
}

}  // namespace otp::init
