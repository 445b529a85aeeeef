#pragma once
// The node's clock and timers (send_after and receive timeouts).
//
// Timers are kept in deadline order (ties in arming order) under one mutex. With the real
// clock a timer thread sleeps until the earliest deadline; with the manual clock nothing
// fires until advance() moves time, which fires due timers on the caller's thread, in
// order. A timer never fires before its deadline.
//
// Thread safety: all operations from any thread. Firing happens outside the mutex.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "otp/detail/message.hpp"
#include "otp/pid.hpp"
#include "timer_key.hpp"

namespace otp::detail {

class node_impl;

class timer_service {
 public:
  timer_service(node_impl& node, bool manual);
  ~timer_service();
  void start();
  void stop();  // drops pending timers

  int64_t now_ms() const;
  int64_t now_us() const;    // deadlines are kept in microseconds
  void advance(int64_t ms);  // manual clock only

  // send_after: delivers `m` to `to` (or to `name`'s holder) at now + delay.
  reference arm_message(int64_t delay_ms, const pid& to, atom name, message_base* m);
  std::optional<int64_t> cancel(const reference& ref);  // remaining ms
  std::optional<int64_t> read(const reference& ref) const;

  // Receive timeouts: a timeout item with `seq` goes to process `number` at the deadline.
  timer_key arm_receive(uint64_t number, uint64_t seq, int64_t delay_ms);
  void cancel_receive(const timer_key& k);

 private:
  using key = timer_key;
  struct entry {
    pid to;
    atom name;
    message_base* msg = nullptr;  // null: a receive timeout
    uint64_t number = 0;          // receive timeout target
    uint64_t seq = 0;
    reference ref;
  };
  using map_t = std::pmr::map<key, entry>;

  void run();
  void fire(entry& e);
  void fire_due(int64_t now);

  node_impl& node_;
  const bool manual_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> manual_now_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Arming and cancelling happen per call with a timeout: tree nodes come from a pool
  // (guarded by mu_ like the containers), not from malloc.
  std::pmr::unsynchronized_pool_resource pool_;             // guarded by mu_
  map_t timers_{&pool_};                                    // guarded by mu_
  std::pmr::unordered_map<reference, key> by_ref_{&pool_};  // guarded by mu_
  uint64_t order_ = 0;                                      // guarded by mu_
  bool stopping_ = false;                                   // guarded by mu_
  int64_t wake_at_ = 0;  // when the timer thread looks next, in us (guarded by mu_)
  std::thread thread_;
};

}  // namespace otp::detail
