// otpp_relgen: assembles a release (docs/releases.md) from built applications.
//
//   otpp_relgen --out DIR --name NAME --version VSN --runtime EXE --runtime-version RVSN
//               --script TEMPLATE --sys-config FILE --vm-args FILE --tarball FILE
//               --app NAME=APPFILE[=SOFILE] ...
//
// It checks what boot would check, so a bad release fails the build rather than the
// boot: each .app file parses and names its application, every dependency is in the
// release, dependencies have no cycle, sys.config and vm.args parse. It then writes the
// directory (keeping releases/COOKIE from an earlier build, or making one from a secure
// random source), copies the shared libraries the runtime and the applications need
// (not glibc's), and packs the tarball.

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dist/cookie.hpp"
#include "otp/application.hpp"
#include "otp/config.hpp"
#include "otp/term.hpp"
#include "release/layout.hpp"
#include "release/manifest.hpp"

namespace fs = std::filesystem;
using otp::atom;
using otp::term;

namespace {

struct app_input {
  std::string name;
  std::string app_file;
  std::string so_file;  // empty: a library application
  otp::application::descriptor d;
};

struct options {
  std::string out, name, version, runtime, runtime_version, script, sys_config, vm_args, tarball;
  std::vector<app_input> apps;
};

[[noreturn]] void fail(const std::string& why) {
  throw std::runtime_error(why);
}

options parse_args(int argc, char** argv) {
  options o;
  std::map<std::string, std::string*> single = {{"--out", &o.out},
                                                {"--name", &o.name},
                                                {"--version", &o.version},
                                                {"--runtime", &o.runtime},
                                                {"--script", &o.script},
                                                {"--runtime-version", &o.runtime_version},
                                                {"--sys-config", &o.sys_config},
                                                {"--vm-args", &o.vm_args},
                                                {"--tarball", &o.tarball}};
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) fail(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--app") {
      app_input a;
      auto eq1 = value.find('=');
      if (eq1 == std::string::npos) fail("--app NAME=APPFILE[=SOFILE], not " + value);
      a.name = value.substr(0, eq1);
      auto eq2 = value.find('=', eq1 + 1);
      a.app_file = value.substr(eq1 + 1, eq2 == std::string::npos ? eq2 : eq2 - eq1 - 1);
      if (eq2 != std::string::npos) a.so_file = value.substr(eq2 + 1);
      o.apps.push_back(std::move(a));
    } else if (auto it = single.find(flag); it != single.end()) {
      *it->second = value;
    } else {
      fail("unknown option " + flag);
    }
  }
  for (auto& [flag, v] : single)
    if (v->empty()) fail("missing " + flag);
  return o;
}

// Applications in start order: each after those it needs (depth first, in the order the
// release lists them), kernel first.
std::vector<const app_input*> start_order(const options& o) {
  std::map<atom, const app_input*> by_name;
  for (const auto& a : o.apps) by_name[a.d.name] = &a;
  std::vector<const app_input*> order;
  std::set<atom> done, visiting;
  auto visit = [&](auto& self, const app_input& a) -> void {
    if (done.count(a.d.name)) return;
    if (!visiting.insert(a.d.name).second)
      fail("applications depend on each other in a cycle through " + a.name);
    auto deps = a.d.applications;
    for (atom opt : a.d.optional_applications)
      if (by_name.count(opt)) deps.push_back(opt);
    for (atom dep : deps) {
      if (dep == atom("kernel")) continue;
      auto it = by_name.find(dep);
      if (it == by_name.end())
        fail("application " + a.name + " needs " + std::string(dep.name()) +
             ", which is not in release " + o.name + " (add it to APPLICATIONS)");
      self(self, *it->second);
    }
    visiting.erase(a.d.name);
    done.insert(a.d.name);
    order.push_back(&a);
  };
  for (const auto& a : o.apps) visit(visit, a);
  return order;
}

void write_file(const fs::path& p, const std::string& text, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) fail("cannot write " + p.string());
  out << text;
  out.close();
  fs::permissions(p, mode);
}

std::string run(const std::string& command) {
  std::string out;
  FILE* f = ::popen(command.c_str(), "r");
  if (!f) fail("cannot run " + command);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  if (::pclose(f) != 0) fail("failed: " + command);
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The shared libraries `binary` needs, by their resolved paths, except glibc's own: those
// belong to the machine (a release runs on the same distribution it was built for).
std::set<std::string> needed_libraries(const std::string& binary) {
  static const std::set<std::string> system = {
      "libc.so.6",      "libm.so.6",       "libpthread.so.0",      "libdl.so.2",  "librt.so.1",
      "libresolv.so.2", "linux-vdso.so.1", "ld-linux-x86-64.so.2", "libutil.so.1"};
  std::set<std::string> libs;
  std::istringstream lines(run("ldd " + shell_quote(binary)));
  for (std::string line; std::getline(lines, line);) {
    auto arrow = line.find("=> ");
    if (arrow == std::string::npos) continue;
    std::string soname = line.substr(0, arrow);
    soname.erase(0, soname.find_first_not_of(" \t"));
    soname.erase(soname.find_last_not_of(" \t") + 1);
    std::string path = line.substr(arrow + 3);
    path = path.substr(0, path.find(" ("));
    if (system.count(soname)) continue;
    if (path.empty() || path[0] != '/') fail(binary + " needs " + soname + ", which is not found");
    libs.insert(path);
  }
  return libs;
}

std::string release_term_text(const options& o, const std::vector<const app_input*>& order) {
  std::vector<term> apps = {term::tuple({term(atom("kernel")), term::string(o.runtime_version)})};
  for (auto* a : order) apps.push_back(term::tuple({term(a->d.name), term::string(a->d.vsn)}));
  term rel = term::tuple({term(atom("release")),
                          term::tuple({term::string(o.name), term::string(o.version)}),
                          term::tuple({term(atom("otpp")), term::string(o.runtime_version)}),
                          term::list(std::move(apps))});
  return otp::to_string(rel) + ".\n";
}

std::string releases_text(const options& o, const std::vector<const app_input*>& order) {
  std::vector<term> apps = {
      term::tuple({term(atom("kernel")), term::string(o.runtime_version), atom("builtin")})};
  for (auto* a : order)
    apps.push_back(term::tuple({term(a->d.name), term::string(a->d.vsn),
                                term::string("lib/" + a->name + "-" + a->d.vsn)}));
  term r = term::tuple({term(atom("release")), term::string(o.name), term::string(o.version),
                        term::string(o.runtime_version), term::list(std::move(apps)),
                        term(atom("permanent"))});
  return otp::to_string(term::list({r})) + ".\n";
}

void assemble(options& o) {
  for (auto& a : o.apps) {
    a.d = otp::application::read_descriptor(a.app_file);
    if (std::string(a.d.name.name()) != a.name)
      fail(a.app_file + ": describes application " + std::string(a.d.name.name()) + ", expected " +
           a.name);
  }
  auto order = start_order(o);
  // Parse what boot will parse, with the same messages.
  otp::config::read_sys_config(o.sys_config);
  otp::config::read_vm_args(o.vm_args);

  fs::path out = o.out;
  // The cookie of an earlier build is kept (checked as at boot).
  std::string cookie =
      otp::dist::read_cookie_file((out / "releases/COOKIE").string()).value_or(std::string());
  fs::remove_all(out);
  fs::create_directories(out);

  std::string script = otp::release::read_file(o.script);
  for (size_t at; (at = script.find("@NAME@")) != std::string::npos;) script.replace(at, 6, o.name);
  write_file(out / "bin" / o.name, script, fs::perms(0755));

  fs::path runtime_dir = out / ("otpp-" + o.runtime_version);
  fs::create_directories(runtime_dir / "bin");
  fs::copy_file(o.runtime, runtime_dir / "bin/otpp_node");
  std::set<std::string> libs = needed_libraries(o.runtime);

  otp::release::boot_manifest m{
      o.name, o.version, o.runtime_version, {{atom("kernel"), o.runtime_version, ""}}};
  for (auto* a : order) {
    std::string dir = "lib/" + a->name + "-" + a->d.vsn;
    fs::path ebin = out / dir / "ebin";
    fs::create_directories(ebin);
    fs::copy_file(a->app_file, ebin / (a->name + ".app"));
    if (!a->so_file.empty()) {
      fs::copy_file(a->so_file, ebin / (a->name + ".so"));
      libs.merge(needed_libraries(a->so_file));
    }
    m.apps.push_back({a->d.name, a->d.vsn, dir});
  }
  fs::create_directories(runtime_dir / "lib");
  for (const auto& lib : libs) fs::copy_file(lib, runtime_dir / "lib" / fs::path(lib).filename());

  fs::path rel = out / "releases" / o.version;
  write_file(rel / (o.name + ".rel"), release_term_text(o, order));
  write_file(rel / (o.name + ".boot"), otp::release::format_manifest(m));
  // sys.config may include other files beside it: copy the folder's .config files.
  for (const auto& e : fs::directory_iterator(fs::path(o.sys_config).parent_path()))
    if (e.path().extension() == ".config") fs::copy_file(e.path(), rel / e.path().filename());
  fs::copy_file(o.sys_config, rel / "sys.config", fs::copy_options::overwrite_existing);
  fs::copy_file(o.vm_args, rel / "vm.args");
  write_file(out / "releases/RELEASES", releases_text(o, order));
  write_file(out / "releases/start_erl.data", o.runtime_version + " " + o.version + "\n");
  if (cookie.empty()) cookie = otp::dist::generate_cookie();
  write_file(out / "releases/COOKIE", cookie, fs::perms(0400));

  fs::create_directories(fs::path(o.tarball).parent_path());
  run("tar -czf " + shell_quote(o.tarball) + " -C " + shell_quote(o.out) + " .");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    options o = parse_args(argc, argv);
    assemble(o);
    std::printf("release %s %s: %s\n", o.name.c_str(), o.version.c_str(), o.tarball.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otpp_relgen: %s\n", e.what());
    return 1;
  }
}
