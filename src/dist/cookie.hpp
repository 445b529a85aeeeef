#pragma once
/// \file
/// The magic cookie: the shared secret two nodes prove they both know in the handshake.
///
/// `read_or_create_cookie` follows erl (OTP 25 `auth`) for `$HOME/.erlang.cookie`:
///  - the file must be a regular file (a symlink to one is followed) that only its owner may
///    access: any group or other permission bit (mode & 077) refuses it, with erl's message
///    "Cookie file F must be accessible by owner only";
///  - the cookie is the leading run of printable ASCII (0x20..0x7E, so inner and trailing
///    spaces are kept, as erl keeps them); after it only CR, LF and spaces may follow, else
///    "Bad characters in cookie"; an empty cookie is "Too short cookie string";
///  - a missing file is created with mode 0400. erl writes 20 random uppercase letters (94
///    bits, from a weak generator); we write 28 uppercase letters drawn from the OS's secure
///    random source (131 bits), in the same alphabet so either can read the other's file.
///    Creation is atomic (a temporary file linked into place), so two nodes starting at once
///    agree on one cookie.
///
/// Thread safety: all functions are reentrant.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace otp::dist {

/// Why a cookie file or string was refused; what() is erl's wording where erl has one.
class cookie_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The cookie from `home`/.erlang.cookie, creating the file when it does not exist.
/// Throws cookie_error (empty `home`, unreadable or badly protected file, bad contents,
/// failure to create).
std::string read_or_create_cookie(const std::string& home);

/// The cookie in the cookie file at `path`, checked as above (a regular file only its owner
/// may access, valid contents); nullopt when there is no such file. Throws cookie_error.
std::optional<std::string> read_cookie_file(const std::string& path);

/// The cookie in a cookie file's contents (the rules above). Throws cookie_error.
std::string parse_cookie_file(std::string_view contents);

/// Letters in a cookie made by generate_cookie().
inline constexpr size_t generated_cookie_length = 28;
/// A fresh cookie: generated_cookie_length uppercase letters from a secure random source.
std::string generate_cookie();

/// Longest cookie accepted (erl's cookie is an atom: at most 255 characters).
inline constexpr size_t max_cookie_length = 255;
/// Whether `cookie` can be used as one: 1..255 printable ASCII characters (0x20..0x7E). The
/// digest erl computes covers the cookie's characters as bytes, so only characters that are
/// one byte in both Latin-1 and UTF-8 give the same digest on both sides.
bool is_valid_cookie(std::string_view cookie) noexcept;
/// Throws cookie_error saying what is wrong with `cookie`, if anything.
void validate_cookie(std::string_view cookie);

/// Fills `out` with bytes from the OS's secure random source (OpenSSL RAND_bytes, which
/// seeds from getrandom). Throws std::runtime_error if it cannot.
void secure_random_bytes(void* out, size_t n);
/// A uniformly random 32-bit value from secure_random_bytes.
uint32_t secure_random_u32();

}  // namespace otp::dist
