// get_env / set_env / unset_env / get_all_env / apply_config: a table read and written
// under the node state's lock, without the controller (a start callback reads its
// environment while the controller waits for that very callback).
//
// Precedence, whatever the order of the calls: descriptor defaults < apply_config < set_env.
// A later apply_config of a key replaces an earlier set_env of it (both are "the latest
// configuration"); unset_env hides the key from every layer until it is set again or the
// application is loaded again.

#include <algorithm>

#include "env.hpp"

namespace otp::application {
namespace {

using internal::app_env;

const term* find(const config::env_list& l, atom key) {
  for (const auto& [k, v] : l)
    if (k == key) return &v;
  return nullptr;
}

void put(config::env_list& l, atom key, term value) {
  for (auto& [k, v] : l) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  l.emplace_back(key, std::move(value));
}

void erase(config::env_list& l, atom key) {
  std::erase_if(l, [key](const auto& e) { return e.first == key; });
}

bool hidden(const app_env& e, atom key) {
  return std::find(e.hidden.begin(), e.hidden.end(), key) != e.hidden.end();
}

std::optional<term> lookup(const app_env& e, atom key) {
  if (const term* v = find(e.overrides, key)) return *v;
  if (hidden(e, key)) return std::nullopt;
  if (const term* v = find(e.config, key)) return *v;
  if (const term* v = find(e.defaults, key)) return *v;
  return std::nullopt;
}

}  // namespace

std::optional<term> get_env(atom app, atom key) {
  auto s = internal::existing_state();
  if (!s) return std::nullopt;
  detail::lock_guard lk(s->mu);
  const app_env* e = s->find_env(app);
  return e ? lookup(*e, key) : std::nullopt;
}

term get_env(atom app, atom key, term default_value) {
  std::optional<term> v = get_env(app, key);
  return v ? std::move(*v) : std::move(default_value);
}

config::env_list get_all_env(atom app) {
  config::env_list out;
  auto s = internal::existing_state();
  if (!s) return out;
  detail::lock_guard lk(s->mu);
  const app_env* e = s->find_env(app);
  if (!e) return out;
  // Keys in the order they first appear: descriptor, configuration, set_env.
  for (const config::env_list* layer : {&e->defaults, &e->config, &e->overrides}) {
    for (const auto& kv : *layer) {
      if (find(out, kv.first)) continue;
      if (std::optional<term> v = lookup(*e, kv.first)) out.emplace_back(kv.first, std::move(*v));
    }
  }
  return out;
}

void set_env(atom app, atom key, term value) {
  auto s = internal::state();
  detail::lock_guard lk(s->mu);
  app_env& e = s->env_of(app);
  put(e.overrides, key, std::move(value));
  std::erase(e.hidden, key);
}

void unset_env(atom app, atom key) {
  auto s = internal::state();
  detail::lock_guard lk(s->mu);
  app_env& e = s->env_of(app);
  erase(e.overrides, key);
  if (!hidden(e, key)) e.hidden.push_back(key);
}

void apply_config(const config::app_envs& envs) {
  auto s = internal::state();
  detail::lock_guard lk(s->mu);
  for (const auto& [app, list] : envs) {
    app_env& e = s->env_of(app);
    for (const auto& [key, value] : list) {
      put(e.config, key, value);
      erase(e.overrides, key);
      std::erase(e.hidden, key);
    }
  }
}

void internal::env_loaded(node_state& s, const descriptor& d) {
  app_env& e = s.env_of(d.name);
  e.defaults = d.env;
  e.hidden.clear();
}

void internal::env_unloaded(node_state& s, atom app) {
  app_env& e = s.env_of(app);
  e.defaults.clear();
  e.overrides.clear();
  e.hidden.clear();
}

}  // namespace otp::application
