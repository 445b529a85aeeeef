#pragma once
// Pieces shared by the text and JSON formatters (format_text.cpp, format_json.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otp/logger.hpp"

namespace otp::logger::detail {

// "26-Nov-2026::01:03:41.946041", as Erlang's legacy report header.
std::string erlang_time(int64_t time_us, bool utc);
// "2026-11-26T01:03:41.946041+01:00" (or "...Z" in UTC), as Erlang's formatter.
std::string rfc3339_time(int64_t time_us, bool utc);

// A report's {Key, Value} items when it is a proplist or a map with atom keys; nullopt
// when it is some other term (which is then printed whole).
using report_items = std::vector<std::pair<atom, term>>;
std::optional<report_items> items_of(const term& report);
// The value of `key` in `items`, or nullptr.
const term* lookup(const report_items& items, const char* key);

// The report as one line, as Erlang's single_line formatter prints it (no time or level).
std::string report_single_line(const event& e);
// Just the file's name from a path, for text output.
std::string_view base_name(const char* path);

std::string format_erlang(const event& e, const formatter_options& o);
std::string format_single_line(const event& e, const formatter_options& o);
std::string format_json(const event& e, const formatter_options& o);

}  // namespace otp::logger::detail
