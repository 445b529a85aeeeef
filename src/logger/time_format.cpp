// Timestamps in the two layouts Erlang's logger prints.

#include <fmt/format.h>

#include <ctime>

#include "format.hpp"

namespace otp::logger::detail {

namespace {

struct broken_down {
  std::tm tm{};
  int64_t micros = 0;
  long offset_s = 0;  // east of UTC
};

broken_down split(int64_t time_us, bool utc) {
  broken_down b;
  int64_t secs = time_us / 1'000'000;
  b.micros = time_us % 1'000'000;
  if (b.micros < 0) {  // floor, for times before 1970
    b.micros += 1'000'000;
    --secs;
  }
  auto t = static_cast<std::time_t>(secs);
  if (utc) {
    gmtime_r(&t, &b.tm);
  } else {
    localtime_r(&t, &b.tm);
    b.offset_s = b.tm.tm_gmtoff;
  }
  return b;
}

}  // namespace

std::string erlang_time(int64_t time_us, bool utc) {
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  broken_down b = split(time_us, utc);
  return fmt::format("{:02}-{}-{:04}::{:02}:{:02}:{:02}.{:06}", b.tm.tm_mday, months[b.tm.tm_mon],
                     b.tm.tm_year + 1900, b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec, b.micros);
}

std::string rfc3339_time(int64_t time_us, bool utc) {
  broken_down b = split(time_us, utc);
  std::string s =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", b.tm.tm_year + 1900, b.tm.tm_mon + 1,
                  b.tm.tm_mday, b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec, b.micros);
  if (utc) return s + "Z";
  long off = b.offset_s < 0 ? -b.offset_s : b.offset_s;
  return s + fmt::format("{}{:02}:{:02}", b.offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

}  // namespace otp::logger::detail
