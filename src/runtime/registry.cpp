// Registered names.

#include "registry.hpp"

#include <mutex>

#include "process.hpp"

namespace otp::detail {

// A process that exits sets name_closed and then looks at named; add() sets named and then
// looks at name_closed (both sequentially consistent). So either the exiting process sees
// the name and removes it under the mutex, or add() sees the exit and backs out: a dead
// process never keeps a name, and processes that never had one skip the mutex entirely.

bool registry::add(atom name, process* p) {
  std::unique_lock lk(mu_);
  if (name == atoms::undefined || p->named.load() || p->name_closed.load()) return false;
  if (!by_name_.emplace(name, p).second) return false;
  p->name = name;
  p->named.store(true);
  if (p->name_closed.load()) {  // it started exiting meanwhile
    by_name_.erase(name);
    p->named.store(false);
    return false;
  }
  return true;
}

bool registry::remove(atom name) {
  std::unique_lock lk(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return false;
  it->second->named.store(false);
  by_name_.erase(it);
  return true;
}

pid registry::find(atom name) const {
  std::shared_lock lk(mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? pid() : it->second->self();
}

std::vector<atom> registry::names() const {
  std::shared_lock lk(mu_);
  std::vector<atom> out;
  for (auto& [n, p] : by_name_) out.push_back(n);
  return out;
}

void registry::close(process* p) {
  p->name_closed.store(true);
  if (!p->named.load()) return;
  std::unique_lock lk(mu_);
  if (p->named.load()) {
    by_name_.erase(p->name);
    p->named.store(false);
  }
}

bool registry::name_of(process* p, atom& out) const {
  std::shared_lock lk(mu_);
  if (!p->named.load()) return false;
  out = p->name;
  return true;
}

}  // namespace otp::detail
