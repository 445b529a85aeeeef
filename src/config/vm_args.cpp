// vm.args: erl's command-line flags, one or more per line, read as erl's -args_file does.
//
// Flags otpp uses fill vm_args; BEAM-only flags (vm_args_flags.cpp) are checked for their
// arguments and recorded in `ignored`; any other `-word Key Value` is application
// environment, as erl's init hands it to the application controller; anything else is an
// error, where erl would pass it on to a runtime that may not know it either.

#include <charconv>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "otp/config.hpp"
#include "otp/term_parse.hpp"
#include "source.hpp"
#include "vm_args_flags.hpp"
#include "vm_args_tokens.hpp"

namespace otp::config {
namespace {

using namespace otp::config::detail;

const std::string known_flags =
    "one of -name, -sname, -setcookie, -env, -args_file, +S, +P, a BEAM flag otpp ignores "
    "(docs/config.md) or -Application Key Value";

// erl's limits (erl(1), OTP 25).
constexpr long max_schedulers = 1024;
constexpr long min_processes = 1024;
constexpr long max_processes = 134217727;

bool looks_like_flag(const std::string& w) {
  return w.size() >= 2 && (w[0] == '-' || w[0] == '+');
}

std::string shown_word(const std::string& w) {
  return w.empty() ? "an empty argument" : "'" + w + "'";
}

// A whole decimal integer with an optional sign, or nothing.
std::optional<long> integer(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// What -App may name: an atom written without quotes (as application names are), at most
// 255 characters.
bool is_app_name(std::string_view s) {
  if (s.empty() || s.size() > atom::max_length || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '@'))
      return false;
  return true;
}

// What the files of one read share: the result, the files being read (for cycles) and
// where the flags that may appear once were given.
struct reading {
  vm_args out;
  const env_lookup& env;
  std::vector<std::pair<std::string, std::string>> open;  // identity, name as shown
  std::string name_at, cookie_at;                         // "file:line", empty: not yet
};

// The flags of one file, in order.
class file_reader {
 public:
  file_reader(const source& src, reading& r)
      : src_(src), toks_(split_args(src)), r_(r), out_(r.out) {}

  void run() {
    size_t i = 0;
    while (i < toks_.size()) i = flag(i);
  }

 private:
  const std::string& word(size_t i) const { return toks_[i].text; }
  config_error error(size_t i, std::string detail) const {
    return src_.error_at(toks_[i].offset, std::move(detail));
  }

  // Argument `k` (1-based) of the flag at `i`, or an error saying what was expected.
  const std::string& argument(size_t i, size_t k, const std::string& expected,
                              bool may_look_like_flag = false) const {
    std::string after = word(i);
    for (size_t j = 1; j < k; ++j) after += " " + word(i + j);
    if (i + k >= toks_.size())
      throw error(i, "expected " + expected + " after " + after + ", found the end of the file");
    if (!may_look_like_flag && looks_like_flag(word(i + k)))
      throw error(i + k, "expected " + expected + " after " + after + ", found " + word(i + k));
    return word(i + k);
  }

  size_t flag(size_t i) {
    const std::string& w = word(i);
    if (!looks_like_flag(w))
      throw error(i, "expected a flag (" + known_flags + "), found " + shown_word(w));
    if (w == "-name" || w == "-sname") return node_name(i);
    if (w == "-setcookie") return cookie(i);
    if (w == "-env") return env_var(i);
    if (w == "-args_file") return args_file(i);
    flag_match m = find_ignored_flag(w);
    if (m.flag) return ignored(i, *m.flag, m.glued);
    if (w.rfind("+S", 0) == 0) return schedulers(i);
    if (w.rfind("+P", 0) == 0) return processes(i);
    if (w[0] == '-') return app_env(i);
    throw error(i, "unknown flag " + w + "; expected " + known_flags);
  }

  // erl keeps the first -name and warns, and ignores two -setcookie flags altogether:
  // either way the file does not say what it seems to, so a second one is an error.
  void once(size_t i, std::string& first_at, const char* what) {
    if (!first_at.empty())
      throw error(
          i, std::string("a second ") + what + " (" + word(i) + "); the first is at " + first_at);
    first_at = src_.file() + ":" + std::to_string(src_.written_at(toks_[i].offset).line);
  }

  size_t node_name(size_t i) {
    const std::string& v = argument(i, 1, "a node name");
    if (v.empty())
      throw error(i + 1, "expected a node name after " + word(i) + ", found an empty argument");
    once(i, r_.name_at, "node name");
    out_.name = v;
    out_.long_names = word(i) == "-name";
    return i + 2;
  }

  size_t cookie(size_t i) {
    const std::string& v = argument(i, 1, "a cookie");
    if (v.empty())
      throw error(i + 1, "expected a cookie after -setcookie, found an empty argument");
    if (i + 2 < toks_.size() && !looks_like_flag(word(i + 2)))
      throw error(i + 2, "expected a flag after -setcookie " + v + ", found " +
                             shown_word(word(i + 2)) +
                             " (per-node cookies, -setcookie Node Cookie, are not supported)");
    once(i, r_.cookie_at, "cookie");
    out_.cookie = v;
    return i + 2;
  }

  size_t env_var(size_t i) {
    const std::string& name = argument(i, 1, "a variable name");
    if (name.empty() || name.find('=') != std::string::npos)
      throw error(i + 1, "expected a variable name after -env, found " + shown_word(name));
    const std::string& value = argument(i, 2, "a value", true);
    out_.env.emplace_back(name, value);
    return i + 3;
  }

  size_t args_file(size_t i) {
    const std::string& name = argument(i, 1, "a file name");
    std::string shown = beside(src_.file(), name);
    std::string id = identity_of(shown);
    auto& open = r_.open;
    for (size_t k = 0; k < open.size(); ++k) {
      if (open[k].first != id) continue;
      std::string chain;
      for (size_t j = k; j < open.size(); ++j) chain += open[j].second + " -> ";
      throw error(i + 1, "-args_file cycle: " + chain + shown);
    }
    std::string text, reason;
    if (!read_file(shown, text, reason))
      throw error(i + 1, "cannot read the -args_file " + shown + ": " + reason);
    source inner(shown, std::move(text), r_.env);
    open.emplace_back(id, shown);
    file_reader(inner, r_).run();
    open.pop_back();
    return i + 2;
  }

  size_t ignored(size_t i, const ignored_flag& f, std::optional<std::string_view> glued) {
    std::string written = word(i);
    size_t next = i + 1;
    auto check = [&](const std::string& v, size_t at) {
      if (!f.choices.empty() && !is_choice(v, f.choices))
        throw error(at, "expected " + std::string(f.expected) + " after " +
                            written.substr(0, written.size() - (glued ? v.size() : 0)) +
                            ", found " + shown_word(v) + std::string(f.hint));
    };
    switch (f.args) {
      case flag_args::none:
        break;
      case flag_args::one:
        if (glued) {
          check(std::string(*glued), i);
        } else {
          const std::string& v = argument(i, 1, std::string(f.expected));
          check(v, i + 1);
          written += " " + v;
          next = i + 2;
        }
        break;
      case flag_args::two:
        written += " " + argument(i, 1, std::string(f.expected));
        written += " " + argument(i, 2, std::string(f.expected));
        next = i + 3;
        break;
      case flag_args::optional:
        if (i + 1 < toks_.size() && !looks_like_flag(word(i + 1))) {
          check(word(i + 1), i + 1);
          written += " " + word(i + 1);
          next = i + 2;
        }
        break;
    }
    out_.ignored.push_back(written);
    return next;
  }

  // +S N, +S N:M, +S :M (also written +SN:M). 0 means erl's default, a negative number
  // the default less that many.
  size_t schedulers(size_t i) {
    const std::string& w = word(i);
    const std::string expected = "Schedulers[:SchedulersOnline], each -1024..1024,";
    bool glued = w.size() > 2;
    if (glued && w[2] != ':' && w[2] != '-' && (w[2] < '0' || w[2] > '9'))
      throw error(i, "unknown flag " + w + "; expected " + known_flags);
    std::string v = glued ? w.substr(2) : argument(i, 1, expected, true);
    size_t at = glued ? i : i + 1;
    auto fail = [&]() -> config_error {
      return error(at, "expected " + expected + " after +S, found " + shown_word(v));
    };
    size_t colon = v.find(':');
    std::string_view total = std::string_view(v).substr(0, colon);
    std::string_view online =
        colon == std::string::npos ? std::string_view() : std::string_view(v).substr(colon + 1);
    if (total.empty() && online.empty()) throw fail();
    const long available = std::max(1u, std::thread::hardware_concurrency());
    auto resolve = [&](std::string_view s, const char* what) -> std::optional<unsigned> {
      if (s.empty()) return std::nullopt;
      std::optional<long> n = integer(s);
      if (!n || *n < -max_schedulers || *n > max_schedulers) throw fail();
      if (*n == 0) return std::nullopt;
      long r = *n > 0 ? *n : available + *n;
      if (r < 1)
        throw error(at, std::string("+S ") + v + ": " + what + " " + std::to_string(*n) +
                            " leaves no scheduler on this machine's " + std::to_string(available) +
                            " processors");
      return unsigned(r);
    };
    std::optional<unsigned> n = resolve(total, "Schedulers");
    std::optional<unsigned> m = resolve(online, "SchedulersOnline");
    if (m && *m > n.value_or(unsigned(available)))
      throw error(at, "+S " + v + ": schedulers online (" + std::to_string(*m) +
                          ") exceeds schedulers (" +
                          std::to_string(n.value_or(unsigned(available))) + ")");
    if (n) out_.schedulers = n;
    if (m) out_.schedulers_online = m;
    return glued ? i + 1 : i + 2;
  }

  // +P N (also +PN): N in erl's range 1024..134217727.
  size_t processes(size_t i) {
    const std::string& w = word(i);
    bool glued = w.size() > 2;
    if (glued && (w[2] < '0' || w[2] > '9'))
      throw error(i, "unknown flag " + w + "; expected " + known_flags);
    const std::string expected = "a number of processes in 1024..134217727";
    std::string v = glued ? w.substr(2) : argument(i, 1, expected, true);
    std::optional<long> n = integer(v);
    if (!n || *n < min_processes || *n > max_processes)
      throw error(glued ? i : i + 1, "expected " + expected + " after +P, found " + shown_word(v));
    out_.max_processes = size_t(*n);
    return glued ? i + 1 : i + 2;
  }

  // -App Key Value, Key an atom and Value a term (both in Erlang syntax).
  size_t app_env(size_t i) {
    const std::string& w = word(i);
    if (!is_app_name(std::string_view(w).substr(1)) || i + 1 >= toks_.size())
      throw error(i, "unknown flag " + w + "; expected " + known_flags);
    term_parse_result key = try_parse_term(word(i + 1));
    if (!key || !key.value.is_atom())
      throw error(i, "unknown flag " + w + "; expected " + known_flags);
    const std::string& text = argument(i, 2, "a value (a term)", true);
    term_parse_result value = try_parse_term(text);
    if (!value) {
      // Point into the value when the word is written as it reads (no quotes or escapes).
      const parse_error_info& e = *value.error;
      size_t at = toks_[i + 2].offset;
      bool verbatim = src_.text().substr(at, text.size()) == text;
      std::string message = e.message.substr(e.message.find(": ") + 2);
      throw src_.error_at(verbatim ? at + e.offset : at,
                          "the value of " + w + " " + word(i + 1) + " is not a term: " + message);
    }
    merge(out_.app_env, atom(std::string_view(w).substr(1)), key.value.as_atom(), value.value);
    return i + 3;
  }

  const source& src_;
  std::vector<arg_token> toks_;
  reading& r_;
  vm_args& out_;
};

}  // namespace

vm_args parse_vm_args(std::string_view text, const std::string& file, const env_lookup& env) {
  reading r{{}, env, {{identity_of(file), file}}, {}, {}};
  source src(file, std::string(text), env);
  file_reader(src, r).run();
  return std::move(r.out);
}

vm_args read_vm_args(const std::string& path, const env_lookup& env) {
  return parse_vm_args(detail::read_whole_file(path), path, env);
}

}  // namespace otp::config
