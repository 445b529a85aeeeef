#pragma once
// A configuration file as the readers see it: its text after ${VAR} substitution, plus the
// way back from a byte of that text to the line and column the user wrote. Errors must
// point into the file as written, and a substituted value may be longer or shorter than
// the `${VAR}` it replaced.
//
// Thread safety: a source is immutable after construction.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otp/config.hpp"
#include "otp/term_parse.hpp"
#include "term/term_parse_located.hpp"

namespace otp::config::detail {

struct text_position {
  size_t line = 1, column = 1;
};

/// Line and column (1-based; columns in characters, as the term parser counts them) of
/// byte `offset` of `text`.
text_position position_at(std::string_view text, size_t offset);

class source {
 public:
  /// The text as written, with every `${NAME}` replaced by `env(NAME)`; an unset NAME is a
  /// config_error at the `$`. NAME is a letter or `_`, then letters, digits or `_`; any
  /// other `${` is left as it is.
  source(std::string file, std::string written, const env_lookup& env);
  /// The text as written, nothing substituted (.app files).
  source(std::string file, std::string written);

  const std::string& file() const noexcept { return file_; }
  /// What the readers parse.
  std::string_view text() const noexcept { return text_; }
  /// Where byte `offset` of text() was written (the `${` of a substituted value).
  text_position written_at(size_t offset) const;
  /// An error at byte `offset` of text().
  config_error error_at(size_t offset, std::string detail) const;

 private:
  // One replaced `${NAME}`: bytes [out, out + out_len) of text_ came from [in, in + in_len).
  struct splice {
    size_t out, out_len, in, in_len;
  };
  void substitute(const env_lookup& env);

  std::string file_;
  std::string written_;
  std::string text_;
  std::vector<splice> splices_;  // in text order
};

/// A name for the file at `path` that is the same however the path reached it (for
/// include cycles): the canonical path where it can be had.
std::string identity_of(const std::string& path);
/// `name` as an include of the file `from` sees it: relative names are relative to
/// `from`'s folder.
std::string beside(const std::string& from, const std::string& name);

/// Reads the whole file into `out`; false and the reason (strerror's text) otherwise.
bool read_file(const std::string& path, std::string& out, std::string& reason);
/// The whole file; config_error(path, 0, 0, "cannot read the file: <reason>") otherwise.
std::string read_whole_file(const std::string& path);

/// The term parser's error, placed in the file as written (message without its "L:C: ").
config_error syntax_error(const source& src, const term_parse_error& e);
/// An error at the start of a located term.
config_error error_at(const source& src, const otp::detail::located_term& at, std::string detail);

/// The elements of a list written with brackets, checked: config_error when `node` is not
/// a list, is a string literal (the elements have no positions and never fit), or is
/// improper. `what` completes "expected ..." ("a list of {Key, Value}").
const std::vector<otp::detail::located_term>& elements(const source& src,
                                                       const otp::detail::located_term& node,
                                                       const std::string& what);

/// The text of a non-empty string (a proper list of Unicode code points), as UTF-8.
std::optional<std::string> text_of(const term& t);

/// A term for a message: as erl prints it, shortened to about 60 characters.
std::string show(const term& t);

}  // namespace otp::config::detail
