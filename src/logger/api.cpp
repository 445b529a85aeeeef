// The public logger functions: creating events in the caller, and configuration calls
// forwarded to the core.

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "core.hpp"
#include "otp/process.hpp"

namespace otp::logger {

namespace {

constexpr std::array<std::string_view, 8> level_names = {
    "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"};

// A list of atoms as a domain, or nullopt when `t` is anything else.
std::optional<std::vector<atom>> as_domain(const term& t) {
  std::vector<atom> d;
  const term* p = &t;
  for (; p->is_cons(); p = &p->tail()) {
    if (!p->head().is_atom()) return std::nullopt;
    d.push_back(p->head().as_atom());
  }
  if (!p->is_nil()) return std::nullopt;
  return d;
}

bool is_sasl_kind(atom kind) {
  static const atom kinds[] = {atom("crash_report"), atom("supervisor_report"), atom("progress")};
  return std::find(std::begin(kinds), std::end(kinds), kind) != std::end(kinds);
}

}  // namespace

namespace detail {

int64_t now_us() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void stamp(event& e, const source_location& loc, metadata md) {
  e.time_us = now_us();
  e.location = loc;
  if (otp::in_process()) e.pid = otp::self();
  static const atom domain_key("domain");
  for (auto& [k, v] : md) {
    if (k == domain_key) {
      if (auto d = as_domain(v)) {
        e.domain = std::move(*d);
        continue;
      }
    }
    e.meta.emplace_back(k, std::move(v));
  }
}

void vlog(level l, const source_location& loc, fmt::string_view format, fmt::format_args args,
          metadata md) {
  event e;
  e.level = l;
  try {
    e.message = fmt::vformat(format, args);
  } catch (const std::exception& ex) {
    // A throwing user formatter should not take the caller down with it.
    e.message = fmt::format("{} (format error: {})", std::string_view(format.data(), format.size()),
                            ex.what());
  }
  stamp(e, loc, std::move(md));
  core::get().enqueue(std::move(e));
}

}  // namespace detail

std::string_view level_name(level l) noexcept {
  auto i = static_cast<size_t>(l);
  return i < level_names.size() ? level_names[i] : "unknown";
}

std::optional<level> parse_level(std::string_view name) noexcept {
  for (size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == name) return static_cast<level>(i);
  return std::nullopt;
}

void report(level l, atom kind, term rep, metadata md, source_location loc) {
  if (!would_log(l)) return;
  event e;
  e.level = l;
  e.kind = kind;
  e.report = std::move(rep);
  detail::stamp(e, loc, std::move(md));
  if (e.domain.empty() && is_sasl_kind(kind)) e.domain = {atom("otp"), atom("sasl")};
  detail::core::get().enqueue(std::move(e));
}

filter domain_filter(filter_result action, domain_compare compare, std::vector<atom> match) {
  return [action, compare, match = std::move(match)](const event& e) {
    const auto& d = e.domain;
    auto is_prefix = [](const std::vector<atom>& a, const std::vector<atom>& b) {
      return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
    };
    bool has = !d.empty();
    bool matched = false;
    switch (compare) {
      case domain_compare::sub:
        matched = has && is_prefix(match, d);
        break;
      case domain_compare::super:
        matched = has && is_prefix(d, match);
        break;
      case domain_compare::equal:
        matched = has && d == match;
        break;
      case domain_compare::not_equal:
        matched = !has || d != match;
        break;
      case domain_compare::undefined:
        matched = !has;
        break;
    }
    return matched ? action : filter_result::ignore;
  };
}

// Configuration: thin forwards to the core.
using detail::core;
void add_handler(atom id, std::unique_ptr<handler> h, handler_config config) {
  core::get().add_handler(id, std::move(h), std::move(config));
}
bool remove_handler(atom id) {
  return core::get().remove_handler(id);
}
std::vector<atom> handler_ids() {
  return core::get().handler_ids();
}
void set_handler_level(atom id, level l) {
  core::get().set_handler_level(id, l);
}
void set_handler_format(atom id, formatter_options options) {
  core::get().set_handler_format(id, options);
}
void add_handler_filter(atom handler_id, atom filter_id, filter f) {
  core::get().add_handler_filter(handler_id, filter_id, std::move(f));
}
bool remove_handler_filter(atom handler_id, atom filter_id) {
  return core::get().remove_handler_filter(handler_id, filter_id);
}
void set_primary_level(level l) {
  core::get().set_primary_level(l);
}
level primary_level() {
  return core::get().primary_level();
}
void add_primary_filter(atom id, filter f) {
  core::get().add_primary_filter(id, std::move(f));
}
bool remove_primary_filter(atom id) {
  return core::get().remove_primary_filter(id);
}
void set_primary_filter_default(filter_result d) {
  core::get().set_primary_filter_default(d);
}
void flush() {
  core::get().flush();
}
void set_queue_capacity(size_t events) {
  core::get().set_queue_capacity(events);
}
size_t queue_capacity() {
  return core::get().queue_capacity();
}
uint64_t dropped_count() noexcept {
  return detail::dropped_total.load(std::memory_order_relaxed);
}

}  // namespace otp::logger
