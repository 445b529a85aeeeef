// `.app` descriptors (`man 4erl app`): reading with errors that point at the offending
// part, and writing text that reads back equal.
//
// erl's application:load accepts nearly anything (unknown keys, a missing vsn, an atom as
// vsn); otpp is as strict as systools, which builds releases: unknown keys, wrong types, a
// key given twice and a missing vsn are errors.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "otp/application.hpp"
#include "source.hpp"

namespace otp::application {
namespace {

using namespace otp::config::detail;
using otp::config::config_error;
using otp::detail::located_term;

const char* const known_keys =
    "description, id, vsn, modules, maxP, maxT, registered, included_applications, "
    "optional_applications, applications, env, mod, start_phases, runtime_dependencies";

class descriptor_reader {
 public:
  explicit descriptor_reader(const source& src) : src_(src) {}

  descriptor read() {
    const located_term& top = one_term();
    if (!top.value.is_tuple(3) || !top.value[0].is_atom(atom("application")))
      throw fail(top, "expected {application, Name, [{Key, Value}]}, found " + show(top.value));
    if (!top.value[1].is_atom())
      throw fail(top.at(1), "expected an application name (an atom), found " + show(top.value[1]));
    d_.name = top.value[1].as_atom();
    std::vector<atom> seen;
    for (const located_term& p : elements(src_, top.at(2), "a list of {Key, Value}")) {
      if (!p.value.is_tuple(2) || !p.value[0].is_atom())
        throw fail(p, "expected {Key, Value} with an atom Key, found " + show(p.value));
      atom key = p.value[0].as_atom();
      if (std::find(seen.begin(), seen.end(), key) != seen.end())
        throw fail(p, "the key " + to_string(term(key)) + " appears twice");
      seen.push_back(key);
      property(key, p.at(0), p.at(1));
    }
    if (std::find(seen.begin(), seen.end(), atom("vsn")) == seen.end())
      throw fail(top.at(2), "expected a {vsn, Version} property, found none");
    return std::move(d_);
  }

 private:
  config_error fail(const located_term& at, std::string detail) const {
    return error_at(src_, at, std::move(detail));
  }

  const located_term& one_term() {
    try {
      terms_ = otp::detail::consult_located(src_.text());
    } catch (const term_parse_error& e) {
      throw syntax_error(src_, e);
    }
    if (terms_.empty())
      throw src_.error_at(src_.text().size(),
                          "expected {application, Name, [{Key, Value}]} ending with '.', found the "
                          "end of the file");
    if (terms_.size() > 1)
      throw fail(terms_[1], "expected one term, found a second one: " + show(terms_[1].value));
    return terms_[0];
  }

  void property(atom key, const located_term& k, const located_term& v) {
    std::string_view name = key.name();
    if (name == "description") {
      d_.description = string(name, v);
    } else if (name == "vsn") {
      d_.vsn = string(name, v);
    } else if (name == "id") {
      string(name, v);
    } else if (name == "applications") {
      d_.applications = atoms(name, v);
    } else if (name == "optional_applications") {
      d_.optional_applications = atoms(name, v);
    } else if (name == "registered") {
      d_.registered = atoms(name, v);
    } else if (name == "modules" || name == "included_applications") {
      atoms(name, v);
    } else if (name == "env") {
      for (const auto& [ek, ev] : pairs(name, v)) config::merge(env_, d_.name, ek, ev);
      if (!env_.empty()) d_.env = env_.front().second;
    } else if (name == "mod") {
      if (!v.value.is_tuple(2) || !v.value[0].is_atom())
        throw fail(v, "expected {Module, StartArgs} as mod, found " + show(v.value));
      d_.mod = std::make_pair(v.value[0].as_atom(), v.value[1]);
    } else if (name == "maxP" || name == "maxT") {
      const term& t = v.value;
      if (!t.is_atom(atoms::infinity) && !(t.is_integer() && t.try_int64() && *t.try_int64() >= 0))
        throw fail(v, "expected a non-negative integer or infinity as " + std::string(name) +
                          ", found " + show(t));
    } else if (name == "start_phases") {
      if (!v.value.is_atom(atoms::undefined)) pairs(name, v);
    } else if (name == "runtime_dependencies") {
      for (const located_term& e : elements(src_, v, "a list of strings as runtime_dependencies"))
        string(name, e);
    } else {
      throw fail(k, "unknown key " + to_string(term(key)) + "; expected one of " + known_keys);
    }
  }

  std::string string(std::string_view key, const located_term& v) {
    if (v.value.is_nil()) return {};
    if (std::optional<std::string> s = text_of(v.value)) return std::move(*s);
    throw fail(v, "expected a string as " + std::string(key) + ", found " + show(v.value));
  }

  std::vector<atom> atoms(std::string_view key, const located_term& v) {
    std::vector<atom> out;
    std::string what = "a list of atoms as " + std::string(key);
    for (const located_term& e : elements(src_, v, what)) {
      if (!e.value.is_atom()) throw fail(e, "expected " + what + ", found " + show(e.value));
      out.push_back(e.value.as_atom());
    }
    return out;
  }

  std::vector<std::pair<atom, term>> pairs(std::string_view key, const located_term& v) {
    std::vector<std::pair<atom, term>> out;
    std::string what = "a list of {Key, Value} with atom keys as " + std::string(key);
    for (const located_term& e : elements(src_, v, what)) {
      if (!e.value.is_tuple(2) || !e.value[0].is_atom())
        throw fail(e, "expected " + what + ", found " + show(e.value));
      out.emplace_back(e.value[0].as_atom(), e.value[1]);
    }
    return out;
  }

  const source& src_;
  std::vector<located_term> terms_;
  descriptor d_;
  config::app_envs env_;  // env keys merged as erl does: a later duplicate wins
};

}  // namespace

descriptor parse_descriptor(std::string_view text, const std::string& file) {
  source src(file, std::string(text));
  return descriptor_reader(src).read();
}

descriptor read_descriptor(const std::string& path) {
  return parse_descriptor(read_whole_file(path), path);
}

}  // namespace otp::application
