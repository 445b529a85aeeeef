#include "manifest.hpp"

#include "layout.hpp"
#include "otp/config.hpp"
#include "otp/term.hpp"
#include "otp/term_parse.hpp"

namespace otp::release {
namespace {

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw config::config_error(path, 0, 0, what);
}

std::string string_of(const term& t, const std::string& path, const char* what) {
  if (!t.is_list() && !t.is_binary()) bad(path, std::string("expected a string for ") + what);
  return t.as_string();
}

}  // namespace

boot_manifest read_manifest(const std::string& path) {
  auto r = try_consult(read_file(path));
  if (!r) throw config::config_error(path, r.error->line, r.error->column, r.error->message);
  if (r.terms.size() != 1 || !r.terms[0].is_tuple(5) || !r.terms[0][0].is_atom(atom("boot")))
    bad(path, "expected one {boot, Name, Vsn, RuntimeVsn, [App]} term");
  const term& b = r.terms[0];
  boot_manifest m;
  m.release_name = string_of(b[1], path, "the release name");
  m.release_vsn = string_of(b[2], path, "the release version");
  m.runtime_vsn = string_of(b[3], path, "the runtime version");
  if (!b[4].is_list()) bad(path, "expected a list of applications");
  for (term l = b[4]; l.is_cons(); l = l.tail()) {
    const term& a = l.head();
    if (!a.is_tuple(3) || !a[0].is_atom()) bad(path, "expected {App, Vsn, Dir | builtin}");
    boot_app app{a[0].as_atom(), string_of(a[1], path, "an application version"), {}};
    if (!a[2].is_atom(atom("builtin"))) app.dir = string_of(a[2], path, "a directory");
    m.apps.push_back(std::move(app));
  }
  return m;
}

std::string format_manifest(const boot_manifest& m) {
  std::vector<term> apps;
  for (const auto& a : m.apps)
    apps.push_back(term::tuple({term(a.name), term::string(a.vsn),
                                a.dir.empty() ? term(atom("builtin")) : term::string(a.dir)}));
  term b =
      term::tuple({term(atom("boot")), term::string(m.release_name), term::string(m.release_vsn),
                   term::string(m.runtime_vsn), term::list(std::move(apps))});
  return "%% Boot manifest: the applications of release " + m.release_name + " " + m.release_vsn +
         ", in start order.\n" + to_string(b) + ".\n";
}

}  // namespace otp::release
