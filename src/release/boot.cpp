#include "boot.hpp"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "control_server.hpp"
#include "manifest.hpp"
#include "otp/application.hpp"
#include "otp/dist.hpp"
#include "otp/init.hpp"
#include "otp/logger.hpp"
#include "otp/shell.hpp"
#include "settings.hpp"

namespace otp::release {
namespace {

// Hands the boot's outcome to `bin/NAME start`, which waits for it.
class ready_signal {
 public:
  explicit ready_signal(int fd) : fd_(fd) {}
  ~ready_signal() { send("error: the node ended during boot\n"); }
  void send(const std::string& text) {
    if (fd_ < 0) return;
    (void)!::write(fd_, text.data(), text.size());
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// SIGTERM, SIGINT and SIGHUP become init::stop(0); SIGUSR1 ends the watcher. The signals
// are blocked in every thread (release::main blocks them first) and taken by sigwait here.
class signal_watcher {
 public:
  signal_watcher() {
    thread_ = std::thread([] {
      sigset_t set = watched();
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == SIGUSR1) return;
        init::stop(0, std::string("signal ") + ::strsignal(sig));
      }
    });
  }
  ~signal_watcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  static sigset_t watched() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
    return set;
  }

 private:
  std::thread thread_;
};

// Loads every application of the manifest: descriptor, then code (dependencies first, so
// RTLD_GLOBAL lets an application's code use the code of those it depends on).
std::vector<application::descriptor> load_code(const settings& s, const boot_manifest& m) {
  std::vector<application::descriptor> out;
  for (const auto& app : m.apps) {
    if (app.dir.empty()) continue;  // built into the runtime (kernel)
    std::string ebin = s.where.root + "/" + app.dir + "/ebin/";
    auto d = application::read_descriptor(ebin + std::string(app.name.name()) + ".app");
    std::string so = ebin + std::string(app.name.name()) + ".so";
    if (std::filesystem::exists(so) && !::dlopen(so.c_str(), RTLD_NOW | RTLD_GLOBAL))
      throw std::runtime_error("cannot load " + so + ": " + ::dlerror());
    if (d.mod && !application::is_module_registered(d.mod->first))
      throw std::runtime_error("application " + std::string(app.name.name()) +
                               ": callback module " + std::string(d.mod->first.name()) +
                               " is not in " + so + " (OTP_APPLICATION_MODULE)");
    out.push_back(std::move(d));
  }
  return out;
}

// Starts the manifest's applications in order, permanent; "" or why one failed (the
// applications started before it are then stopped again).
std::string start_apps(node& n, const boot_manifest& m) {
  return n.run([&]() -> std::string {
    for (const auto& app : m.apps) {
      term r = application::start(app.name, application::permanent);
      if (!r.is_atom(atom("ok"))) {
        application::stop_all();
        return "application " + std::string(app.name.name()) + " could not start: " + to_string(r);
      }
    }
    return {};
  });
}

dist_options distribution(const settings& s) {
  dist_options o;
  o.name = s.node;
  o.long_names = s.long_names;
  o.cookie = s.cookie;
  return o;
}

}  // namespace

int run_node(const layout& where, run_mode mode, int ready_fd) {
  // Block the stop signals before any thread exists (the logger's included), so every
  // thread inherits the mask and only the signal watcher takes them.
  sigset_t blocked = signal_watcher::watched();
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  ready_signal ready(ready_fd);
  auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "otpp: boot failed: %s\n", why.c_str());
    ready.send("error: " + why + "\n");
    return 1;
  };
  settings s;
  boot_manifest m;
  try {
    s = load_settings(where);
    m = read_manifest(where.boot_file());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  // The node's working directory is its release root, as relx and mix releases do.
  if (::chdir(where.root.c_str()) != 0) return fail("cannot enter " + where.root);

  signal_watcher signals;
  node_options opts;
  if (s.vm.schedulers) opts.schedulers = *s.vm.schedulers;
  if (s.vm.max_processes) opts.max_processes = *s.vm.max_processes;
  node n(opts);
  std::unique_ptr<control_server> control;
  try {
    application::apply_config(s.sys);
    if (!s.node.empty()) application::set_kernel_distribution(n, distribution(s));
    auto descriptors = load_code(s, m);
    std::string load_error = n.run([&]() -> std::string {
      for (auto& d : descriptors) {
        term r = application::load(d);
        if (!r.is_atom(atom("ok")))
          return "cannot load " + std::string(d.name.name()) + ": " + to_string(r);
      }
      return {};
    });
    if (!load_error.empty()) return fail(load_error);
    if (auto err = start_apps(n, m); !err.empty()) return fail(err);
    control_hooks hooks;
    hooks.restart = [&n, &m] {
      n.run([] { application::stop_all(); });
      return start_apps(n, m);
    };
    control = std::make_unique<control_server>(
        n, where.tmp_dir(), control_socket_name(s.control_id()), s.cookie, std::move(hooks));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  logger::notice("release {} {} started{}", where.name, where.vsn,
                 s.node.empty() ? std::string() : " as node " + std::string(node_name().name()));
  ready.send("ok\n");

  std::thread console;
  if (mode == run_mode::console) {
    console = std::thread([&n, &where] {
      std::printf("otpp %s, release %s %s. q(). or Ctrl-D stops the node.\n\n",
                  where.runtime_vsn.c_str(), where.name.c_str(), where.vsn.c_str());
      std::fflush(stdout);
      shell::line_reader in(where.name, where.root + "/tmp/.shell_history");
      shell::run_console(n, in);
      init::stop(0, "the console's input ended");
    });
  }
  int status = init::wait_for_stop();
  logger::notice("stopping: {}", init::stop_reason());
  control->stop_evaluating();
  n.run([] { application::stop_all(); });
  n.shutdown();
  control->close();
  logger::flush();
  if (console.joinable()) {
    // The console thread may sit in a terminal read no one will finish: leave without it.
    std::fflush(nullptr);
    ::_exit(status);
  }
  return status;
}

}  // namespace otp::release
