// The node clock and timer service (see timers.hpp).

#include "timers.hpp"

#include "node_impl.hpp"
#include "signals.hpp"

namespace otp::detail {

timer_service::timer_service(node_impl& node, bool manual)
    : node_(node), manual_(manual), start_(std::chrono::steady_clock::now()) {}

timer_service::~timer_service() {
  stop();
}

void timer_service::start() {
  if (!manual_) thread_ = std::thread([this] { run(); });
}

void timer_service::stop() {
  std::vector<message_base*> dropped;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    for (auto& [k, e] : timers_)
      if (e.msg) dropped.push_back(e.msg);
    timers_.clear();
    by_ref_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (message_base* m : dropped) destroy_item(m);
}

int64_t timer_service::now_us() const {
  if (manual_) return manual_now_.load(std::memory_order_acquire);
  auto d = std::chrono::steady_clock::now() - start_;
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

int64_t timer_service::now_ms() const {
  return now_us() / 1000;
}

namespace {
// Milliseconds left until `deadline` (microseconds), rounded up.
int64_t ms_left(int64_t deadline, int64_t now) {
  return std::max<int64_t>(0, (deadline - now + 999) / 1000);
}
}  // namespace

void timer_service::advance(int64_t ms) {
  if (!manual_) throw std::logic_error("otpp: advance_time needs node_options::manual_clock");
  int64_t target = manual_now_.load() + ms * 1000;
  // Fire in deadline order, moving the clock to each deadline as we go.
  for (;;) {
    int64_t next;
    {
      std::lock_guard lk(mu_);
      if (timers_.empty() || timers_.begin()->first.deadline > target) break;
      next = timers_.begin()->first.deadline;
    }
    if (next > manual_now_.load()) manual_now_.store(next, std::memory_order_release);
    fire_due(next);
  }
  manual_now_.store(target, std::memory_order_release);
}

reference timer_service::arm_message(int64_t delay_ms, const pid& to, atom name, message_base* m) {
  reference ref = reference::make();
  bool earlier = false;
  {
    std::lock_guard lk(mu_);
    if (stopping_) {
      destroy_item(m);
      return ref;
    }
    key k{now_us() + delay_ms * 1000, order_++};
    earlier = k.deadline < wake_at_;
    timers_.emplace(k, entry{to, name, m, 0, 0, ref});
    by_ref_.emplace(ref, k);
  }
  if (earlier) cv_.notify_all();  // the timer thread sleeps until the earliest deadline
  return ref;
}

std::optional<int64_t> timer_service::cancel(const reference& ref) {
  message_base* m = nullptr;
  int64_t left;
  {
    std::lock_guard lk(mu_);
    auto it = by_ref_.find(ref);
    if (it == by_ref_.end()) return std::nullopt;
    key k = it->second;
    by_ref_.erase(it);
    auto t = timers_.find(k);
    m = t->second.msg;
    timers_.erase(t);
    left = ms_left(k.deadline, now_us());
  }
  destroy_item(m);
  return left;
}

std::optional<int64_t> timer_service::read(const reference& ref) const {
  std::lock_guard lk(mu_);
  auto it = by_ref_.find(ref);
  if (it == by_ref_.end()) return std::nullopt;
  return ms_left(it->second.deadline, now_us());
}

timer_key timer_service::arm_receive(uint64_t number, uint64_t seq, int64_t delay_ms) {
  key k;
  bool earlier = false;
  {
    std::lock_guard lk(mu_);
    k = key{now_us() + delay_ms * 1000, order_++};
    earlier = k.deadline < wake_at_;
    if (!stopping_) timers_.emplace(k, entry{pid(), atom(), nullptr, number, seq, reference()});
  }
  if (earlier) cv_.notify_all();
  return k;
}

void timer_service::cancel_receive(const timer_key& k) {
  std::lock_guard lk(mu_);
  timers_.erase(k);
}

void timer_service::fire(entry& e) {
  if (!e.msg) {  // receive timeout
    auto* item = make_item<timeout_item>(item_kind::timeout, e.seq);
    if (mailbox_item* back = node_.deliver(e.number, item)) destroy_item(back);
    return;
  }
  pid to = e.name == atom() ? e.to : node_.names().find(e.name);
  if (to.is_null() || !to.is_local()) {
    destroy_item(e.msg);
    return;
  }
  if (mailbox_item* back = node_.deliver(to.number(), e.msg)) destroy_item(back);
}

void timer_service::fire_due(int64_t now) {
  std::vector<entry> due;
  {
    std::lock_guard lk(mu_);
    while (!timers_.empty() && timers_.begin()->first.deadline <= now) {
      auto it = timers_.begin();
      if (it->second.msg) by_ref_.erase(it->second.ref);
      due.push_back(it->second);
      timers_.erase(it);
    }
  }
  for (auto& e : due) fire(e);
}

void timer_service::run() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    // wake_at_ tells arming threads when we will look next: only an earlier deadline needs
    // a notify (a call's 5 s timeout, armed and cancelled per call, then costs no syscall).
    if (timers_.empty()) {
      wake_at_ = INT64_MAX;
      cv_.wait(lk);
      continue;
    }
    int64_t next = timers_.begin()->first.deadline;
    int64_t now = now_us();
    if (next > now) {
      wake_at_ = next;
      cv_.wait_until(lk, start_ + std::chrono::microseconds(next));
      wake_at_ = 0;
      continue;
    }
    lk.unlock();
    fire_due(now);
    lk.lock();
  }
}

}  // namespace otp::detail
