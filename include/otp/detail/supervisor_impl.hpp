#pragma once
// Template part of otp::supervisor (see otp/supervisor.hpp).

#include <functional>
#include <optional>

namespace otp::supervisor::impl {

// Starts a supervisor whose spec `make` produces inside the new supervisor process.
start_result start_with(std::function<std::optional<spec>()> make, start_options opts);

}  // namespace otp::supervisor::impl

namespace otp::supervisor {

template <class Callback, class... Args>
start_result start_link(start_options opts, Args&&... args) {
  return impl::start_with(
      [... a = std::forward<Args>(args)]() -> std::optional<spec> {
        Callback cb(a...);
        return cb.init();
      },
      opts);
}

}  // namespace otp::supervisor
