#pragma once
#include <cstdint>

namespace otp::detail {

// Identifies an armed timer: its deadline and arming order (unique per node).
struct timer_key {
  int64_t deadline = 0;
  uint64_t order = 0;
  bool operator<(const timer_key& o) const {
    return deadline != o.deadline ? deadline < o.deadline : order < o.order;
  }
};

}  // namespace otp::detail
