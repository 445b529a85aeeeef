// Scheduler threads: the run loop, lanes, stealing and parking (see scheduler.hpp).

#include "scheduler.hpp"

#include "after_run.hpp"

#include <cstdlib>
#include <utility>

#include "fiber.hpp"
#include "node_impl.hpp"

namespace otp::detail {

thread_ctx& tls() noexcept {
  // Read through an opaque call on every use: code running as a process may resume on
  // another thread, so a cached thread-local address would be the wrong thread's.
  thread_local thread_ctx ctx;
  thread_ctx* p = &ctx;
  asm volatile("" : "+r"(p) : : "memory");
  return *p;
}

process* current_process() noexcept {
  return tls().current;
}
void set_current_process(process* p) noexcept {
  tls().current = p;
}

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Hands a process that waited for a lane back to a run queue.
void requeue(process* p) noexcept {
  thread_ctx& t = tls();
  if (t.w && t.node == p->node) {
    t.w->push_local(p);
  } else {
    p->node->inject().push(p);
    p->node->notify_work();
  }
}

}  // namespace

void release_lane(lane& l, bool to_inject) noexcept {
  while (process* list = l.release()) {
    while (list) {
      process* next = list->next_run;
      list->next_run = nullptr;
      if (to_inject) {
        list->node->inject().push(list);
        list->node->notify_work();
      } else {
        requeue(list);
      }
      list = next;
    }
  }
}

worker::worker(node_impl& node, unsigned index)
    : node_(node), index_(index), rng_(0x9E3779B97F4A7C15ull * (index + 1)) {}

void worker::start() {
  thread_ = std::thread([this] { loop(); });
}

void worker::join() {
  if (thread_.joinable()) thread_.join();
}

void worker::push_woken(process* p) {
  if (lifo_) push_local(lifo_);
  lifo_ = p;
}

void worker::push_local(process* p) {
  if (!local_.push(p)) overflow(p);
  // Wake another scheduler only when there is more runnable work than this one will take
  // next: a lone yielding process would just be stolen, and a pair talking to each other
  // would be split across threads, paying a futex wake per message.
  if (local_.size() > 1) node_.notify_work();
}

// The local queue is full: move half of it, and p, to the node's queue in one batch.
void worker::overflow(process* p) {
  auto* b = new (alloc_node(sizeof(process_batch))) process_batch();
  b->items[b->count++] = p;
  while (b->count < process_batch::capacity) {
    process* q = local_.pop();
    if (!q) break;
    b->items[b->count++] = q;
  }
  node_.inject().push_batch(b);
}

// Takes work from the node's queue: a batch (runs the first, queues the rest locally) or a
// single process.
process* worker::take_injected() {
  if (process_batch* b = node_.inject().pop_batch()) {
    process* first = b->items[0];
    for (size_t i = 1; i < b->count; ++i)
      if (!local_.push(b->items[i])) node_.inject().push(b->items[i]);
    free_node(b, sizeof(process_batch));
    return first;
  }
  return node_.inject().pop();
}

void worker::loop() {
  thread_ctx& t = tls();
  t.node = &node_;
  t.w = this;
  t.participant = index_;
  node_.reclaim().online(index_);
  for (;;) {
    if (release_wanted_.load(std::memory_order_acquire)) release_wanted_lanes();
    process* p = next_process();
    if (!p) {
      if (node_.stopping()) break;
      park();
      continue;
    }
    if (searching_) {
      searching_ = false;
      // Queued work others could take: in our queues (they may steal) or the node's.
      node_.end_search(lifo_ != nullptr || !local_.empty() || !node_.inject().empty());
    }
    run(p);
    node_.reclaim().quiescent(index_);
    if ((tick_ & 63) == 0) node_.reclaim().reclaim(index_);
  }
  release_all_lanes();
  node_.reclaim().offline(index_);
  t = thread_ctx{};
}

void worker::hold_lane(lane* l) {
  l->holder.store(int(index_), std::memory_order_relaxed);
  held_.push_back(l);
}

void worker::release_held(size_t i, bool to_inject) {
  lane* l = held_[i];
  held_[i] = held_.back();
  held_.pop_back();
  l->holder.store(-1, std::memory_order_relaxed);
  release_lane(*l, to_inject);
}

// Gives up lanes others are waiting for, and other schedulers' home lanes. The processes
// that waited go to the node's queue, where the scheduler that asked will find them.
void worker::release_wanted_lanes() {
  release_wanted_.store(false, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (size_t i = held_.size(); i-- > 0;) {
    if (held_[i]->has_waiters() || held_[i]->home != index_) release_held(i, true);
  }
}

void worker::release_all_lanes() {
  while (!held_.empty()) release_held(held_.size() - 1, false);
}

process* worker::next_process() {
  ++tick_;
  if (tick_ % inject_interval == 0) {
    if (process* p = node_.inject().pop()) return p;  // one, for fairness
  }
  if (lifo_) {
    process* p = lifo_;
    lifo_ = nullptr;
    // The lifo slot must not starve the local queue; with nothing else queued it just runs.
    if (lifo_streak_++ < lifo_limit || local_.empty()) return p;
    if (!local_.push(p)) overflow(p);  // no wake-up: this thread is busy and will get to it
  }
  lifo_streak_ = 0;
  if (process* p = local_.pop()) return p;
  if (process* p = take_injected()) return p;
  return steal();
}

// Not used: spinning before parking was measured to cost more than it saves on small
// machines (a spinning scheduler takes CPU time from the thread about to hand it work; with
// distribution, remote calls fell from ~15k to ~4k/s on 2 vCPUs). Kept for experiments.
process* worker::spin_for_work() {
  for (int round = 0; round < 64; ++round) {
    for (int i = 0; i < 32; ++i) cpu_relax();
    if (process* p = local_.pop()) return p;
    if (process* p = take_injected()) return p;
    if (process* p = steal()) return p;
    if (node_.stopping()) return nullptr;
  }
  return nullptr;
}

process* worker::steal() {
  unsigned n = node_.worker_count();
  if (n < 2) return nullptr;
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  unsigned start = unsigned(rng_ % n);
  for (unsigned i = 0; i < n; ++i) {
    unsigned v = (start + i) % n;
    if (v == index_) continue;
    if (process* p = node_.worker_at(v).local().steal_into(local_)) return p;
  }
  return nullptr;
}

lane* worker::pick_fresh_lane() {
  for (lane* l : held_)  // a held lane with nobody's frames in it: no copy, no atomics
    if (!l->resident.load(std::memory_order_relaxed)) return l;
  lane_set& lanes = node_.lanes();
  lane* home = lanes.home_lanes(index_);
  unsigned n = lanes.per_scheduler();
  for (unsigned i = 0; i < n; ++i) {
    lane* l = &home[(next_lane_ + i) % n];
    if (l->try_lock()) {
      hold_lane(l);
      return l;
    }
  }
  if (!held_.empty()) return held_[next_lane_++ % held_.size()];  // evict a resident
  for (size_t i = 0; i < lanes.count(); ++i) {
    lane* l = &lanes.at(i);
    if (l->try_lock()) {
      hold_lane(l);
      return l;
    }
  }
  // Every lane is held elsewhere: ask the holders of our home lanes to let go.
  for (unsigned i = 0; i < n; ++i) {
    int h = home[i].holder.load(std::memory_order_relaxed);
    if (h >= 0 && unsigned(h) != index_) node_.worker_at(unsigned(h)).want_release();
  }
  return nullptr;
}

bool worker::acquire_lane(process* p) {
  if (!p->home) {
    lane* l = pick_fresh_lane();
    if (!l) {  // every lane is busy (blocking jobs hold them): try again later
      push_local(p);
      return false;
    }
    evacuate(*l);
    prepare_fresh(p, *l);
    l->resident.store(p, std::memory_order_relaxed);
    return true;
  }
  lane* l = p->home;
  if (l->holder.load(std::memory_order_relaxed) != int(index_)) {
    while (!l->try_lock()) {
      if (l->wait_for(p)) {  // its holder requeues p when it lets go; ask it to
        int h = l->holder.load(std::memory_order_relaxed);
        if (h >= 0) node_.worker_at(unsigned(h)).want_release();
        return false;
      }
    }
    hold_lane(l);
  }
  if (l->resident.load(std::memory_order_relaxed) != p) {
    evacuate(*l);
    restore(*l, p);
  }
  return true;
}

void worker::run(process* p) {
  if (!acquire_lane(p)) return;
  thread_ctx& t = tls();
  t.current = p;
  p->status.store(run_status::running, std::memory_order_relaxed);
  switch_action a = resume(p);
  t.current = nullptr;
  after_switch(p, a);
  if (t.after_run) std::exchange(t.after_run, nullptr)();
}

bool defer_after_run(void (*fn)()) noexcept {
  thread_ctx& t = tls();
  if (!t.w || !t.current) return false;
  if (t.after_run && t.after_run != fn) return false;
  t.after_run = fn;
  return true;
}

void worker::after_switch(process* p, switch_action a) {
  switch (a) {
    case switch_action::yielded:
      p->status.store(run_status::runnable, std::memory_order_relaxed);
      push_local(p);
      break;
    case switch_action::waiting:
      // The lane stays held: a sender that resumes p elsewhere finds it held and asks us.
      p->status.store(run_status::waiting, std::memory_order_relaxed);
      if (!p->mailbox.try_block()) {  // something arrived while switching out
        p->status.store(run_status::runnable, std::memory_order_relaxed);
        push_woken(p);
      }
      break;
    case switch_action::exited: {
      p->home->resident.store(nullptr, std::memory_order_relaxed);
      release_fiber(p);
      node_.reclaim().retire(index_, p);
      break;
    }
    case switch_action::idle:
      // The frames are dead: forget them, and the lane binding with them.
      if (p->home->resident.load(std::memory_order_relaxed) == p)
        p->home->resident.store(nullptr, std::memory_order_relaxed);
      p->home = nullptr;
      p->fctx = nullptr;
      std::free(std::exchange(p->saved, nullptr));
      p->saved_cap = p->saved_size = 0;
      release_fiber(p);
      p->status.store(run_status::waiting, std::memory_order_relaxed);
      if (!p->mailbox.try_block()) {
        p->status.store(run_status::runnable, std::memory_order_relaxed);
        push_woken(p);
      }
      break;
    case switch_action::to_blocking:
      // The lane stays locked but passes to the blocking thread (it runs the job on p's
      // stack and releases the lane afterwards).
      for (size_t i = 0; i < held_.size(); ++i) {
        if (held_[i] == p->home) {
          held_[i] = held_.back();
          held_.pop_back();
          break;
        }
      }
      p->home->holder.store(-1, std::memory_order_relaxed);
      node_.blocking().submit(p);
      break;
    default:
      std::abort();  // from_blocking is only ever seen by blocking threads
  }
}

void worker::park() {
  // A parked scheduler holds no lanes: others must be able to resume processes on them.
  release_all_lanes();
  if (!local_.empty() || lifo_) return;
  if (searching_) {
    searching_ = false;
    node_.searching().fetch_sub(1, std::memory_order_seq_cst);
  }
  if (!node_.register_idle(this)) return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Re-check after registering: a producer that saw no idle worker did not wake anyone.
  bool work = !local_.empty() || !node_.inject().empty();
  for (unsigned i = 0; !work && i < node_.worker_count(); ++i)
    work = !node_.worker_at(i).local().empty();
  if (work) {
    searching_ = node_.unregister_idle(this);
    return;
  }
  node_.reclaim().offline(index_);
  node_.note_idle_change();
  {
    std::unique_lock lk(park_mu_);
    park_cv_.wait(lk, [&] { return notified_ || node_.stopping(); });
    notified_ = false;
  }
  searching_ = node_.unregister_idle(this);
  node_.reclaim().online(index_);
}

void worker::unpark() {
  {
    std::lock_guard lk(park_mu_);
    notified_ = true;
  }
  park_cv_.notify_one();
}

}  // namespace otp::detail
