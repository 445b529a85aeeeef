// bin/NAME's commands (otp::release::main). Exit codes and messages follow relx and
// `mix release`: ping prints pong or exits 1, a command that needs a running node exits 1
// saying the node is not responding, an unknown command prints the usage and exits 1.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "boot.hpp"
#include "control_client.hpp"
#include "otp/release.hpp"
#include "otp/shell.hpp"
#include "otp/term_parse.hpp"
#include "settings.hpp"

namespace otp::release {
namespace {

void usage(const std::string& name) {
  std::fprintf(stderr,
               "Usage: %s COMMAND [ARGS]\n"
               "\n"
               "Commands:\n"
               "  foreground     start the node in the foreground, without a shell\n"
               "  console        start the node in the foreground, with a shell\n"
               "  start, daemon  start the node in the background (output in log/)\n"
               "  stop           stop the running node (applications in reverse order)\n"
               "  restart        restart the running node's applications (init:restart)\n"
               "  ping           print pong if the node runs, else exit 1\n"
               "  pid            print the running node's OS process id\n"
               "  remote         attach a shell to the running node\n"
               "  eval \"EXPR.\"   evaluate EXPR on the running node and print the result\n"
               "  versions       list the installed versions of the release\n",
               name.c_str());
}

int not_responding(const settings& s) {
  std::fprintf(stderr, "Node %s is not responding to pings.\n", s.control_id().c_str());
  return 1;
}

std::unique_ptr<control_client> connect(const settings& s) {
  try {
    return std::make_unique<control_client>(s.where.tmp_dir(), control_socket_name(s.control_id()),
                                            s.cookie);
  } catch (const control_unreachable&) {
    return nullptr;
  }
}

int ping(const settings& s) {
  auto c = connect(s);
  auto r = c ? c->request(term(atom("ping"))) : std::nullopt;
  if (!r || !r->is_atom(atom("pong"))) return not_responding(s);
  std::puts("pong");
  return 0;
}

int pid(const settings& s) {
  auto c = connect(s);
  auto r = c ? c->request(term(atom("os_pid"))) : std::nullopt;
  if (!r || !r->is_integer()) return not_responding(s);
  std::printf("%lld\n", static_cast<long long>(r->as_int()));
  return 0;
}

// Waits until OS process `pid` has exited (it is not our child: a pidfd tells).
void wait_exited(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return;  // already gone
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  ::close(fd);
}

int stop(const settings& s) {
  auto c = connect(s);
  auto os_pid = c ? c->request(term(atom("os_pid"))) : std::nullopt;
  auto r = os_pid ? c->request(term(atom("stop"))) : std::nullopt;
  if (!r) return not_responding(s);
  c->wait_closed();  // the node closes it once its applications and processes are gone
  wait_exited(static_cast<pid_t>(os_pid->as_int()));
  std::puts("ok");
  return 0;
}

int restart(const settings& s) {
  auto c = connect(s);
  auto r = c ? c->request(term(atom("restart"))) : std::nullopt;
  if (!r) return not_responding(s);
  if (r->is_atom(atom("ok"))) {
    std::puts("ok");
    return 0;
  }
  std::fprintf(stderr, "restart failed: %s\n",
               r->is_tuple(2) ? std::string((*r)[1].as_binary()).c_str() : to_string(*r).c_str());
  return 1;
}

// One evaluation on the node through a connection (and its session).
shell::eval_result evaluate(control_client& c, const std::string& text) {
  auto r = c.request(tuple(atom("eval"), term::binary(text)));
  if (!r || !r->is_tuple(3))
    return {.what = shell::eval_result::kind::quit,
            .output = "*** the connection to the node closed\n"};
  shell::eval_result out;
  atom k = (*r)[0].as_atom();
  out.what = k == atom("value")        ? shell::eval_result::kind::value
             : k == atom("incomplete") ? shell::eval_result::kind::incomplete
             : k == atom("quit")       ? shell::eval_result::kind::quit
                                       : shell::eval_result::kind::error;
  out.output = std::string((*r)[1].as_binary());
  out.evaluated = static_cast<unsigned>((*r)[2].as_int());
  return out;
}

int eval(const settings& s, std::string text) {
  auto c = connect(s);  // connected means authenticated: the node is up
  if (!c) return not_responding(s);
  // `eval '1 + 1'` works without the final dot, as a convenience.
  auto trimmed = text.find_last_not_of(" \t\n");
  if (trimmed == std::string::npos || text[trimmed] != '.') text += ".";
  auto r = evaluate(*c, text);
  std::fputs(r.output.c_str(), r.what == shell::eval_result::kind::value ? stdout : stderr);
  return r.what == shell::eval_result::kind::value ? 0 : 1;
}

int remote(const settings& s) {
  auto c = connect(s);
  auto node = c ? c->request(term(atom("node"))) : std::nullopt;
  if (!node) return not_responding(s);
  std::string name;
  if (node->is_atom() && !node->is_atom(atom("nonode@nohost"))) name = node->as_atom().name();
  std::printf("Attached to %s (release %s %s). Ctrl-D detaches; q() stops the node.\n",
              name.empty() ? s.where.name.c_str() : name.c_str(), s.where.name.c_str(),
              s.where.vsn.c_str());
  std::fflush(stdout);
  shell::line_reader in(s.where.name, env_var("HOME").value_or("") + "/.otpp_remote_history");
  shell::run_loop(
      in, [&](const std::string& text) { return evaluate(*c, text); }, [&] { return name; });
  return 0;
}

// Installed versions from releases/RELEASES, the current one marked, as relx prints them.
int versions(const layout& where) {
  auto terms = consult_file(where.releases_file());
  std::puts("Installed versions:");
  if (terms.empty() || !terms[0].is_list()) return 1;
  for (const term& r : terms[0].list_elements()) {
    if (!r.is_tuple(6)) continue;
    std::string vsn = r[2].as_string();
    std::printf("%s %s\t%s\n", vsn == where.vsn ? "*" : " ", vsn.c_str(), to_string(r[5]).c_str());
  }
  return 0;
}

// start/daemon: runs `foreground` in a new session with output to log/NODE.log, and
// returns once it has booted (0) or failed (1, with the reason and the log's path).
int daemon(const settings& s) {
  std::filesystem::create_directories(s.where.log_dir());
  std::string log = s.where.log_dir() + "/" + s.control_id() + ".log";
  if (connect(s)) {
    std::fprintf(stderr, "Node %s is already running.\n", s.control_id().c_str());
    return 1;
  }
  int ready[2];
  if (::pipe(ready) != 0) return 1;
  pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    ::close(ready[0]);
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) ::_exit(1);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::string fd = std::to_string(ready[1]);
    ::setenv("OTPP_READY_FD", fd.c_str(), 1);
    const char* args[] = {"otpp_node", "foreground", nullptr};
    ::execv("/proc/self/exe", const_cast<char* const*>(args));
    ::_exit(127);
  }
  ::close(ready[1]);
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = ::read(ready[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(ready[0]);
  if (answer == "ok\n") return 0;
  std::fprintf(stderr, "Node %s did not start: %s(see %s)\n", s.control_id().c_str(),
               answer.empty() ? "it exited during boot " : answer.c_str(), log.c_str());
  return 1;
}

int ready_fd_from_env() {
  const char* v = std::getenv("OTPP_READY_FD");
  if (!v) return -1;
  int fd = std::atoi(v);
  ::unsetenv("OTPP_READY_FD");
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

int dispatch(const std::string& command, int argc, char** argv) {
  layout where = find_layout();
  if (command == "foreground") return run_node(where, run_mode::foreground, ready_fd_from_env());
  if (command == "console") return run_node(where, run_mode::console, -1);
  if (command == "versions") return versions(where);
  settings s = load_client_settings(where);
  if (command == "start" || command == "daemon") return daemon(s);
  if (command == "stop") return stop(s);
  if (command == "restart") return restart(s);
  if (command == "ping") return ping(s);
  if (command == "pid") return pid(s);
  if (command == "remote") return remote(s);
  if (command == "eval") {
    if (argc < 3) {
      std::fputs("eval needs an expression: eval \"EXPR.\"\n", stderr);
      return 1;
    }
    return eval(s, argv[2]);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = env_var("RELEASE_NAME").value_or("otpp_node");
  if (argc < 2) {
    usage(name);
    return 1;
  }
  std::string command = argv[1];
  try {
    int rc = dispatch(command, argc, argv);
    if (rc != -1) return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr, "Unknown command: %s\n", command.c_str());
  usage(name);
  return 1;
}

}  // namespace otp::release
