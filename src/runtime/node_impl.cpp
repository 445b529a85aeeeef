// Node life cycle, spawning, delivery and the idle protocol.

#include "node_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "fiber.hpp"
#include "signals.hpp"

namespace otp::detail {
namespace {

std::mutex nodes_mu;
std::vector<node_impl*> running_nodes;  // guarded by nodes_mu

unsigned scheduler_count(const node_options& o) {
  if (o.schedulers) return o.schedulers;
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? hc : 1;
}

}  // namespace

node_impl::node_impl(const node_options& opts)
    : opts_(opts),
      table_(opts.max_processes),
      reclaimer_(scheduler_count(opts) + opts.blocking_threads),
      lanes_(scheduler_count(opts), std::max(1u, opts.lanes_per_scheduler), opts.stack_size),
      timers_(*this, opts.manual_clock),
      blocking_(*this, opts.blocking_threads, scheduler_count(opts)) {
  unsigned n = scheduler_count(opts);
  for (unsigned i = 0; i < n; ++i) workers_.push_back(std::make_unique<worker>(*this, i));
  {
    std::lock_guard lk(nodes_mu);
    running_nodes.push_back(this);
  }
  timers_.start();
  blocking_.start();
  for (auto& w : workers_) w->start();
}

node_impl::~node_impl() {
  shutdown();
}

node_impl* node_impl::sole() {
  std::lock_guard lk(nodes_mu);
  return running_nodes.size() == 1 ? running_nodes[0] : nullptr;
}

spawn_result node_impl::spawn(spawn_request req, process* parent,
                              std::shared_ptr<run_state> watch) {
  if ((req.link || req.monitor) && !parent) {
    body_deleter(req.body);
    throw std::logic_error("spawn_link/spawn_monitor must be called in a process");
  }
  thread_ctx& t = tls();
  // A spawn from outside the node's schedulers (node::spawn, node::run) and shutdown exclude
  // each other: once shutdown began no such process appears, because it might never run and
  // whoever waits for it would wait forever. Processes still spawn while they are being
  // stopped, as in Erlang.
  std::unique_lock<std::mutex> outside;
  if (!(t.w && t.node == this)) {
    outside = std::unique_lock(outside_spawn_mu_);
    if (shut_down_requested_.load(std::memory_order_relaxed)) {
      body_deleter(req.body);
      throw std::runtime_error("spawn: the node is shutting down");
    }
  }
  auto* p = new (alloc_node(sizeof(process))) process();
  p->node = this;
  p->body = req.body;
  auto* numbers = (t.w && t.node == this) ? &t.w->numbers() : nullptr;
  if (!table_.insert(p, numbers)) {
    body_deleter(req.body);
    p->~process();
    free_node(p, sizeof(process));
    throw std::runtime_error("system_limit: too many processes");
  }
  if (numbers) {
    t.w->births.store(t.w->births.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  } else {
    outside_births_.fetch_add(1, std::memory_order_acq_rel);
  }
  spawn_result r{p->self(), reference()};
  if (req.link) {
    parent->links.push({p->self()});
    p->links.push({parent->self()});
  }
  if (req.monitor) {
    r.monitor = reference::make();
    parent->monitors.push({r.monitor, p->self()});
    p->monitored_by.push({r.monitor, parent->self()});
  }
  if (watch) p->extension().run_watch = std::move(watch);
  schedule_back(p);
  return r;
}

void node_impl::schedule(process* p) noexcept {
  p->status.store(run_status::runnable, std::memory_order_relaxed);
  thread_ctx& t = tls();
  if (t.w && t.node == this) {
    t.w->push_woken(p);
  } else {
    inject_.push(p);
    notify_work();
  }
}

void node_impl::schedule_back(process* p) noexcept {
  thread_ctx& t = tls();
  if (t.w && t.node == this) {
    t.w->push_local(p);
  } else {
    inject_.push(p);
    notify_work();
  }
}

mailbox_item* node_impl::deliver(uint64_t number, mailbox_item* item) noexcept {
  thread_ctx& t = tls();
  auto push = [&]() -> mailbox_item* {
    process* p = table_.lookup(number);
    if (!p) return item;
    switch (p->mailbox.push(item)) {
      case push_result::closed:
        return item;
      case push_result::queued_wake:
        schedule(p);
        break;
      case push_result::queued:
        break;
    }
    return nullptr;
  };
  if (t.node == this && t.participant != SIZE_MAX) return push();
  reclaimer::external_guard g(reclaimer_);
  return push();
}

bool node_impl::route(process* from, const pid& to, mailbox_item* item) noexcept {
  if (to.is_local()) {
    if (to.is_null()) {
      destroy_item(item);
      return false;
    }
    if (mailbox_item* back = deliver(to.number(), item)) {
      destroy_item(back);
      return false;
    }
    return true;
  }
  if (remote_router* r = remote()) {
    r->route(from, to, item);
  } else {
    unreachable(from ? from->self() : pid(), to, item);
  }
  return true;
}

void node_impl::unreachable(const pid& from, const pid& to, mailbox_item* item) noexcept {
  mailbox_item* answer = nullptr;
  if (item->kind == item_kind::link) {
    answer = make_item<exit_item>(item_kind::exit, to, term(atoms::noconnection), true);
  } else if (item->kind == item_kind::monitor) {
    answer = make_item<down_item>(item_kind::down, static_cast<monitor_item*>(item)->ref, to,
                                  term(atoms::noconnection));
  }
  destroy_item(item);
  if (answer && from.is_local() && !from.is_null()) {
    if (mailbox_item* back = deliver(from.number(), answer)) destroy_item(back);
  } else if (answer) {
    destroy_item(answer);
  }
}

void node_impl::activate_alias(const reference& r, uint64_t number) {
  std::lock_guard lk(alias_mu_);
  aliases_[r] = number;
}

void node_impl::deactivate_alias(const reference& r) {
  std::lock_guard lk(alias_mu_);
  aliases_.erase(r);
}

void node_impl::deliver_alias(const reference& r, mailbox_item* item) noexcept {
  uint64_t number = 0;
  {
    std::lock_guard lk(alias_mu_);
    auto it = aliases_.find(r);
    if (it != aliases_.end()) number = it->second;
  }
  if (number == 0) {
    destroy_item(item);
    return;
  }
  if (mailbox_item* back = deliver(number, item)) destroy_item(back);
}

void node_impl::process_exited(process* p) noexcept {
  table_.remove(p);
  worker* w = tls().w;  // processes always end on a scheduler thread
  w->deaths.store(w->deaths.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  if (shut_down_requested_.load()) {
    std::lock_guard lk(exit_mu_);
    exit_cv_.notify_all();
  }
}

size_t node_impl::live() const noexcept {
  // Deaths first, then births: both only grow, so the difference is never below the number
  // alive at the moment the deaths were read. A zero is therefore never premature.
  int64_t deaths = 0, births = 0;
  for (auto& w : workers_) deaths += w->deaths.load(std::memory_order_acquire);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (auto& w : workers_) births += w->births.load(std::memory_order_acquire);
  births += outside_births_.load(std::memory_order_acquire);
  return births > deaths ? size_t(births - deaths) : 0;
}

// ---- idle protocol ------------------------------------------------------------------

void node_impl::notify_work() noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (searching_.load(std::memory_order_seq_cst) != 0) return;
  if (num_idle_.load(std::memory_order_seq_cst) == 0) return;
  worker* w = nullptr;
  {
    std::lock_guard lk(idle_mu_);
    if (idle_.empty() || searching_.load(std::memory_order_relaxed) != 0) return;
    w = idle_.back();
    idle_.pop_back();
    num_idle_.fetch_sub(1, std::memory_order_seq_cst);
    searching_.fetch_add(1, std::memory_order_seq_cst);
    w->woken_searching_ = true;
  }
  w->unpark();
}

void node_impl::end_search(bool more_work) noexcept {
  // Work pushed while we searched skipped its wake-up (a searcher existed): the last
  // searcher to stop wakes another if such work may be waiting. Only then: waking a thread
  // that finds nothing costs two futex round trips (a request/reply across threads would
  // pay them on every message).
  if (searching_.fetch_sub(1, std::memory_order_seq_cst) == 1 && more_work) notify_work();
}

bool node_impl::register_idle(worker* w) {
  std::lock_guard lk(idle_mu_);
  if (stopping()) return false;
  idle_.push_back(w);
  num_idle_.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

bool node_impl::unregister_idle(worker* w) {
  std::lock_guard lk(idle_mu_);
  auto it = std::find(idle_.begin(), idle_.end(), w);
  if (it != idle_.end()) {
    idle_.erase(it);
    num_idle_.fetch_sub(1, std::memory_order_seq_cst);
  }
  bool s = w->woken_searching_;
  w->woken_searching_ = false;
  return s;
}

void node_impl::note_idle_change() {
  std::lock_guard lk(idle_mu_);
  idle_cv_.notify_all();
}

void node_impl::wait_idle() {
  auto idle = [&] {
    if (num_idle_.load() != workers_.size() || !inject_.empty() || blocking_in_flight_.load() != 0)
      return false;
    for (auto& w : workers_)
      if (!w->local().empty()) return false;
    return true;
  };
  std::unique_lock lk(idle_mu_);
  // Parked workers signal idle_cv_; poll as well, since a worker can go idle between checks.
  while (!idle()) idle_cv_.wait_for(lk, std::chrono::milliseconds(1));
}

// ---- shutdown -----------------------------------------------------------------------

void node_impl::broadcast_exit(const term& reason) {
  std::vector<pid> all;
  {
    reclaimer::external_guard g(reclaimer_);  // the scan reads control blocks
    all = table_.pids();
  }
  for (const pid& p : all) {
    auto* item = make_item<exit_item>(item_kind::exit, pid(), reason, false);
    if (mailbox_item* back = deliver(p.number(), item)) destroy_item(back);
  }
}

bool node_impl::wait_for_exits(std::chrono::milliseconds timeout) {
  std::unique_lock lk(exit_mu_);
  return exit_cv_.wait_for(lk, timeout, [&] { return live() == 0; });
}

void node_impl::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard lk(outside_spawn_mu_);  // see spawn()
    shut_down_requested_.store(true);
  }
  if (remote_router* r = remote()) r->node_stopping();
  // 1. Every process gets exit signal `shutdown`.
  broadcast_exit(term(atoms::shutdown));
  // 2. Those still alive after the grace period are killed.
  if (!wait_for_exits(opts_.shutdown_timeout)) {
    broadcast_exit(term(atoms::kill));
    while (!wait_for_exits(std::chrono::seconds(5))) {
      std::fprintf(stderr,
                   "otpp: shutdown waiting for %zu process(es) that do not reach a yield point\n",
                   live());
    }
  }
  // 3. Distribution ends (connections close), then timers, blocking threads and
  // schedulers stop; threads are joined.
  remote_owner_.reset();
  timers_.stop();
  blocking_.stop();
  stop_workers_.store(true, std::memory_order_seq_cst);
  for (auto& w : workers_) w->unpark();
  for (auto& w : workers_) w->join();
  // 4. Control blocks retired by exiting processes are freed.
  reclaimer_.reclaim_all();
  {
    std::lock_guard lk(nodes_mu);
    running_nodes.erase(std::remove(running_nodes.begin(), running_nodes.end(), this),
                        running_nodes.end());
  }
}

}  // namespace otp::detail
