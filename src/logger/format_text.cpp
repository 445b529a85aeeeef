// Text formatters: Erlang's default (legacy header, reports one item per line) and its
// single_line variant. Shapes follow OTP 25's output for SASL reports (proc_lib crash
// reports, supervisor and progress reports); values print as ~p on one line
// (otp::to_string).

#include <fmt/format.h>

#include <cstring>

#include "format.hpp"

namespace otp::logger::detail {

namespace {

bool is(atom a, const char* name) {
  return a.name() == name;
}

// `{M, F, Arity}` or `{M, F, Args}` as M:F/Arity, as Erlang prints an initial call; a
// binary (a C++ callable's name, from otpp's proc_lib) as its text.
std::string mfa_text(const term& t) {
  if (t.is_binary()) return std::string(t.as_binary());
  if (t.is_tuple() && t.tuple_size() >= 3 && t[0].is_atom() && t[1].is_atom()) {
    const term& a = t[2];
    std::optional<int64_t> arity = a.try_int64();
    if (!arity && a.is_list()) {
      try {
        arity = static_cast<int64_t>(a.list_length());
      } catch (const bad_term_access&) {
      }
    }
    if (arity)
      return fmt::format("{}:{}/{}", to_string(t[0].as_atom()), to_string(t[1].as_atom()), *arity);
  }
  return to_string(t);
}

// A stack frame {M, F, Arity, [{file, F}, {line, L}]} as "M:F/A (F, line L)".
std::string frame_text(const term& f) {
  std::string s = mfa_text(f);
  if (f.is_tuple(4)) {
    if (auto loc = items_of(f[3])) {
      const term* file = lookup(*loc, "file");
      const term* line = lookup(*loc, "line");
      if (file && line) {
        std::string name;
        try {
          name = file->as_string();
        } catch (const bad_term_access&) {
          name = to_string(*file);
        }
        s += fmt::format(" ({}, line {})", name, to_string(*line));
      }
    }
  }
  return s;
}

// error_info is {Class, Reason} or {Class, Reason, Stacktrace}, as proc_lib reports it.
bool is_error_info(const term& v) {
  return (v.is_tuple(2) || v.is_tuple(3)) && v[0].is_atom();
}

std::vector<term> stack_of(const term& info) {
  if (!info.is_tuple(3)) return {};
  try {
    return info[2].list_elements();
  } catch (const bad_term_access&) {
    return {info[2]};
  }
}

// One crash-report item in Erlang's multi-line layout.
void crash_item(std::string& out, atom key, const term& v, std::string_view indent) {
  if (is(key, "initial_call")) {
    fmt::format_to(std::back_inserter(out), "{}initial call: {}\n", indent, mfa_text(v));
  } else if (is(key, "error_info") && is_error_info(v)) {
    fmt::format_to(std::back_inserter(out), "{}exception {}: {}\n", indent, v[0].as_atom().name(),
                   to_string(v[1]));
    bool first = true;
    for (const term& f : stack_of(v)) {
      fmt::format_to(std::back_inserter(out), "{}  {}{}\n", indent,
                     first ? "in function  " : "in call from ", frame_text(f));
      first = false;
    }
  } else {
    fmt::format_to(std::back_inserter(out), "{}{}: {}\n", indent, key.name(), to_string(v));
  }
}

std::string crash_item_single(atom key, const term& v) {
  if (is(key, "initial_call")) return "initial call: " + mfa_text(v);
  if (is(key, "error_info") && is_error_info(v)) {
    bool with_stack = v.is_tuple(3) && !v[2].is_nil();
    return fmt::format("{}: {}", v[0].as_atom().name(),
                       with_stack ? to_string(otp::tuple(v[1], v[2])) : to_string(v[1]));
  }
  return fmt::format("{}: {}", key.name(), to_string(v));
}

// A crash report is Erlang's [Own, Neighbours] or just Own; both are proplists.
struct crash_parts {
  report_items own;
  std::vector<report_items> neighbours;
};
std::optional<crash_parts> crash_parts_of(const term& r) {
  if (auto own = items_of(r)) return crash_parts{std::move(*own), {}};
  if (!r.is_list() || r.is_nil()) return std::nullopt;
  std::vector<term> parts;
  try {
    parts = r.list_elements();
  } catch (const bad_term_access&) {
    return std::nullopt;
  }
  if (parts.size() != 2) return std::nullopt;
  auto own = items_of(parts[0]);
  if (!own || !parts[1].is_list()) return std::nullopt;
  crash_parts c{std::move(*own), {}};
  try {
    for (const term& n : parts[1].list_elements())
      if (auto items = items_of(n)) c.neighbours.push_back(std::move(*items));
  } catch (const bad_term_access&) {
  }
  return c;
}

std::string crash_multi(const crash_parts& c) {
  std::string out = "  crasher:\n";
  for (const auto& [k, v] : c.own) crash_item(out, k, v, "    ");
  out += "  neighbours:\n";
  for (const report_items& n : c.neighbours) {
    out += "    neighbour:\n";
    for (const auto& [k, v] : n) crash_item(out, k, v, "      ");
  }
  return out;
}

std::string crash_single(const crash_parts& c) {
  std::vector<std::string> own;
  for (const auto& [k, v] : c.own) own.push_back(crash_item_single(k, v));
  std::string out = fmt::format("crasher: {}; neighbours:", fmt::join(own, ", "));
  for (const report_items& n : c.neighbours) {
    std::vector<std::string> items;
    for (const auto& [k, v] : n) items.push_back(crash_item_single(k, v));
    out += fmt::format(" neighbour: {};", fmt::join(items, ", "));
  }
  if (!c.neighbours.empty()) out.pop_back();
  return out;
}

// A child spec proplist as "id=c1,pid=<0.89.0>" (Erlang's single-line supervisor reports).
std::string child_summary(const term& child) {
  if (auto items = items_of(child)) {
    const term* id = lookup(*items, "id");
    const term* pid = lookup(*items, "pid");
    if (id && pid) return fmt::format("id={},pid={}", to_string(*id), to_string(*pid));
  }
  return to_string(child);
}

std::string generic_single(const report_items& items) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : items) parts.push_back(fmt::format("{}: {}", k.name(), to_string(v)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

// gen_server's terminate report, recognised as OTP does by its label {gen_server, terminate}
// (keys name, last_message, state, reason).
struct server_crash {
  term name, last, state, reason;  // copies (a reference count each), not pointers into items
};
std::optional<server_crash> server_crash_of(const std::optional<report_items>& items) {
  if (!items) return std::nullopt;
  const term* label = lookup(*items, "label");
  if (!label || *label != otp::tuple(atom("gen_server"), atom("terminate"))) return std::nullopt;
  const term* name = lookup(*items, "name");
  const term* last = lookup(*items, "last_message");
  const term* state = lookup(*items, "state");
  const term* reason = lookup(*items, "reason");
  if (!name || !last || !state || !reason) return std::nullopt;
  return server_crash{*name, *last, *state, *reason};
}

std::string header_name(const event& e) {
  if (is(e.kind, "crash_report")) return "CRASH REPORT";
  if (is(e.kind, "supervisor_report")) return "SUPERVISOR REPORT";
  if (is(e.kind, "progress")) return "PROGRESS REPORT";
  std::string s(level_name(e.level));
  for (char& c : s) c = static_cast<char>(c - 'a' + 'A');
  return s + " REPORT";
}

// "pid=<0.80.0> at=file.cpp:42 domain=[otp,sasl] key=value"
std::string metadata_text(const event& e) {
  std::vector<std::string> parts;
  if (!e.pid.is_null()) parts.push_back("pid=" + to_string(e.pid));
  if (e.location.line() != 0)
    parts.push_back(fmt::format("at={}:{}", base_name(e.location.file_name()), e.location.line()));
  if (!e.domain.empty()) {
    std::vector<term> d(e.domain.begin(), e.domain.end());
    parts.push_back("domain=" + to_string(term::list(std::move(d))));
  }
  for (const auto& [k, v] : e.meta) parts.push_back(fmt::format("{}={}", k.name(), to_string(v)));
  return fmt::format("{}", fmt::join(parts, " "));
}

// Erlang's single_line: a line break and the indentation after it become ", ".
std::string collapse_lines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      if (!out.empty() && out.back() == ',') out.pop_back();
      while (i + 1 < s.size() &&
             (s[i + 1] == '\r' || s[i + 1] == '\n' || s[i + 1] == ' ' || s[i + 1] == '\t'))
        ++i;
      out += ", ";
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<report_items> items_of(const term& report) {
  report_items items;
  if (report.is_map()) {
    for (const auto& [k, v] : report.map_entries()) {
      if (!k.is_atom()) return std::nullopt;
      items.emplace_back(k.as_atom(), v);
    }
    return items;
  }
  const term* p = &report;
  for (; p->is_cons(); p = &p->tail()) {
    const term& x = p->head();
    if (!x.is_tuple(2) || !x[0].is_atom()) return std::nullopt;
    items.emplace_back(x[0].as_atom(), x[1]);
  }
  if (!p->is_nil() || items.empty()) return std::nullopt;
  return items;
}

const term* lookup(const report_items& items, const char* key) {
  for (const auto& [k, v] : items)
    if (k.name() == key) return &v;
  return nullptr;
}

std::string_view base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

std::string report_single_line(const event& e) {
  auto items = items_of(e.report);
  if (auto g = server_crash_of(items)) {
    return fmt::format("Generic server {} terminating. Reason: {}. Last message: {}. State: {}.",
                       to_string(g->name), to_string(g->reason), to_string(g->last),
                       to_string(g->state));
  }
  if (is(e.kind, "crash_report")) {
    if (auto c = crash_parts_of(e.report)) return crash_single(*c);
  } else if (items && is(e.kind, "supervisor_report")) {
    const term* sup = lookup(*items, "supervisor");
    const term* ctx = lookup(*items, "errorContext");
    const term* reason = lookup(*items, "reason");
    const term* offender = lookup(*items, "offender");
    if (sup && ctx && reason && offender)
      return fmt::format("Supervisor: {}. Context: {}. Reason: {}. Offender: {}.", to_string(*sup),
                         to_string(*ctx), to_string(*reason), child_summary(*offender));
  } else if (items && is(e.kind, "progress")) {
    const term* sup = lookup(*items, "supervisor");
    const term* started = lookup(*items, "started");
    if (sup && started)
      return fmt::format("Supervisor: {}. Started: {}.", to_string(*sup), child_summary(*started));
    const term* app = lookup(*items, "application");
    const term* at = lookup(*items, "started_at");
    if (app && at)
      return fmt::format("Application: {}. Started at: {}.", to_string(*app), to_string(*at));
  }
  return items ? generic_single(*items) : to_string(e.report);
}

std::string format_erlang(const event& e, const formatter_options& o) {
  std::string out = fmt::format("={}==== {} ===\n", header_name(e), erlang_time(e.time_us, o.utc));
  if (o.metadata) out += metadata_text(e) + "\n";
  if (!e.is_report()) return out + e.message + "\n";
  if (auto g = server_crash_of(items_of(e.report))) {
    // OTP's own text, trailing space after "terminating" included.
    return out + fmt::format(
                     "** Generic server {} terminating \n** Last message in was {}\n"
                     "** When Server state == {}\n** Reason for termination ==\n** {}\n\n",
                     to_string(g->name), to_string(g->last), to_string(g->state),
                     to_string(g->reason));
  }
  bool sasl = is(e.kind, "supervisor_report") || is(e.kind, "progress");
  if (is(e.kind, "crash_report")) {
    if (auto c = crash_parts_of(e.report)) return out + crash_multi(*c) + "\n";
  } else if (auto items = items_of(e.report)) {
    std::vector<std::string> lines;
    for (const auto& [k, v] : *items)
      lines.push_back(fmt::format("    {}: {}", k.name(), to_string(v)));
    // SASL reports end with an empty line in Erlang's output; other reports do not.
    return out + fmt::format("{}", fmt::join(lines, "\n")) + (sasl ? "\n\n" : "\n");
  }
  return out + to_string(e.report) + "\n";
}

std::string format_single_line(const event& e, const formatter_options& o) {
  std::string text = e.is_report() ? report_single_line(e) : collapse_lines(e.message);
  std::string out =
      fmt::format("{} {}: {}", rfc3339_time(e.time_us, o.utc), level_name(e.level), text);
  if (o.metadata) {
    std::string m = metadata_text(e);
    if (!m.empty()) out += " (" + m + ")";
  }
  return out + "\n";
}

std::string format_event_dispatch(const event& e, const formatter_options& o) {
  switch (o.style) {
    case format_style::single_line:
      return format_single_line(e, o);
    case format_style::json:
      return format_json(e, o);
    case format_style::erlang:
      break;
  }
  return format_erlang(e, o);
}

}  // namespace otp::logger::detail

namespace otp::logger {

std::string format_event(const event& e, const formatter_options& options) {
  return detail::format_event_dispatch(e, options);
}

}  // namespace otp::logger
