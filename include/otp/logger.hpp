#pragma once
/// \file
/// `otp::logger`: Erlang's logger for otpp (see docs/logger.md).
///
///     otp::logger::warning("disk {} is {}% full", disk, pct);     // a message
///     otp::logger::report(level::error, atom("crash_report"), proplist);  // a report
///
/// An event has a level (Erlang's eight), metadata (the calling process's pid, the time,
/// the source location, an optional domain and custom key/values) and either a formatted
/// message or a structured report term. The primary level and primary filters decide
/// whether it is logged at all; then each handler's level and filters decide whether that
/// handler writes it, formatted by the handler's formatter (Erlang text, single line or
/// JSON).
///
/// Callers never wait for I/O: an event is formatted in the caller (only when its level
/// passes, so arguments of a dropped message are never formatted) and put on a bounded
/// queue; one logger thread runs filters and handlers. When the queue is full the event
/// is dropped and counted, and the number dropped is logged later. The logger is global to
/// the OS process, needs no otp::node, starts on first use and flushes at exit.
///
/// Thread safety: every function here may be called from any thread and any process.
/// Filters and handlers run only on the logger thread, one call at a time; they must not
/// change the logger's configuration (that throws std::logic_error there).
///
/// fmt is part of this header on purpose: format strings are checked at compile time by
/// fmt::format_string, which no type-erased interface can do (docs/logger.md).

#include <fmt/format.h>  // not just core.h: formatters below reuse fmt's built-in ones

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#if __has_include(<source_location>)
#include <source_location>
#endif

#include "otp/atom.hpp"
#include "otp/pid.hpp"
#include "otp/term.hpp"

namespace otp::logger {

#if defined(__cpp_lib_source_location)
using source_location = std::source_location;
#else
// clang 14 with libstdc++ 12 has no std::source_location (it lacks the builtin libstdc++
// needs), so clang builds get this stand-in with the same interface. Differences: the
// function name is unqualified, and in a call spread over lines the line is that of the
// format string rather than of the call's start.
class source_location {
 public:
  constexpr source_location() noexcept = default;
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           uint_least32_t line = __builtin_LINE(),
                                           uint_least32_t column = __builtin_COLUMN()) noexcept {
    source_location s;
    s.file_ = file;
    s.function_ = function;
    s.line_ = line;
    s.column_ = column;
    return s;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr uint_least32_t line() const noexcept { return line_; }
  constexpr uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  uint_least32_t line_ = 0;
  uint_least32_t column_ = 0;
};
#endif

/// Erlang's levels, most severe first: `l` passes a threshold `t` when l <= t.
enum class level : uint8_t { emergency, alert, critical, error, warning, notice, info, debug };

/// "emergency", ..., "debug".
std::string_view level_name(level l) noexcept;
/// The level with that name, or nullopt.
std::optional<level> parse_level(std::string_view name) noexcept;

/// Custom metadata, in the order given. The key `domain` with a list of atoms as value is
/// taken out and becomes event::domain.
using metadata = std::vector<std::pair<atom, term>>;

/// One log event, as filters, handlers and captures see it.
struct event {
  logger::level level = logger::level::notice;
  /// The report kind (crash_report, supervisor_report, progress, ...); '' for a message.
  atom kind;
  /// The report term, usually a proplist [{Key, Value}, ...]; [] for a message.
  term report;
  /// A message's formatted text; empty for a report.
  std::string message;
  /// The otpp process that logged, or the null pid when it was not a process.
  otp::pid pid;
  /// System clock, microseconds since the Unix epoch.
  int64_t time_us = 0;
  source_location location;
  /// Erlang's domain, e.g. [otp, sasl]; empty when the event has none.
  std::vector<atom> domain;
  /// Custom key/values.
  logger::metadata meta;

  bool is_report() const noexcept { return kind != atom(); }
};

// ---- formatting ----------------------------------------------------------------------

enum class format_style : uint8_t {
  /// Erlang's default handler: "=ERROR REPORT==== 26-Nov-2026::01:03:41.946041 ===" and
  /// the message or report below it, reports one "Key: Value" per line.
  erlang,
  /// Erlang's single_line formatter: "2026-11-26T01:03:41.946041+00:00 error: text".
  single_line,
  /// One JSON object per line (fields in docs/logger.md).
  json,
};

struct formatter_options {
  format_style style = format_style::erlang;
  /// Times in UTC instead of local time (as Erlang's formatter option utc).
  bool utc = false;
  /// Text styles also print the pid, file:line, domain and custom metadata.
  bool metadata = false;
  friend bool operator==(const formatter_options&, const formatter_options&) = default;
};

/// The text a handler with these options writes for `e`, ending with a newline.
std::string format_event(const event& e, const formatter_options& options = {});

// ---- filters -------------------------------------------------------------------------

/// What a filter decides, as in Erlang: `log` lets the event through to the next filter,
/// `stop` drops it at once, `ignore` leaves the decision to the other filters. When no
/// filter said `log` or `stop`, the filter default decides (log, unless set to stop).
enum class filter_result : uint8_t { log, stop, ignore };
using filter = std::function<filter_result(const event&)>;

/// Erlang's logger_filters:domain/2. The filter matches when the event's domain is:
/// sub — equal to or below `match` (match is a prefix of it); super — equal to or above
/// `match` (it is a prefix of match); equal; not_equal (or absent); undefined — absent.
/// An event without a domain matches only not_equal and undefined. On a match the filter
/// returns `action` (log or stop), otherwise ignore.
enum class domain_compare : uint8_t { sub, super, equal, not_equal, undefined };
filter domain_filter(filter_result action, domain_compare compare, std::vector<atom> match);

// ---- handlers ------------------------------------------------------------------------

/// Writes formatted events somewhere. Called only on the logger thread, never
/// concurrently. An exception from write() removes the handler (as Erlang does) and logs
/// an error saying so.
class handler {
 public:
  virtual ~handler() = default;
  /// `text` is format_event(e, this handler's formatter options).
  virtual void write(const event& e, std::string_view text) = 0;
  /// Pushes buffered output to the OS; called after every batch of events.
  virtual void flush() {}
};

struct handler_config {
  /// The least severe level this handler writes (Erlang's default for handlers is all).
  logger::level level = logger::level::debug;
  formatter_options format{};
  /// Filters by id, applied in order.
  std::vector<std::pair<atom, filter>> filters;
  /// Decides when every filter ignored the event: log or stop.
  filter_result filter_default = filter_result::log;
};

/// Writes to stderr. The logger starts with one, id `default`, Erlang style.
std::unique_ptr<handler> console_handler();

struct file_options {
  std::string path;
  /// A file is rotated before an event would take it past this size (an event bigger than
  /// this still goes, alone, into a fresh file).
  size_t max_bytes = size_t(10) << 20;
  /// Rotated files kept besides `path`: app.log is rotated to app.1.log, app.1.log to
  /// app.2.log, ..., and app.<max_files>.log is deleted.
  size_t max_files = 5;
};
/// Appends to `path` (creating it and its directory), rotating by size. Throws
/// std::runtime_error when the file cannot be opened, std::invalid_argument when
/// max_bytes is 0.
std::unique_ptr<handler> file_handler(const file_options& options);

// ---- configuration -------------------------------------------------------------------
//
// Every configuration change first waits until the events logged before it (by this
// thread) have been handled, so they are handled under the old configuration.

/// Installs a handler; throws std::invalid_argument when `id` is taken or `h` is null.
void add_handler(atom id, std::unique_ptr<handler> h, handler_config config = {});
/// Removes and destroys a handler; false when there was none with that id.
bool remove_handler(atom id);
std::vector<atom> handler_ids();
/// These throw std::invalid_argument when there is no handler `id`.
void set_handler_level(atom id, level l);
void set_handler_format(atom id, formatter_options options);
void add_handler_filter(atom handler_id, atom filter_id, filter f);
bool remove_handler_filter(atom handler_id, atom filter_id);

/// The primary level: events less severe are dropped in the caller. Default notice.
void set_primary_level(level l);
level primary_level();
/// Primary filters run before any handler's (throws std::invalid_argument on a taken id).
void add_primary_filter(atom id, filter f);
bool remove_primary_filter(atom id);
void set_primary_filter_default(filter_result log_or_stop);

/// Waits until every event queued before the call has been written and the handlers
/// flushed. Returns at once on the logger thread and after shutdown.
void flush();

/// The queue's bound in events (default 8192): beyond it events are dropped and counted.
void set_queue_capacity(size_t events);
size_t queue_capacity();
/// Events dropped because the queue was full, since the program started.
uint64_t dropped_count() noexcept;

// ---- logging -------------------------------------------------------------------------

namespace detail {
// Events with int(level) <= gate are formatted and queued: the primary level, or the least
// severe level any handler writes if that is more severe; -1 when there are no handlers
// or after shutdown.
extern std::atomic<int> gate;
void vlog(level l, const source_location& loc, fmt::string_view format, fmt::format_args args,
          metadata md);
}  // namespace detail

/// Cheap check (one relaxed load): would an event of level `l` be queued? Lets callers
/// skip building expensive reports.
inline bool would_log(level l) noexcept {
  return static_cast<int>(l) <= detail::gate.load(std::memory_order_relaxed);
}

/// A fmt format string checked at compile time, plus where it was written.
template <class... Args>
struct format_string {
  fmt::format_string<Args...> str;
  source_location location;
  template <class S>
  requires std::convertible_to<const S&, std::string_view>
  consteval format_string(const S& s,  // NOLINT: implicit, like fmt::format_string
                          source_location loc = source_location::current())
      : str(s), location(loc) {}
};
template <class... Args>
using format_string_t = format_string<std::type_identity_t<Args>...>;

/// Logs a message formatted by fmt. When `l` does not pass would_log, nothing is formatted.
template <class... Args>
void log(level l, format_string_t<Args...> f, Args&&... args) {
  if (would_log(l))
    detail::vlog(l, f.location, fmt::string_view(f.str), fmt::make_format_args(args...), {});
}
/// The same with custom metadata.
template <class... Args>
void log(level l, metadata md, format_string_t<Args...> f, Args&&... args) {
  if (would_log(l))
    detail::vlog(l, f.location, fmt::string_view(f.str), fmt::make_format_args(args...),
                 std::move(md));
}

#define OTPP_LOGGER_LEVEL_FUNCTION(name)                               \
  template <class... Args>                                             \
  void name(format_string_t<Args...> f, Args&&... args) {              \
    if (would_log(level::name))                                        \
      detail::vlog(level::name, f.location, fmt::string_view(f.str),   \
                   fmt::make_format_args(args...), {});                \
  }                                                                    \
  template <class... Args>                                             \
  void name(metadata md, format_string_t<Args...> f, Args&&... args) { \
    if (would_log(level::name))                                        \
      detail::vlog(level::name, f.location, fmt::string_view(f.str),   \
                   fmt::make_format_args(args...), std::move(md));     \
  }
OTPP_LOGGER_LEVEL_FUNCTION(emergency)
OTPP_LOGGER_LEVEL_FUNCTION(alert)
OTPP_LOGGER_LEVEL_FUNCTION(critical)
OTPP_LOGGER_LEVEL_FUNCTION(error)
OTPP_LOGGER_LEVEL_FUNCTION(warning)
OTPP_LOGGER_LEVEL_FUNCTION(notice)
OTPP_LOGGER_LEVEL_FUNCTION(info)
OTPP_LOGGER_LEVEL_FUNCTION(debug)
#undef OTPP_LOGGER_LEVEL_FUNCTION

/// A structured report. `kind` is e.g. crash_report, supervisor_report, progress; `report`
/// is an Erlang-style proplist term ([{Key, Value}, ...]). Reports of those three kinds get
/// domain [otp, sasl] unless `md` gives one. docs/logger.md lists the keys each kind uses.
void report(level l, atom kind, term report, metadata md = {},
            source_location loc = source_location::current());

/// A format argument computed only when the message is actually formatted:
/// `debug("state: {}", lazy([&] { return dump(state); }))`.
template <class F>
struct lazy_value {
  F fn;
};
template <class F>
lazy_value<F> lazy(F fn) {
  return {std::move(fn)};
}

// ---- capture (for tests) -------------------------------------------------------------

struct capture_options {
  /// The capture handler's level.
  logger::level level = logger::level::debug;
  /// How lines() are formatted.
  formatter_options format{};
  /// When set, the primary level while the capture lives (restored afterwards).
  std::optional<logger::level> primary_level;
};

/// Installs a handler that keeps events and their formatted text in memory; removes it
/// when destroyed. events() and lines() flush first, so they include everything logged
/// (by this thread) before the call.
class capture {
 public:
  explicit capture(capture_options options = {});
  ~capture();
  capture(const capture&) = delete;
  capture& operator=(const capture&) = delete;

  atom id() const noexcept { return id_; }
  std::vector<event> events() const;
  /// One formatted text per event (multi-line in Erlang style).
  std::vector<std::string> lines() const;
  void clear();

  struct state;

 private:
  std::shared_ptr<state> state_;
  atom id_;
  std::optional<level> saved_primary_;
};

}  // namespace otp::logger

// fmt formatters for otpp values: printed as Erlang prints them (otp::to_string).
template <>
struct fmt::formatter<otp::term> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(const otp::term& t, Ctx& ctx) const {
    return fmt::formatter<fmt::string_view>::format(otp::to_string(t), ctx);
  }
};
template <>
struct fmt::formatter<otp::atom> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(otp::atom a, Ctx& ctx) const {
    return fmt::formatter<fmt::string_view>::format(otp::to_string(a), ctx);
  }
};
template <>
struct fmt::formatter<otp::pid> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(const otp::pid& p, Ctx& ctx) const {
    return fmt::formatter<fmt::string_view>::format(otp::to_string(p), ctx);
  }
};
template <>
struct fmt::formatter<otp::reference> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(const otp::reference& r, Ctx& ctx) const {
    return fmt::formatter<fmt::string_view>::format(otp::to_string(r), ctx);
  }
};
template <class F>
struct fmt::formatter<otp::logger::lazy_value<F>>
    : fmt::formatter<std::decay_t<std::invoke_result_t<const F&>>> {
  template <class Ctx>
  auto format(const otp::logger::lazy_value<F>& v, Ctx& ctx) const {
    return fmt::formatter<std::decay_t<std::invoke_result_t<const F&>>>::format(v.fn(), ctx);
  }
};
