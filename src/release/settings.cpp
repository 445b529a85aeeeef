#include "settings.hpp"

#include <cstdlib>
#include <stdexcept>

#include "dist/cookie.hpp"

namespace otp::release {
namespace {

// RELEASE_COOKIE, else vm.args' -setcookie, else releases/COOKIE (written at build time).
std::string find_cookie(const layout& where, const config::vm_args& vm) {
  if (auto c = env_var("RELEASE_COOKIE")) {
    dist::validate_cookie(*c);
    return *c;
  }
  if (vm.cookie) return *vm.cookie;
  std::optional<std::string> cookie = dist::read_cookie_file(where.cookie_file());
  if (!cookie)
    throw std::runtime_error(where.cookie_file() + " is missing and RELEASE_COOKIE is not set");
  return *cookie;
}

}  // namespace

settings load_client_settings(const layout& where) {
  settings s;
  s.where = where;
  s.vm = config::read_vm_args(where.vm_args());
  // RELEASE_DISTRIBUTION=none|name|sname and RELEASE_NODE, as mix releases have them.
  std::string dist = env_var("RELEASE_DISTRIBUTION").value_or("");
  if (dist != "" && dist != "none" && dist != "name" && dist != "sname")
    throw std::runtime_error("RELEASE_DISTRIBUTION must be none, name or sname, not " + dist);
  s.node = s.vm.name.value_or("");
  s.long_names = s.vm.long_names;
  if (auto n = env_var("RELEASE_NODE")) s.node = *n;
  if (dist == "name") s.long_names = true;
  if (dist == "sname") s.long_names = false;
  if (dist == "none") s.node.clear();
  s.cookie = find_cookie(where, s.vm);
  return s;
}

settings load_settings(const layout& where) {
  settings s = load_client_settings(where);
  for (const auto& [var, value] : s.vm.env) ::setenv(var.c_str(), value.c_str(), 1);
  s.sys = config::read_sys_config(where.sys_config());
  // Command-line style -App Key Value flags override sys.config, as erl's do.
  config::merge(s.sys, s.vm.app_env);
  return s;
}

}  // namespace otp::release
