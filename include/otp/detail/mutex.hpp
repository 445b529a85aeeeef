#pragma once
// std::mutex wrapped so clang's thread-safety analysis can see acquire/release.

#include <mutex>

#include "otp/detail/thread_annotations.hpp"

namespace otp::detail {

class OTPP_CAPABILITY("mutex") mutex {
 public:
  void lock() OTPP_ACQUIRE() { m_.lock(); }
  void unlock() OTPP_RELEASE() { m_.unlock(); }
  bool try_lock() OTPP_TRY_ACQUIRE(true) { return m_.try_lock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
};

class OTPP_SCOPED_CAPABILITY lock_guard {
 public:
  explicit lock_guard(mutex& m) OTPP_ACQUIRE(m) : m_(m) { m_.lock(); }
  ~lock_guard() OTPP_RELEASE() { m_.unlock(); }
  lock_guard(const lock_guard&) = delete;
  lock_guard& operator=(const lock_guard&) = delete;

 private:
  mutex& m_;
};

}  // namespace otp::detail
