#pragma once
/// \file
/// Configuration files read at boot: `sys.config` (application environment, in Erlang term
/// syntax) and `vm.args` (node flags), as `man 4erl config` and `man 1erl erl` describe.
///
///     auto cfg = otp::config::read_sys_config("releases/1.0.0/sys.config");
///     auto vm  = otp::config::read_vm_args("releases/1.0.0/vm.args");
///
/// sys.config is one term, a list whose elements are
///  - `{Application, [{Key, Value}, ...]}`: environment for that application;
///  - `"other"` or `"other.config"` (Erlang's form: ".config" is added when missing) or
///    `{include, "other.config"}` (otpp's form: the name as written): another file of the
///    same form, read in its place; a relative path is relative to the including file's
///    folder. Included files may include others (erl does not allow that).
/// Later entries override earlier ones key by key (an included file's entries count at the
/// place of the include); a key twice in one application's list is an error, as in erl. An
/// include cycle is an error.
///
/// vm.args holds erl's flags, split into words as erl's -args_file does (whitespace,
/// `#` comments, '...' and "..." quotes, `\` escapes; a line may hold several flags):
/// `-name N` / `-sname N`, `-setcookie C`, `+S N` (or `+S N:M`, schedulers online), `+P N`
/// (process limit, 1024..134217727), `-env VAR VALUE`, `-App Key Value` (application
/// environment, Key and Value in term syntax), `-args_file F` (another vm.args, relative to
/// the including file's folder), and BEAM-only tuning flags that otpp accepts, checks and
/// ignores (listed in docs/config.md). Anything else is an error. A node name (-name or
/// -sname) or a cookie given twice is an error; of other flags given twice the later wins.
///
/// Environment overrides: `${VAR}` anywhere in either file (comments too) is replaced by
/// the value of VAR from `env` (by default the OS environment) before parsing, as relx's
/// RELX_REPLACE_OS_VARS does, always on; an unset VAR is an error naming it and its place. The boot
/// also honours RELEASE_NODE and RELEASE_COOKIE (docs/releases.md).
///
/// Every error is a `config_error` that names the file, the line and column (1-based, of
/// the text as written, before substitution) and what was expected, e.g.
/// `sys.config:4:3: expected {Application, [{Key, Value}]}, a file name or
/// {include, File}, found 42`. See docs/config.md.
///
/// Thread safety: the functions are reentrant; they only read files (and, through
/// os_environment(), the environment: do not setenv concurrently).

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otp/atom.hpp"
#include "otp/term.hpp"

namespace otp::config {

/// What went wrong in a configuration file, and where.
class config_error : public std::runtime_error {
 public:
  config_error(std::string file, size_t line, size_t column, std::string detail)
      : std::runtime_error(compose(file, line, column, detail)),
        file_(std::move(file)),
        line_(line),
        column_(column),
        detail_(std::move(detail)) {}
  const std::string& file() const noexcept { return file_; }
  /// 1-based; 0 when the problem is the file as a whole (missing, unreadable).
  size_t line() const noexcept { return line_; }
  size_t column() const noexcept { return column_; }
  /// The message without the location.
  const std::string& detail() const noexcept { return detail_; }

 private:
  static std::string compose(const std::string& f, size_t line, size_t col, const std::string& d) {
    std::string s = f;
    if (line) s += ":" + std::to_string(line);
    if (line && col) s += ":" + std::to_string(col);
    return s + ": " + d;
  }
  std::string file_;
  size_t line_, column_;
  std::string detail_;
};

/// One application's environment: keys in file order, each at most once.
using env_list = std::vector<std::pair<atom, term>>;
/// Applications' environments, applications in the order first seen.
using app_envs = std::vector<std::pair<atom, env_list>>;

/// Looks up an environment variable (for tests: a map instead of the OS environment).
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
/// The OS environment.
env_lookup os_environment();

/// Sets `key` in `envs[app]`, replacing an earlier value (the merge rule of sys.config).
void merge(app_envs& envs, atom app, atom key, term value);
/// Merges every entry of `from` into `into`, in order.
void merge(app_envs& into, const app_envs& from);

/// Reads a sys.config file (and what it includes).
app_envs read_sys_config(const std::string& path, const env_lookup& env = os_environment());
/// Parses sys.config text; `file` names it in errors and anchors relative includes.
app_envs parse_sys_config(std::string_view text, const std::string& file,
                          const env_lookup& env = os_environment());

struct vm_args {
  /// -name / -sname: the node name as written; long_names tells which flag it was.
  std::optional<std::string> name;
  bool long_names = true;
  /// -setcookie.
  std::optional<std::string> cookie;
  /// +S N[:M]: scheduler threads (N), resolved as erl does (a negative N is that many fewer
  /// than this machine's processors); unset when not given or 0 (the default).
  std::optional<unsigned> schedulers;
  /// +S N:M: schedulers online (M), resolved the same way; at most the schedulers.
  std::optional<unsigned> schedulers_online;
  /// +P N: most processes alive at once.
  std::optional<size_t> max_processes;
  /// -env VAR VALUE, in order.
  std::vector<std::pair<std::string, std::string>> env;
  /// -App Key Value.
  app_envs app_env;
  /// BEAM-only flags that were accepted and ignored, as written (for a log line).
  std::vector<std::string> ignored;
};

/// Reads a vm.args file (and -args_file includes).
vm_args read_vm_args(const std::string& path, const env_lookup& env = os_environment());
/// Parses vm.args text; `file` names it in errors and anchors relative -args_file paths.
vm_args parse_vm_args(std::string_view text, const std::string& file,
                      const env_lookup& env = os_environment());

}  // namespace otp::config
