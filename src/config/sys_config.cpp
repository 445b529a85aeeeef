// sys.config: one list of `{App, [{Key, Value}]}` entries and includes, merged in order.
//
// Erlang's rules (application_controller, checked against OTP 25): a string element names
// another config file, relative to the including file's folder, with ".config" added unless
// present; later entries override earlier ones key by key; a key twice in one
// application's list is an error. otpp adds `{include, "file"}` (the name used as written),
// includes inside included files (erl rejects them), and reports cycles.

#include <string>
#include <utility>
#include <vector>

#include "otp/config.hpp"
#include "source.hpp"

namespace otp::config {
namespace {

using namespace otp::config::detail;
using otp::detail::located_term;

const std::string entry_shapes = "{Application, [{Key, Value}]}, a file name or {include, File}";

// Erlang's name for a string element: "other" and "other.config" both mean other.config.
std::string erlang_config_name(std::string name) {
  const std::string ext = ".config";
  bool has_ext =
      name.size() >= ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  return has_ext ? name : name + ext;
}

class reader {
 public:
  explicit reader(const env_lookup& env) : env_(env) {}

  // Reads `src` (a whole file) into the result.
  void read(const source& src) {
    open_.push_back({identity_of(src.file()), src.file()});
    std::vector<located_term> terms;
    try {
      terms = otp::detail::consult_located(src.text());
    } catch (const term_parse_error& e) {
      throw syntax_error(src, e);
    }
    if (terms.empty())
      throw src.error_at(src.text().size(), "expected a list of " + entry_shapes +
                                                " ending with '.', found the end of the file");
    if (terms.size() > 1)
      throw error_at(
          src, terms[1],
          "expected one list ending with '.', found a second term " + show(terms[1].value));
    for (const located_term& e : elements(src, terms[0], "a list of " + entry_shapes))
      entry(src, e);
    open_.pop_back();
  }

  app_envs take() { return std::move(envs_); }

 private:
  void entry(const source& src, const located_term& e) {
    if (std::optional<std::string> name = text_of(e.value))
      return include(src, e, erlang_config_name(std::move(*name)));
    if (e.value.is_tuple(2) && e.value[0].is_atom()) {
      if (e.value[0].is_atom(atom("include")))
        if (std::optional<std::string> name = text_of(e.value[1]))
          return include(src, e.at(1), std::move(*name));
      return application(src, e);
    }
    if (e.value.is_tuple(2))
      throw error_at(src, e.at(0),
                     "expected an application name (an atom), found " + show(e.value[0]));
    throw error_at(src, e, "expected " + entry_shapes + ", found " + show(e.value));
  }

  void application(const source& src, const located_term& e) {
    atom app = e.value[0].as_atom();
    std::string of = "the environment of " + to_string(term(app));
    const auto& items = elements(src, e.at(1), of + " as a list of {Key, Value}");
    merge(envs_, app_envs{{app, {}}});  // an application listed with [] is still listed
    std::vector<std::pair<atom, const located_term*>> seen;
    for (const located_term& item : items) {
      if (!item.value.is_tuple(2))
        throw error_at(src, item, "expected {Key, Value} in " + of + ", found " + show(item.value));
      if (!item.value[0].is_atom())
        throw error_at(src, item.at(0),
                       "expected a key (an atom) in " + of + ", found " + show(item.value[0]));
      atom key = item.value[0].as_atom();
      for (const auto& [k, first] : seen)
        if (k == key)
          throw error_at(src, item.at(0),
                         "duplicate key " + to_string(term(key)) + " in " + of +
                             " (first at line " +
                             std::to_string(src.written_at(first->pos.offset).line) + ")");
      seen.emplace_back(key, &item);
      merge(envs_, app, key, item.value[1]);
    }
  }

  void include(const source& src, const located_term& at, const std::string& name) {
    std::string shown = beside(src.file(), name);
    std::string id = identity_of(shown);
    for (size_t i = 0; i < open_.size(); ++i) {
      if (open_[i].first != id) continue;
      std::string chain;
      for (size_t j = i; j < open_.size(); ++j) chain += open_[j].second + " -> ";
      throw error_at(src, at, "include cycle: " + chain + shown);
    }
    std::string text, reason;
    if (!read_file(shown, text, reason))
      throw error_at(src, at, "cannot read the included file " + shown + ": " + reason);
    read(source(shown, std::move(text), env_));
  }

  const env_lookup& env_;
  app_envs envs_;
  std::vector<std::pair<std::string, std::string>> open_;  // identity, name as shown
};

}  // namespace

app_envs parse_sys_config(std::string_view text, const std::string& file, const env_lookup& env) {
  reader r(env);
  r.read(source(file, std::string(text), env));
  return r.take();
}

app_envs read_sys_config(const std::string& path, const env_lookup& env) {
  return parse_sys_config(detail::read_whole_file(path), path, env);
}

}  // namespace otp::config
