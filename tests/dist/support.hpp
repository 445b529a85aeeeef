#pragma once
// Test helpers for the distribution layers: temporary directories, loopback sockets, child
// processes (epmd, erl) with their output on pipes. Waiting is always on a file descriptor
// or a process with a deadline, never a sleep.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT: POSIX

namespace otp::test {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

inline std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s += letters[rng() % 36];
  return s;
}

struct temp_dir {
  std::string path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "otpp_dist_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::system_category(), "mkdtemp");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    // Cookie files are 0400: make everything writable so removal works as any user.
    for (auto& e : std::filesystem::recursive_directory_iterator(path, ec))
      std::filesystem::permissions(e.path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

struct unique_fd {
  int fd = -1;
  unique_fd() = default;
  explicit unique_fd(int f) : fd(f) {}
  unique_fd(unique_fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    reset();
    fd = std::exchange(o.fd, -1);
    return *this;
  }
  ~unique_fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(std::exchange(fd, -1));
  }
  int get() const { return fd; }
};

// A listening socket on 127.0.0.1 with a kernel-chosen port.
struct loopback_listener {
  unique_fd fd;
  uint16_t port = 0;
  loopback_listener() {
    fd = unique_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd.get(), 16) != 0)
      throw std::system_error(errno, std::system_category(), "listen");
    socklen_t len = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  // Accepts one connection, waiting at most `timeout`; an invalid fd on timeout.
  unique_fd accept(milliseconds timeout) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, int(timeout.count())) <= 0) return unique_fd();
    return unique_fd(::accept4(fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }
};

// A port nothing listens on right now (bound and released; good enough on loopback).
inline uint16_t free_port() {
  loopback_listener l;
  return l.port;
}

inline unique_fd connect_loopback(uint16_t port) {
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::system_error(errno, std::system_category(), "connect");
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

inline void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "send");
    }
    data.remove_prefix(size_t(n));
  }
}

// Whatever arrives within `timeout`: nullopt on timeout, "" on EOF (or a reset).
inline std::optional<std::string> read_some(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, int(timeout.count()));
  if (r <= 0) return std::nullopt;
  char buf[65536];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return std::string();
  return std::string(buf, size_t(n));
}

inline std::string find_executable(const char* name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    std::string c = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return {};
}

// A child process with stdout and stderr on pipes (stdin is /dev/null). Killed (by its pid)
// and reaped when destroyed, unless it already exited.
class child_process {
 public:
  child_process(const std::vector<std::string>& argv,
                const std::map<std::string, std::string>& env_overrides = {}) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::system_category(), "pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<std::string> args = argv;
    std::vector<char*> cargv;
    for (auto& a : args) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string_view kv(*e);
      size_t eq = kv.find('=');
      if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
    }
    for (auto& [k, v] : env_overrides) env[k] = v;
    std::vector<std::string> envs;
    for (auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, args[0].c_str(), &fa, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    out_ = unique_fd(out[0]);
    err_ = unique_fd(err[0]);
    if (rc != 0) {
      pid_ = -1;
      throw std::system_error(rc, std::system_category(), "posix_spawn " + args[0]);
    }
  }
  ~child_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int st;
      while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  // Stops reading stderr (the child's later writes to it fail with EPIPE).
  void close_stderr() { err_.reset(); }

  // The next line on stdout (without '\n'), or nullopt at EOF or timeout.
  std::optional<std::string> read_line(milliseconds timeout) {
    return next_line(out_, out_buf_, timeout);
  }
  std::optional<std::string> read_err_line(milliseconds timeout) {
    return next_line(err_, err_buf_, timeout);
  }
  // Reads stdout lines until one contains `needle`; every line read is appended to `seen`.
  bool wait_for_line(std::string_view needle, milliseconds timeout, std::string* seen = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                           std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto line = read_line(left);
      if (!line) return false;
      if (seen) *seen += *line + "\n";
      if (line->find(needle) != std::string::npos) return true;
    }
  }
  // Everything left on stderr until EOF or `timeout`.
  std::string drain_stderr(milliseconds timeout) {
    std::string all;
    while (auto l = read_err_line(timeout)) all += *l + "\n";
    all += std::exchange(err_buf_, {});
    return all;
  }
  // Waits for the exit (status as waitpid gives it); nullopt on timeout.
  std::optional<int> wait(milliseconds timeout) {
    // The stdout pipe closes when the child (and anything it forked that kept it) exits; then
    // waitpid without blocking for long. Without a pipe to watch, poll waitpid on a pidfd.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return st;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                           std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      // Wait for the child's stdout to close (it exited) or for data to discard.
      pollfd p{out_.get(), POLLIN, 0};
      if (out_.get() >= 0 && ::poll(&p, 1, int(std::min<long long>(left.count(), 50))) > 0) {
        char buf[4096];
        ssize_t n = ::read(out_.get(), buf, sizeof buf);
        if (n > 0) out_buf_.append(buf, size_t(n));
        if (n == 0) out_.reset();
      } else if (out_.get() < 0) {
        // stdout already closed: block in waitpid (bounded by the child exiting soon).
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return st;
      }
    }
  }

 private:
  static std::optional<std::string> next_line(unique_fd& fd, std::string& buf,
                                              milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t nl = buf.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return line;
      }
      if (fd.get() < 0) return std::nullopt;
      auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                           std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, int(left.count())) <= 0) return std::nullopt;
      char tmp[4096];
      ssize_t n = ::read(fd.get(), tmp, sizeof tmp);
      if (n <= 0) {
        fd.reset();
        continue;
      }
      buf.append(tmp, size_t(n));
    }
  }

  pid_t pid_ = -1;
  unique_fd out_, err_;
  std::string out_buf_, err_buf_;
};

// The system epmd, in the foreground on a free loopback port, as our child (so the test can
// end it by its pid). Ready once it logged that it entered its main loop.
class system_epmd {
 public:
  static bool available() { return !find_executable("epmd").empty(); }

  system_epmd() : port_(free_port()) {
    proc_.emplace(std::vector<std::string>{"epmd", "-d", "-d", "-port", std::to_string(port_),
                                           "-address", "127.0.0.1"});
    auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline -
                                                           std::chrono::steady_clock::now());
      auto line = proc_->read_err_line(left);
      if (!line) throw std::runtime_error("epmd did not start on port " + std::to_string(port_));
      if (line->find("entering the main select() loop") != std::string::npos) break;
    }
    // epmd ignores SIGPIPE from here on: its later debug output may go nowhere.
    proc_->close_stderr();
  }
  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_->pid(); }

 private:
  uint16_t port_;
  std::optional<child_process> proc_;
};

}  // namespace otp::test
