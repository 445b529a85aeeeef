// EPMD served in-process: one thread, poll() over the listeners and connections (see
// epmd_server.hpp).

#include "dist/epmd_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "dist/bytes.hpp"
#include "dist/cookie.hpp"
#include "dist/epmd_client.hpp"
#include "otp/detail/mutex.hpp"

extern char** environ;  // NOLINT: POSIX

namespace otp::dist {

namespace {

using clock = std::chrono::steady_clock;

constexpr uint8_t kill_req = 107;
constexpr size_t max_remembered_names = 1000;
constexpr size_t max_extra = 1024;

// Characters in a UTF-8 string, or -1 if it is not valid UTF-8.
long utf8_length(std::string_view s) {
  long n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    auto b = uint8_t(s[i]);
    size_t len = b < 0x80             ? 1
                 : (b & 0xE0) == 0xC0 ? 2
                 : (b & 0xF0) == 0xE0 ? 3
                 : (b & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || s.size() - i < len || (len == 2 && b < 0xC2)) return -1;
    for (size_t k = 1; k < len; ++k)
      if ((uint8_t(s[i + k]) & 0xC0) != 0x80) return -1;
    i += len;
  }
  return n;
}

bool valid_name(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return false;
  long chars = utf8_length(name);
  return chars >= 1 && chars <= 255;
}

// The same rule as epmd: the peer is on this host (loopback, or our own address).
bool is_local_peer(int fd) {
  sockaddr_storage peer{}, self{};
  socklen_t pl = sizeof peer, sl = sizeof self;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) return false;
  if (peer.ss_family == AF_INET) {
    const auto* p4 = reinterpret_cast<const sockaddr_in*>(&peer);
    if ((ntohl(p4->sin_addr.s_addr) & 0xFF000000u) == 0x7F000000u) return true;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &sl) != 0) return false;
    return self.ss_family == AF_INET &&
           reinterpret_cast<const sockaddr_in*>(&self)->sin_addr.s_addr == p4->sin_addr.s_addr;
  }
  if (peer.ss_family == AF_INET6) {
    const auto* p6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    if (IN6_IS_ADDR_LOOPBACK(&p6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr) && p6->sin6_addr.s6_addr[12] == 127) return true;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &sl) != 0) return false;
    return self.ss_family == AF_INET6 &&
           IN6_ARE_ADDR_EQUAL(&reinterpret_cast<const sockaddr_in6*>(&self)->sin6_addr,
                              &p6->sin6_addr);
  }
  return false;
}

struct connection {
  enum class state : uint8_t { reading, replying, registered };
  int fd = -1;
  state st = state::reading;
  std::string in;
  size_t want = 0;  // bytes of the whole request (header included); 0 until known
  std::string out;
  size_t out_pos = 0;
  bool keep_after_reply = false;  // a successful registration
  bool dead = false;
  clock::time_point deadline;
  std::string reg_name;
};

}  // namespace

struct epmd_server::impl {
  explicit impl(epmd_server_options o) : opts(o) {}

  epmd_server_options opts;
  std::mutex control;  // start/stop
  std::thread thread;
  std::atomic<bool> is_running{false};
  std::atomic<uint16_t> bound_port{0};
  std::vector<int> listeners;
  int wake_read = -1, wake_write = -1;

  // Read by registered() on other threads; written by the server thread.
  mutable detail::mutex mu;
  struct node {
    entry e;
    uint32_t counter = 0;
  };
  std::map<std::string, node> nodes OTPP_GUARDED_BY(mu);

  // Server thread only.
  std::vector<connection> conns;
  std::unordered_map<std::string, uint32_t> old_counters;
  std::deque<std::string> old_order;

  void open_listeners();
  void close_all();
  void run();
  void accept_from(int lfd);
  void on_readable(connection& c);
  void on_writable(connection& c);
  void dispatch(connection& c, std::string_view body);
  void do_alive2(connection& c, std::string_view body);
  void do_port_please(connection& c, std::string_view body);
  void do_names(connection& c);
  void reply(connection& c, std::string data, bool keep);
  void drop(connection& c);
  uint32_t next_counter(const std::string& name);
};

void epmd_server::impl::open_listeners() {
  auto listen_on = [&](int family, uint16_t port) -> int {
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int r;
    if (family == AF_INET) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(opts.loopback_only ? INADDR_LOOPBACK : INADDR_ANY);
      r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      a.sin6_addr = opts.loopback_only ? in6addr_loopback : in6addr_any;
      r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    if (r != 0 || ::listen(fd, SOMAXCONN) != 0) {
      int e = errno;
      ::close(fd);
      return -e;
    }
    return fd;
  };
  int v4 = listen_on(AF_INET, opts.port);
  if (v4 < 0)
    throw std::system_error(-v4, std::system_category(),
                            "epmd_server: cannot listen on port " + std::to_string(opts.port));
  sockaddr_in got{};
  socklen_t len = sizeof got;
  ::getsockname(v4, reinterpret_cast<sockaddr*>(&got), &len);
  uint16_t port = ntohs(got.sin_port);
  listeners.push_back(v4);
  // IPv6 too when the host has it; its absence is not an error.
  int v6 = listen_on(AF_INET6, port);
  if (v6 >= 0) listeners.push_back(v6);
  bound_port = port;
}

void epmd_server::impl::close_all() {
  for (connection& c : conns)
    if (c.fd >= 0) ::close(c.fd);
  conns.clear();
  for (int fd : listeners) ::close(fd);
  listeners.clear();
  if (wake_read >= 0) ::close(wake_read);
  if (wake_write >= 0) ::close(wake_write);
  wake_read = wake_write = -1;
  detail::lock_guard g(mu);
  nodes.clear();
}

void epmd_server::impl::run() {
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({wake_read, POLLIN, 0});
    for (int l : listeners) fds.push_back({l, POLLIN, 0});
    const size_t first_conn = fds.size();
    auto now = clock::now();
    int timeout = -1;
    for (connection& c : conns) {
      short ev = c.st == connection::state::replying ? POLLOUT : POLLIN;
      fds.push_back({c.fd, ev, 0});
      if (c.st == connection::state::reading) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now).count();
        int t = int(std::max<long long>(0, std::min<long long>(ms + 1, 1 << 30)));
        if (timeout < 0 || t < timeout) timeout = t;
      }
    }
    int r = ::poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno != EINTR) break;
    if (fds[0].revents) break;  // stop()
    if (r > 0) {
      for (size_t i = 1; i < first_conn; ++i)
        if (fds[i].revents & POLLIN) accept_from(fds[i].fd);
      // conns may have grown by accept_from: only the ones polled have entries.
      for (size_t i = first_conn; i < fds.size(); ++i) {
        connection& c = conns[i - first_conn];
        short rev = fds[i].revents;
        if (!rev || c.dead) continue;
        if (c.st == connection::state::replying) {
          if (rev & (POLLOUT | POLLERR | POLLHUP)) on_writable(c);
        } else if (rev & (POLLIN | POLLERR | POLLHUP)) {
          on_readable(c);
        }
      }
    }
    now = clock::now();
    for (connection& c : conns)
      if (!c.dead && c.st == connection::state::reading && c.deadline <= now) drop(c);
    std::erase_if(conns, [](const connection& c) { return c.dead; });
  }
}

void epmd_server::impl::accept_from(int lfd) {
  for (;;) {
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN, or a transient error: try again at the next wake-up
    if (conns.size() >= opts.max_connections) {
      ::close(fd);
      continue;
    }
    connection c;
    c.fd = fd;
    c.deadline = clock::now() + opts.request_timeout;
    conns.push_back(std::move(c));
  }
}

void epmd_server::impl::drop(connection& c) {
  if (c.dead) return;
  if (!c.reg_name.empty()) {
    detail::lock_guard g(mu);
    auto it = nodes.find(c.reg_name);
    if (it != nodes.end()) {
      // Remember the counter so the next incarnation gets the next creation.
      old_counters[c.reg_name] = it->second.counter;
      old_order.push_back(c.reg_name);
      nodes.erase(it);
    }
    while (old_order.size() > max_remembered_names) {
      const std::string& oldest = old_order.front();
      // Only forget it if this is its latest mention and the name is not in use.
      if (std::count(old_order.begin(), old_order.end(), oldest) == 1 && !nodes.count(oldest))
        old_counters.erase(oldest);
      old_order.pop_front();
    }
  }
  ::close(c.fd);
  c.fd = -1;
  c.dead = true;
}

void epmd_server::impl::on_readable(connection& c) {
  if (c.st == connection::state::registered) {
    // epmd's rule: EOF, an error or any byte on a registration connection ends it.
    return drop(c);
  }
  size_t need = (c.want ? c.want : 2) - c.in.size();
  char buf[4096];
  ssize_t n = ::recv(c.fd, buf, std::min(need, sizeof buf), 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    return drop(c);
  }
  c.in.append(buf, size_t(n));
  if (c.want == 0 && c.in.size() >= 2) {
    size_t len = get16(c.in, 0);
    if (len < 1 || len > opts.max_request) return drop(c);
    c.want = 2 + len;
  }
  if (c.want && c.in.size() == c.want) {
    std::string body = c.in.substr(2);
    c.in.clear();
    dispatch(c, body);
  }
}

void epmd_server::impl::on_writable(connection& c) {
  while (c.out_pos < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      return drop(c);
    }
    c.out_pos += size_t(n);
  }
  c.out.clear();
  c.out_pos = 0;
  if (c.keep_after_reply) {
    c.st = connection::state::registered;
  } else {
    drop(c);
  }
}

void epmd_server::impl::reply(connection& c, std::string data, bool keep) {
  c.out = std::move(data);
  c.out_pos = 0;
  c.keep_after_reply = keep;
  c.st = connection::state::replying;
  on_writable(c);  // usually completes at once
}

void epmd_server::impl::dispatch(connection& c, std::string_view body) {
  switch (uint8_t(body[0])) {
    case alive2_req:
      return do_alive2(c, body);
    case port_please2_req:
      return do_port_please(c, body);
    case names_req:
      return do_names(c);
    case kill_req:
      return reply(c, "NO", false);
    default:
      return drop(c);
  }
}

uint32_t epmd_server::impl::next_counter(const std::string& name) {
  uint32_t c;
  auto it = old_counters.find(name);
  if (it != old_counters.end()) {
    c = it->second;
    old_counters.erase(it);
  } else {
    c = secure_random_u32();
  }
  if (++c < 4) c = 4;
  return c;
}

void epmd_server::impl::do_alive2(connection& c, std::string_view b) {
  // 120 Port:16 Type:8 Proto:8 High:16 Low:16 Nlen:16 Name Elen:16 Extra
  if (!is_local_peer(c.fd) || b.size() <= 13) return drop(c);
  entry e;
  e.port = get16(b, 1);
  e.node_type = uint8_t(b[3]);
  e.protocol = uint8_t(b[4]);
  e.highest_version = get16(b, 5);
  e.lowest_version = get16(b, 7);
  size_t nlen = get16(b, 9);
  if (nlen + 13 > b.size()) return drop(c);
  size_t elen = get16(b, 11 + nlen);
  if (nlen + 13 + elen > b.size()) return drop(c);
  e.name = std::string(b.substr(11, nlen));
  e.extra = std::string(b.substr(13 + nlen, elen));
  const bool v6 = e.highest_version >= 6;
  bool ok = valid_name(e.name) && elen <= max_extra;
  if (ok) {
    detail::lock_guard g(mu);
    if (nodes.count(e.name)) {
      ok = false;
    } else {
      uint32_t counter = next_counter(e.name);
      e.creation = v6 ? counter : counter % 3 + 1;
      c.reg_name = e.name;
      nodes.emplace(e.name, node{e, counter});
    }
  }
  uint32_t creation = ok ? e.creation : 99;
  std::string r;
  r += char(v6 ? alive2_x_resp : alive2_resp);
  r += char(ok ? 0 : 1);
  if (v6) {
    put32(r, creation);
  } else {
    put16(r, uint16_t(creation));
  }
  reply(c, std::move(r), ok);
}

void epmd_server::impl::do_port_please(connection& c, std::string_view b) {
  std::string_view name = b.substr(1);
  if (!name.empty() && name.back() == '\0') name.remove_suffix(1);
  if (!valid_name(name)) return drop(c);
  std::string r;
  r += char(port2_resp);
  {
    detail::lock_guard g(mu);
    auto it = nodes.find(std::string(name));
    if (it == nodes.end()) {
      r += char(1);
    } else {
      const entry& e = it->second.e;
      r += char(0);
      put16(r, e.port);
      r += char(e.node_type);
      r += char(e.protocol);
      put16(r, e.highest_version);
      put16(r, e.lowest_version);
      put16(r, uint16_t(e.name.size()));
      r += e.name;
      put16(r, uint16_t(e.extra.size()));
      r += e.extra;
    }
  }
  reply(c, std::move(r), false);
}

void epmd_server::impl::do_names(connection& c) {
  std::string r;
  put32(r, bound_port.load());
  {
    detail::lock_guard g(mu);
    for (const auto& [name, n] : nodes)
      r += "name " + name + " at port " + std::to_string(n.e.port) + "\n";
  }
  reply(c, std::move(r), false);
}

// ---- epmd_server ---------------------------------------------------------------------------

epmd_server::epmd_server(epmd_server_options opts) : impl_(std::make_unique<impl>(opts)) {}

epmd_server::~epmd_server() {
  stop();
}

void epmd_server::start() {
  std::lock_guard g(impl_->control);
  if (impl_->is_running) return;
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::system_category(), "epmd_server: pipe");
  impl_->wake_read = p[0];
  impl_->wake_write = p[1];
  try {
    impl_->open_listeners();
  } catch (...) {
    impl_->close_all();
    throw;
  }
  impl_->is_running = true;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void epmd_server::stop() {
  std::lock_guard g(impl_->control);
  if (!impl_->is_running) return;
  char b = 1;
  while (::write(impl_->wake_write, &b, 1) < 0 && errno == EINTR) {
  }
  impl_->thread.join();
  impl_->close_all();
  impl_->bound_port = 0;
  impl_->is_running = false;
}

bool epmd_server::running() const {
  return impl_->is_running;
}

uint16_t epmd_server::port() const {
  return impl_->bound_port;
}

std::vector<epmd_server::entry> epmd_server::registered() const {
  detail::lock_guard g(impl_->mu);
  std::vector<entry> out;
  for (const auto& [name, n] : impl_->nodes) out.push_back(n.e);
  return out;
}

// ---- ensure_epmd ---------------------------------------------------------------------------

namespace {

detail::mutex g_in_process_mu;
std::map<uint16_t, std::unique_ptr<epmd_server>> g_in_process OTPP_GUARDED_BY(g_in_process_mu);

std::string find_on_path(const char* exe) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + exe;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// Runs `epmd -daemon -port P` and waits for the launcher to exit (the daemon forks off).
bool start_system_epmd(const std::string& exe, uint16_t port) {
  std::string port_text = std::to_string(port);
  std::string a0 = exe, a1 = "-daemon", a2 = "-port";
  char* argv[] = {a0.data(), a1.data(), a2.data(), port_text.data(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // The daemon outlives us: it must not hold our descriptors.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
  pid_t child = -1;
  int rc = ::posix_spawn(&child, exe.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool wait_until_answers(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  for (;;) {
    if (epmd_answers("127.0.0.1", port, std::chrono::milliseconds(250))) return true;
    if (clock::now() >= deadline) return false;
    // The daemon binds shortly after its launcher exits: retry in a moment.
    ::poll(nullptr, 0, 20);
  }
}

}  // namespace

bool ensure_epmd(uint16_t port, const ensure_epmd_options& opts) noexcept {
  try {
    if (port == 0) port = default_epmd_port();
    if (epmd_answers("127.0.0.1", port)) return true;
    if (opts.allow_system_epmd) {
      std::string exe = find_on_path("epmd");
      if (!exe.empty() && start_system_epmd(exe, port) &&
          wait_until_answers(port, opts.startup_timeout))
        return true;
    }
    if (!opts.allow_in_process) return false;
    {
      detail::lock_guard g(g_in_process_mu);
      auto& slot = g_in_process[port];
      if (!slot || !slot->running()) {
        auto s = std::make_unique<epmd_server>(epmd_server_options{.port = port});
        try {
          s->start();
        } catch (const std::system_error&) {
          // Someone took the port meanwhile: fine if it is an EPMD.
          g_in_process.erase(port);
          return epmd_answers("127.0.0.1", port);
        }
        slot = std::move(s);
      }
    }
    return epmd_answers("127.0.0.1", port);
  } catch (...) {
    return false;
  }
}

epmd_server* in_process_epmd(uint16_t port) noexcept {
  if (port == 0) port = default_epmd_port();
  detail::lock_guard g(g_in_process_mu);
  auto it = g_in_process.find(port);
  return it == g_in_process.end() ? nullptr : it->second.get();
}

void stop_in_process_epmd(uint16_t port) noexcept {
  if (port == 0) port = default_epmd_port();
  std::unique_ptr<epmd_server> s;
  {
    detail::lock_guard g(g_in_process_mu);
    auto it = g_in_process.find(port);
    if (it == g_in_process.end()) return;
    s = std::move(it->second);
    g_in_process.erase(it);
  }
  s.reset();  // stops it, outside the lock
}

}  // namespace otp::dist
