// The merge rule shared by sys.config, vm.args and the application controller, and the OS
// environment as an env_lookup.

#include <algorithm>
#include <cstdlib>

#include "otp/config.hpp"

namespace otp::config {

void merge(app_envs& envs, atom app, atom key, term value) {
  // Linear scans: configurations hold a few applications with a few keys each, and the
  // vectors keep the order the files give, which a log or a test can show.
  auto a = std::find_if(envs.begin(), envs.end(), [&](const auto& e) { return e.first == app; });
  if (a == envs.end()) {
    envs.emplace_back(app, env_list{});
    a = std::prev(envs.end());
  }
  env_list& env = a->second;
  auto k = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == key; });
  if (k == env.end()) {
    env.emplace_back(key, std::move(value));
  } else {
    k->second = std::move(value);
  }
}

void merge(app_envs& into, const app_envs& from) {
  for (const auto& entry : from) {
    const atom app = entry.first;
    if (entry.second.empty() &&
        std::none_of(into.begin(), into.end(), [&](const auto& e) { return e.first == app; }))
      into.emplace_back(app, env_list{});
    for (const auto& [key, value] : entry.second) merge(into, app, key, value);
  }
}

env_lookup os_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv needs a terminated string; names are short.
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

}  // namespace otp::config
