#pragma once
// Process numbers -> control blocks, and safe reclamation of control blocks.
//
// A local pid carries a number; numbers are handed out increasing and never reused, and
// slot = number mod capacity. A lookup compares the block's number with the pid's, so a
// stale pid never reaches a newer process, even one in the same slot.
//
// Reclamation (quiescent-state based): threads that look up blocks without a lock are
// registered participants (schedulers and blocking-work threads) and announce a quiescent
// state between running processes, when they hold no block pointer. A removed block is
// "retired" with the current epoch and freed only after every online participant has
// announced a later epoch. Other threads (an external `node::send`) bracket their lookup
// with an external_guard; nothing is freed while one is active.
//
// Thread safety: insert/remove/lookup from any thread; retire/reclaim per participant.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "process.hpp"

namespace otp::detail {

class process_table {
 public:
  // Room for about `max_processes` live processes: the table has twice as many slots
  // (rounded up to a power of two), so free slots are always near.
  explicit process_table(size_t max_processes);
  ~process_table();

  // Assigns p a fresh number and publishes it. Returns false when no free slot is found
  // nearby (the table is about full: system_limit).
  // `block` is a per-thread range of reserved numbers (may be null).
  struct number_block {
    uint64_t next = 0, end = 0;
  };
  bool insert(process* p, number_block* block);
  void remove(process* p) noexcept;
  // REQUIRES: the caller is a participant or inside an external_guard.
  process* lookup(uint64_t number) const noexcept {
    process* p = slots_[number & mask_].load(std::memory_order_acquire);
    return (p && p->number == number) ? p : nullptr;
  }
  size_t capacity() const noexcept { return mask_ + 1; }
  // Snapshot of live pids (slow: scans the table). REQUIRES: as lookup.
  std::vector<pid> pids() const;

 private:
  std::atomic<process*>* slots_;
  size_t mask_;
  std::atomic<uint64_t> next_{1};
};

class reclaimer {
 public:
  explicit reclaimer(size_t participants);

  // Participant slot i: quiescent point, going offline (parking) and online again.
  void quiescent(size_t i) noexcept {
    slots_[i].epoch.store(epoch_.load(std::memory_order_acquire), std::memory_order_release);
  }
  void offline(size_t i) noexcept { slots_[i].epoch.store(UINT64_MAX, std::memory_order_seq_cst); }
  void online(size_t i) noexcept {
    slots_[i].epoch.store(epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  // Queues p to be freed once no thread can still hold it. Participant i only.
  void retire(size_t i, process* p);
  // Frees what is safe to free from participant i's list.
  void reclaim(size_t i);
  // Frees everything (shutdown, all threads stopped).
  void reclaim_all();

  struct external_guard {
    reclaimer& r;
    explicit external_guard(reclaimer& x) : r(x) {
      r.external_.fetch_add(1, std::memory_order_seq_cst);
    }
    ~external_guard() { r.external_.fetch_sub(1, std::memory_order_seq_cst); }
  };

 private:
  struct alignas(64) slot {
    std::atomic<uint64_t> epoch{UINT64_MAX};
    std::deque<std::pair<process*, uint64_t>> retired;  // in increasing epoch order
  };
  std::atomic<uint64_t> epoch_{1};
  std::atomic<int> external_{0};
  std::unique_ptr<slot[]> slots_;
  size_t n_;
};

// Frees a control block and what it still owns.
void free_process(process* p) noexcept;

}  // namespace otp::detail
