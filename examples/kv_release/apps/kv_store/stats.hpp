#pragma once
// kv_stats: counts kv_store's operations. A process of its own, so the counts outlive a
// crash of kv_store (one_for_one restarts only the child that died) — which the demo shows
// by killing kv_store.

#include <array>
#include <cstdint>

#include <otp/gen_server.hpp>

namespace kv {

class stats {
 public:
  enum class op : uint8_t { get, miss, put, full, erase, keys };
  static constexpr size_t op_count = 6;

  /// Cast by kv_store after each operation: counting must never slow the store down.
  struct record {
    op what;
  };
  /// The counters as #{get => N, ...}.
  struct snapshot {
    using reply = otp::term;
  };
  using calls = otp::types<snapshot>;
  using casts = otp::types<record>;

  void handle_cast(record r) { ++counts_[static_cast<size_t>(r.what)]; }
  otp::term handle_call(snapshot, const otp::from&) { return to_term(); }
  /// What sys:get_state(kv_stats) shows: the same map.
  otp::term to_term() const;

 private:
  std::array<uint64_t, op_count> counts_{};
};

}  // namespace kv
