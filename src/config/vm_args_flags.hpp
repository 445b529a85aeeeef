#pragma once
// The BEAM-only flags vm.args may hold that otpp accepts and ignores: emulator tuning (+A,
// +sbwt, +MBas, ...) and init flags with no otpp meaning (-heart, -boot, -mode, ...). They
// are listed in docs/config.md; keep the two in step.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace otp::config::detail {

enum class flag_args : uint8_t {
  none,
  one,
  two,
  optional,  // one argument when the next word is one of `choices`
};

struct ignored_flag {
  std::string_view name;  // "+A"; for a family, its prefix ("+M")
  flag_args args = flag_args::none;
  std::string_view expected;  // the argument(s), for "expected <this> after +A"
  std::string_view choices;   // when not empty: the only values accepted, '|'-separated
  std::string_view hint;      // appended to errors about this flag
};

struct flag_match {
  const ignored_flag* flag = nullptr;
  // The value written in the same word ("+A30": "30"), for the one-letter flags erl lets
  // take their value so.
  std::optional<std::string_view> glued;
};

/// What `word` is among the ignored flags (flag == nullptr: none of them).
flag_match find_ignored_flag(std::string_view word);

/// Every single ignored flag (families excluded), for tests.
std::span<const ignored_flag> ignored_flags();

/// True when `value` is one of the '|'-separated `choices`.
bool is_choice(std::string_view value, std::string_view choices);

}  // namespace otp::config::detail
