// ~/.erlang.cookie, read and written as erl does (see cookie.hpp for the rules).

#include "dist/cookie.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace otp::dist {

namespace {

std::string errno_text(int e) {
  return std::generic_category().message(e);
}

// Closes a file descriptor when it goes out of scope.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

// Reads the whole file at `path` after checking what erl checks. Returns false (and leaves
// errno) when the file does not exist.
bool read_checked(const std::string& path, std::string& contents) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    throw cookie_error("Error when reading " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    const char* type = S_ISDIR(st.st_mode) ? "directory" : "other";
    throw cookie_error("Cookie file " + path + " is of type " + type);
  }
  if ((st.st_mode & 077) != 0)
    throw cookie_error("Cookie file " + path + " must be accessible by owner only");
  fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw cookie_error("Error when reading " + path + ": " + errno_text(errno));
  contents.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw cookie_error("Error when reading " + path + ": " + errno_text(errno));
    }
    if (n == 0) break;
    contents.append(buf, size_t(n));
    // A cookie is at most 255 characters; a huge file is not a cookie file.
    if (contents.size() > 64 * 1024) throw cookie_error("Bad characters in cookie");
  }
  return true;
}

// Creates `path` holding a fresh cookie, mode 0400, atomically: the cookie is written to a
// temporary file that is then hard-linked to `path`, so a reader never sees a half-written
// file and of two nodes creating it at once, one wins and the other reads the winner's.
// Returns false when `path` appeared meanwhile.
bool create_cookie_file(const std::string& path) {
  std::string cookie = generate_cookie();
  std::string tmp = path + ".XXXXXX";
  fd_guard f{::mkstemp(tmp.data())};
  if (f.fd < 0)
    throw cookie_error("Failed to create cookie file '" + path + "': " + errno_text(errno));
  bool ok = ::fchmod(f.fd, 0400) == 0 && write_all(f.fd, cookie) && ::fsync(f.fd) == 0;
  int e = errno;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw cookie_error("Failed to write to cookie file '" + path + "': " + errno_text(e));
  }
  int r = ::link(tmp.c_str(), path.c_str());
  e = errno;
  ::unlink(tmp.c_str());
  if (r == 0) return true;
  if (e == EEXIST) return false;
  // File systems without hard links: create in place, exclusively.
  fd_guard g{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400)};
  if (g.fd < 0) {
    if (errno == EEXIST) return false;
    throw cookie_error("Failed to create cookie file '" + path + "': " + errno_text(errno));
  }
  if (!write_all(g.fd, cookie) || ::fsync(g.fd) != 0)
    throw cookie_error("Failed to write to cookie file '" + path + "': " + errno_text(errno));
  return true;
}

}  // namespace

std::string parse_cookie_file(std::string_view contents) {
  size_t i = 0;
  while (i < contents.size() && contents[i] >= 0x20 && contents[i] <= 0x7E) ++i;
  std::string cookie(contents.substr(0, i));
  for (; i < contents.size(); ++i) {
    char c = contents[i];
    if (c != '\n' && c != '\r' && c != ' ') throw cookie_error("Bad characters in cookie");
  }
  if (cookie.empty()) throw cookie_error("Too short cookie string");
  if (cookie.size() > max_cookie_length) throw cookie_error("Too long cookie string");
  return cookie;
}

std::string read_or_create_cookie(const std::string& home) {
  if (home.empty()) throw cookie_error("No home for cookie file");
  std::string path = home;
  if (path.back() != '/') path += '/';
  path += ".erlang.cookie";
  std::string contents;
  // At most a few rounds: a file that vanishes between our creation attempt and our read
  // (someone else deleting it) is retried, never looped on forever.
  for (int round = 0; round < 3; ++round) {
    if (read_checked(path, contents)) return parse_cookie_file(contents);
    create_cookie_file(path);
  }
  throw cookie_error("Failed to create cookie file '" + path + "': it keeps disappearing");
}

std::optional<std::string> read_cookie_file(const std::string& path) {
  std::string contents;
  if (!read_checked(path, contents)) return std::nullopt;
  return parse_cookie_file(contents);
}

std::string generate_cookie() {
  // Rejection sampling keeps the letters uniform: bytes >= 234 (9 * 26) are redrawn.
  std::string out;
  out.reserve(generated_cookie_length);
  unsigned char buf[64];
  while (out.size() < generated_cookie_length) {
    secure_random_bytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= 234) continue;
      out += char('A' + b % 26);
      if (out.size() == generated_cookie_length) break;
    }
  }
  return out;
}

bool is_valid_cookie(std::string_view cookie) noexcept {
  if (cookie.empty() || cookie.size() > max_cookie_length) return false;
  for (char c : cookie)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

void validate_cookie(std::string_view cookie) {
  if (cookie.empty()) throw cookie_error("Too short cookie string");
  if (cookie.size() > max_cookie_length) throw cookie_error("Too long cookie string");
  if (!is_valid_cookie(cookie))
    throw cookie_error("Bad characters in cookie (printable ASCII only)");
}

void secure_random_bytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    int chunk = n > (1u << 20) ? (1 << 20) : int(n);
    if (RAND_bytes(p, chunk) != 1) throw std::runtime_error("no secure random source");
    p += chunk;
    n -= size_t(chunk);
  }
}

uint32_t secure_random_u32() {
  unsigned char b[4];
  secure_random_bytes(b, 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

}  // namespace otp::dist
