#include "control_protocol.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "otp/etf.hpp"

namespace otp::release {

unix_address::unix_address(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  if (path.size() >= sizeof addr.sun_path) {
    dir_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) throw std::runtime_error("cannot open " + dir + ": " + std::strerror(errno));
    path = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
    if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket name too long");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
}

unix_address::~unix_address() {
  if (dir_fd >= 0) ::close(dir_fd);
}

std::string control_proof(std::string_view cookie, std::string_view challenge) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), cookie.data(), static_cast<int>(cookie.size()),
       reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool proofs_equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool read_exact(int fd, size_t n, std::string& out) {
  out.resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

bool write_frame(int fd, const term& t) {
  std::string body = term_to_binary(t);
  std::string frame(4, '\0');
  uint32_t n = static_cast<uint32_t>(body.size());
  for (int i = 0; i < 4; ++i) frame[static_cast<size_t>(i)] = static_cast<char>(n >> (24 - 8 * i));
  frame += body;
  return write_all(fd, frame);
}

std::optional<term> read_frame(int fd) {
  std::string head;
  if (!read_exact(fd, 4, head)) return std::nullopt;
  size_t n = 0;
  for (unsigned char c : head) n = (n << 8) | c;
  if (n > control_max_frame) return std::nullopt;
  std::string body;
  if (!read_exact(fd, n, body)) return std::nullopt;
  auto r = try_binary_to_term(body);
  if (!r) return std::nullopt;
  return r.value;
}

}  // namespace otp::release
