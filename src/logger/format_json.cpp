// The JSON formatter: one object per line. Terms map to JSON by simple, predictable rules
// (docs/logger.md): numbers, booleans, atoms and UTF-8 binaries as themselves, proplists
// and atom-keyed maps as objects, anything else as its Erlang text.

#include <fmt/format.h>

#include "format.hpp"
#include "term/utf8.hpp"

namespace otp::logger::detail {

namespace {

// Nested proplists deeper than this print as Erlang text (keeps recursion bounded).
constexpr int max_object_depth = 8;

// A JSON string; bytes that are not valid UTF-8 become U+FFFD so the line stays valid.
void put_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t start = i;
      if (otp::detail::utf8_decode(s, i) < 0) {
        out += "\\ufffd";
        i = start + 1;
      } else {
        out.append(s.substr(start, i - start));
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();)
    if (otp::detail::utf8_decode(s, i) < 0) return false;
  return true;
}

void put_items(std::string& out, const report_items& items, int depth);

void put_term(std::string& out, const term& t, int depth) {
  if (t.is_integer()) {
    out += to_string(t);  // any size: JSON numbers have no limit
  } else if (t.is_float()) {
    fmt::format_to(std::back_inserter(out), "{}", t.as_float());
  } else if (t.is_boolean()) {
    out += t.as_bool() ? "true" : "false";
  } else if (t.is_atom()) {
    put_string(out, t.as_atom().name());
  } else if (t.is_binary() && valid_utf8(t.as_binary())) {
    put_string(out, t.as_binary());
  } else if (auto items = depth < max_object_depth ? items_of(t) : std::nullopt) {
    put_items(out, *items, depth + 1);
  } else {
    put_string(out, to_string(t));
  }
}

void put_items(std::string& out, const report_items& items, int depth) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : items) {
    if (!first) out += ',';
    first = false;
    put_string(out, k.name());
    out += ':';
    put_term(out, v, depth);
  }
  out += '}';
}

}  // namespace

std::string format_json(const event& e, const formatter_options& o) {
  std::string out = "{\"time\":";
  put_string(out, rfc3339_time(e.time_us, o.utc));
  out += ",\"level\":";
  put_string(out, level_name(e.level));
  out += ",\"msg\":";
  put_string(out, e.is_report() ? report_single_line(e) : e.message);
  if (e.is_report()) {
    out += ",\"kind\":";
    put_string(out, e.kind.name());
    out += ",\"report\":";
    put_term(out, e.report, 0);
  }
  if (!e.pid.is_null()) {
    out += ",\"pid\":";
    put_string(out, to_string(e.pid));
  }
  if (e.location.line() != 0) {
    out += ",\"file\":";
    put_string(out, e.location.file_name());
    fmt::format_to(std::back_inserter(out), ",\"line\":{},\"function\":", e.location.line());
    put_string(out, e.location.function_name());
  }
  if (!e.domain.empty()) {
    out += ",\"domain\":[";
    for (size_t i = 0; i < e.domain.size(); ++i) {
      if (i) out += ',';
      put_string(out, e.domain[i].name());
    }
    out += ']';
  }
  if (!e.meta.empty()) {
    out += ",\"meta\":";
    put_items(out, e.meta, 1);
  }
  return out + "}\n";
}

}  // namespace otp::logger::detail
