// Process table and quiescent-state reclamation of control blocks.

#include "process_table.hpp"

#include <cstdlib>
#include <new>

namespace otp::detail {

process_table::process_table(size_t max_processes) {
  size_t cap = 64;
  while (cap < 2 * max_processes) cap <<= 1;
  mask_ = cap - 1;
  // calloc of a large block maps zero pages lazily: untouched slots cost nothing.
  slots_ = static_cast<std::atomic<process*>*>(std::calloc(cap, sizeof(std::atomic<process*>)));
  if (!slots_) throw std::bad_alloc();
}

process_table::~process_table() {
  std::free(slots_);
}

bool process_table::insert(process* p, number_block* block) {
  constexpr uint64_t block_size = 64;
  constexpr int max_probes = 4096;  // at <= 50% load a free slot is a few probes away
  for (int probe = 0; probe < max_probes; ++probe) {
    uint64_t n;
    if (block) {
      if (block->next == block->end) {
        block->next = next_.fetch_add(block_size, std::memory_order_relaxed);
        block->end = block->next + block_size;
      }
      n = block->next++;
    } else {
      n = next_.fetch_add(1, std::memory_order_relaxed);
    }
    p->number = n;
    process* expected = nullptr;
    if (slots_[n & mask_].compare_exchange_strong(expected, p, std::memory_order_release,
                                                  std::memory_order_relaxed)) {
      return true;
    }
    // Slot still held by a long-lived process: skip this number.
  }
  return false;
}

void process_table::remove(process* p) noexcept {
  slots_[p->number & mask_].store(nullptr, std::memory_order_release);
}

std::vector<pid> process_table::pids() const {
  std::vector<pid> out;
  for (size_t i = 0; i <= mask_; ++i) {
    process* p = slots_[i].load(std::memory_order_acquire);
    if (p) out.push_back(pid::local(p->number));
  }
  return out;
}

reclaimer::reclaimer(size_t participants) : slots_(new slot[participants]), n_(participants) {}

void reclaimer::retire(size_t i, process* p) {
  // Tagged with the current epoch; reclaim() advances the epoch, and p is freed once every
  // other participant has announced a later one (so it passed a quiescent point after p
  // left the table). One shared increment per reclaim, not per retire.
  uint64_t e = epoch_.load(std::memory_order_seq_cst);
  slots_[i].retired.emplace_back(p, e);
  if (slots_[i].retired.size() % 64 == 0) reclaim(i);
}

void reclaimer::reclaim(size_t i) {
  auto& list = slots_[i].retired;
  if (list.empty()) return;
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (external_.load(std::memory_order_seq_cst) != 0) return;
  uint64_t min_seen = UINT64_MAX;
  for (size_t k = 0; k < n_; ++k) {
    if (k == i) continue;  // we are at a quiescent point ourselves
    uint64_t e = slots_[k].epoch.load(std::memory_order_seq_cst);
    if (e < min_seen) min_seen = e;
  }
  // Retired in epoch order: free from the front until one is still too new.
  while (!list.empty() && list.front().second < min_seen) {
    free_process(list.front().first);
    list.pop_front();
  }
}

void reclaimer::reclaim_all() {
  for (size_t i = 0; i < n_; ++i) {
    for (auto& [p, e] : slots_[i].retired) free_process(p);
    slots_[i].retired.clear();
  }
}

}  // namespace otp::detail
