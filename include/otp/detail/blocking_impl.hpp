#pragma once
// otp::blocking: the process's fiber moves to a blocking-work thread, runs the job on its
// own stack, and comes back to a scheduler. See src/runtime/dirty_pool.cpp.

#include <exception>
#include <optional>
#include <type_traits>

namespace otp::detail {

struct dirty_job {
  virtual void run() noexcept = 0;

 protected:
  ~dirty_job() = default;
};

// Suspends the calling process, runs job.run() on a blocking-work thread, resumes.
void run_blocking(dirty_job& job);

}  // namespace otp::detail

namespace otp {

template <class F>
auto blocking(F&& f) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  struct job final : detail::dirty_job {
    F& fn;
    std::exception_ptr error;
    std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
    explicit job(F& f) : fn(f) {}
    void run() noexcept override {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
        } else {
          result.emplace(fn());
        }
      } catch (...) {
        error = std::current_exception();
      }
    }
  } j(f);
  detail::run_blocking(j);
  if (j.error) std::rethrow_exception(j.error);
  if constexpr (!std::is_void_v<R>) return std::move(*j.result);
}

}  // namespace otp
