// The logger thread, its queue and its configuration (see core.hpp).

#include "core.hpp"

#include <fmt/format.h>

#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace otp::logger::detail {

// Constant-initialized, so would_log() works before (and without) the core existing.
std::atomic<int> gate{static_cast<int>(level::notice)};
std::atomic<uint64_t> dropped_total{0};

namespace {

thread_local bool on_logger_thread = false;

// Erlang's handlers drop above 200 queued events and flush above 1000 (per handler); one
// shared queue for all handlers can afford more before losing anything.
constexpr size_t default_capacity = 8192;

template <class List>
auto find_id(List& list, atom id) {
  return std::find_if(list.begin(), list.end(), [id](const auto& x) { return x.first == id; });
}

void shutdown_at_exit() {
  core::get().shutdown();
}

// Waits on `cv` with `mu` held before and after, as the thread-safety analysis sees it.
void wait(std::condition_variable& cv, otp::detail::mutex& mu) OTPP_REQUIRES(mu) {
  std::unique_lock<std::mutex> lk(mu.native(), std::adopt_lock);
  cv.wait(lk);
  lk.release();
}

[[noreturn]] void no_handler(atom id) {
  throw std::invalid_argument("otpp logger: no handler " + to_string(id));
}

}  // namespace

core& core::get() {
  static core* const c = [] {
    auto* p = new core();
    {
      otp::detail::lock_guard g(p->qmu_);
      p->ensure_running();
    }
    // Registered after everything constructed so far, so it runs before their destructors.
    std::atexit(shutdown_at_exit);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    return p;
  }();
  return *c;
}

void core::ensure_running() {
  if (running_ || stopping_) return;
  worker_ = std::thread([this] { run(); });
  running_ = true;
}

// No batch is being written across fork() (cmu_), so handlers' buffers are flushed and the
// child does not write the parent's output again; no push is half done (qmu_).
void core::before_fork() OTPP_NO_THREAD_SAFETY_ANALYSIS {
  core& c = get();
  c.cmu_.lock();
  c.qmu_.lock();
}

void core::after_fork_parent() OTPP_NO_THREAD_SAFETY_ANALYSIS {
  core& c = get();
  c.qmu_.unlock();
  c.cmu_.unlock();
}

void core::after_fork_child() OTPP_NO_THREAD_SAFETY_ANALYSIS {
  core& c = get();
  // Only the forking thread exists here. The parent's logger thread and anyone waiting on
  // the condition variables are gone: forget them without join() or destructors, which
  // would act on threads that do not exist in this process.
  new (&c.worker_) std::thread();
  new (&c.work_cv_) std::condition_variable();
  new (&c.done_cv_) std::condition_variable();
  c.running_ = false;  // the next event or flush starts a logger thread here
  c.pending_.clear();  // the parent writes those
  c.batch_.clear();
  c.dropped_unreported_ = 0;
  c.flush_done_ = c.flush_requested_;
  c.qmu_.unlock();
  c.cmu_.unlock();
}

core::core() : capacity_(default_capacity) {
  otp::detail::lock_guard g(cmu_);
  handlers_.push_back({atom("default"), console_handler(), {}});
  update_gate();
}

void core::enqueue(event&& e) {
  bool wake;
  {
    otp::detail::lock_guard g(qmu_);
    if (stopping_ || pending_.size() >= capacity_) {
      if (!stopping_) ++dropped_unreported_;
      dropped_total.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // The logger thread sleeps only on an empty queue, so only the first push must wake it.
    wake = pending_.empty();
    pending_.push_back(std::move(e));
    ensure_running();
  }
  if (wake) work_cv_.notify_one();
}

void core::flush() {
  if (on_logger_thread) return;  // it would wait for itself
  otp::detail::lock_guard g(qmu_);
  if (stopping_) return;
  ensure_running();
  uint64_t ticket = ++flush_requested_;
  work_cv_.notify_one();
  while (flush_done_ < ticket) wait(done_cv_, qmu_);
}

void core::run() {
  on_logger_thread = true;
  std::vector<event>& batch = batch_;
  for (;;) {
    uint64_t dropped, ticket;
    size_t capacity;
    bool stop;
    {
      otp::detail::lock_guard g(qmu_);
      while (pending_.empty() && dropped_unreported_ == 0 && flush_done_ == flush_requested_ &&
             !stopping_)
        wait(work_cv_, qmu_);
      batch.swap(pending_);  // pending_ gets the old batch's storage back: no reallocation
      dropped = std::exchange(dropped_unreported_, 0);
      ticket = flush_requested_;
      capacity = capacity_;
      stop = stopping_;
    }
    {
      otp::detail::lock_guard g(cmu_);
      for (const event& e : batch) dispatch(e);
      if (dropped) {
        // Erlang's overload protection, too, reports what it dropped once it has caught up.
        note(level::warning, fmt::format("otpp logger: dropped {} events because the queue was "
                                         "full ({} events)",
                                         dropped, capacity));
      }
      // Notices can cause notices (a handler failing on one), but each failure removes a
      // handler or filter, so this ends.
      do {
        while (!notices_.empty()) {
          std::vector<event> now = std::move(notices_);
          notices_.clear();
          for (const event& e : now)
            if (e.level <= primary_) dispatch(e);
        }
        end_batch();
      } while (!notices_.empty());
    }
    batch.clear();  // events (and their terms) are destroyed outside both locks
    {
      otp::detail::lock_guard g(qmu_);
      flush_done_ = ticket;
    }
    done_cv_.notify_all();
    if (stop) break;  // enqueue refuses events once stopping_ is set: nothing is left
  }
  // Handlers and filters die here, not in shutdown(): at exit the main thread's
  // thread_local storage is already gone, and destroying terms (a capture's events, a
  // filter's captures) needs the destroying thread's (see src/term/box.cpp).
  std::vector<handler_entry> gone;
  filter_list gone_filters;
  {
    otp::detail::lock_guard g(cmu_);
    closed_ = true;
    gone.swap(handlers_);
    gone_filters.swap(primary_filters_);
    update_gate();
  }
}

void core::dispatch(const event& e) {
  if (!passes(primary_filters_, primary_default_, e, atom())) return;
  // Handlers with the same formatter options share one formatted text.
  std::optional<formatter_options> formatted_with;
  std::string text;
  for (handler_entry& h : handlers_) {
    if (h.failed || e.level > h.config.level) continue;
    if (!passes(h.config.filters, h.config.filter_default, e, h.id)) continue;
    try {
      if (formatted_with != h.config.format) {
        text = format_event(e, h.config.format);
        formatted_with = h.config.format;
      }
      h.h->write(e, text);
    } catch (const std::exception& ex) {
      h.failed = true;
      note(level::error,
           fmt::format("otpp logger: handler {} removed: {}", to_string(h.id), ex.what()));
    } catch (...) {
      h.failed = true;
      note(level::error, fmt::format("otpp logger: handler {} removed", to_string(h.id)));
    }
  }
}

bool core::passes(filter_list& filters, filter_result dflt, const event& e, atom owner) {
  bool logged = false;
  for (auto it = filters.begin(); it != filters.end();) {
    filter_result r;
    try {
      r = it->second(e);
    } catch (...) {
      // As Erlang: a filter that crashes is removed, and the event goes on without it.
      note(level::error,
           fmt::format("otpp logger: filter {} of {} removed: it threw", to_string(it->first),
                       owner == atom() ? "the primary config" : to_string(owner)));
      it = filters.erase(it);
      continue;
    }
    if (r == filter_result::stop) return false;
    logged |= r == filter_result::log;
    ++it;
  }
  return logged || dflt == filter_result::log;
}

void core::end_batch() {
  for (handler_entry& h : handlers_) {
    if (h.failed) continue;
    try {
      h.h->flush();
    } catch (...) {
      h.failed = true;
      note(level::error,
           fmt::format("otpp logger: handler {} removed: flush failed", to_string(h.id)));
    }
  }
  auto failed = std::remove_if(handlers_.begin(), handlers_.end(),
                               [](const handler_entry& h) { return h.failed; });
  if (failed != handlers_.end()) {
    handlers_.erase(failed, handlers_.end());
    update_gate();
  }
}

void core::update_gate() {
  int g = -1;
  if (!closed_) {
    for (const handler_entry& h : handlers_) g = std::max(g, static_cast<int>(h.config.level));
    g = std::min(g, static_cast<int>(primary_));
  }
  gate.store(g, std::memory_order_relaxed);
}

void core::note(level l, std::string text) {
  event e;
  e.level = l;
  e.message = std::move(text);
  e.time_us = now_us();
  e.location = source_location::current();
  e.domain = {atom("otp"), atom("logger")};
  notices_.push_back(std::move(e));
}

void core::shutdown() {
  bool running;
  {
    otp::detail::lock_guard g(qmu_);
    if (stopping_) return;
    stopping_ = true;
    running = running_;
  }
  gate.store(-1, std::memory_order_relaxed);  // late callers return before formatting
  work_cv_.notify_one();
  if (!running) return;  // a fork child that never logged: nothing to write
  if (on_logger_thread) {
    worker_.detach();  // exit() called from a handler: the thread cannot join itself
  } else {
    worker_.join();  // it writes what is queued, then destroys the handlers
  }
}

handler_entry& core::find(atom id) {
  auto it = std::find_if(handlers_.begin(), handlers_.end(),
                         [id](const handler_entry& h) { return h.id == id; });
  if (it == handlers_.end()) no_handler(id);
  return *it;
}

void core::begin_config_change() {
  if (on_logger_thread)
    throw std::logic_error("otpp logger: handlers and filters must not change the configuration");
  flush();
}

void core::add_handler(atom id, std::unique_ptr<handler> h, handler_config config) {
  if (!h) throw std::invalid_argument("otpp logger: null handler");
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  if (closed_) return;
  for (const handler_entry& e : handlers_)
    if (e.id == id)
      throw std::invalid_argument("otpp logger: handler " + to_string(id) + " already exists");
  handlers_.push_back({id, std::move(h), std::move(config)});
  update_gate();
}

bool core::remove_handler(atom id) {
  begin_config_change();
  std::unique_ptr<handler> gone;
  {
    otp::detail::lock_guard g(cmu_);
    auto it = std::find_if(handlers_.begin(), handlers_.end(),
                           [id](const handler_entry& h) { return h.id == id; });
    if (it == handlers_.end()) return false;
    gone = std::move(it->h);
    handlers_.erase(it);
    update_gate();
  }
  return true;  // `gone` is destroyed outside the lock
}

std::vector<atom> core::handler_ids() {
  otp::detail::lock_guard g(cmu_);
  std::vector<atom> ids;
  for (const handler_entry& h : handlers_) ids.push_back(h.id);
  return ids;
}

void core::set_handler_level(atom id, level l) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  find(id).config.level = l;
  update_gate();
}

void core::set_handler_format(atom id, formatter_options options) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  find(id).config.format = options;
}

void core::add_handler_filter(atom handler_id, atom filter_id, filter f) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  filter_list& fs = find(handler_id).config.filters;
  if (find_id(fs, filter_id) != fs.end())
    throw std::invalid_argument("otpp logger: filter " + to_string(filter_id) + " already exists");
  fs.emplace_back(filter_id, std::move(f));
}

bool core::remove_handler_filter(atom handler_id, atom filter_id) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  filter_list& fs = find(handler_id).config.filters;
  auto it = find_id(fs, filter_id);
  if (it == fs.end()) return false;
  fs.erase(it);
  return true;
}

void core::set_primary_level(level l) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  primary_ = l;
  update_gate();
}

level core::primary_level() {
  otp::detail::lock_guard g(cmu_);
  return primary_;
}

void core::add_primary_filter(atom id, filter f) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  if (find_id(primary_filters_, id) != primary_filters_.end())
    throw std::invalid_argument("otpp logger: filter " + to_string(id) + " already exists");
  primary_filters_.emplace_back(id, std::move(f));
}

bool core::remove_primary_filter(atom id) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  auto it = find_id(primary_filters_, id);
  if (it == primary_filters_.end()) return false;
  primary_filters_.erase(it);
  return true;
}

void core::set_primary_filter_default(filter_result d) {
  begin_config_change();
  otp::detail::lock_guard g(cmu_);
  primary_default_ = d == filter_result::stop ? filter_result::stop : filter_result::log;
}

void core::set_queue_capacity(size_t events) {
  if (events == 0) throw std::invalid_argument("otpp logger: queue capacity must be positive");
  otp::detail::lock_guard g(qmu_);
  capacity_ = events;
}

size_t core::queue_capacity() {
  otp::detail::lock_guard g(qmu_);
  return capacity_;
}

}  // namespace otp::logger::detail
