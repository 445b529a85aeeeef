// Registered names.

#include "registry.hpp"

#include <mutex>

#include "process.hpp"

namespace otp::detail {

bool registry::add(atom name, process* p) {
  std::unique_lock lk(mu_);
  if (name == atoms::undefined || p->named || p->name_closed) return false;
  if (!by_name_.emplace(name, p).second) return false;
  p->name = name;
  p->named = true;
  return true;
}

bool registry::remove(atom name) {
  std::unique_lock lk(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return false;
  it->second->named = false;
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
  std::unique_lock lk(mu_);
  p->name_closed = true;
  if (p->named) {
    by_name_.erase(p->name);
    p->named = false;
  }
}

bool registry::name_of(process* p, atom& out) const {
  std::shared_lock lk(mu_);
  if (!p->named) return false;
  out = p->name;
  return true;
}

}  // namespace otp::detail
