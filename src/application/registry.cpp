// Callback modules: one table per OS process, shared by every node (as code is shared by
// every process of a BEAM node). Filled mostly during static initialization, so the table
// is a function-local static: it exists before the first registration whatever the order
// in which translation units are initialized.

#include "registry.hpp"

#include <stdexcept>
#include <unordered_map>

#include "otp/detail/mutex.hpp"

namespace otp::application {
namespace {

struct module_table {
  detail::mutex mu;
  std::unordered_map<atom, callbacks> modules OTPP_GUARDED_BY(mu);
};

module_table& table() {
  static auto* t = new module_table();  // never destroyed: registrations outlive statics
  return *t;
}

}  // namespace

void register_module(atom module, callbacks cb) {
  if (!cb.start) throw std::invalid_argument("application::register_module: start is required");
  module_table& t = table();
  detail::lock_guard lk(t.mu);
  t.modules.insert_or_assign(module, std::move(cb));
}

bool is_module_registered(atom module) {
  module_table& t = table();
  detail::lock_guard lk(t.mu);
  return t.modules.count(module) > 0;
}

std::optional<callbacks> internal::find_module(atom module) {
  module_table& t = table();
  detail::lock_guard lk(t.mu);
  auto it = t.modules.find(module);
  if (it == t.modules.end()) return std::nullopt;
  return it->second;
}

}  // namespace otp::application
