#pragma once
/// \file
/// The external term format (ETF): Erlang's byte encoding of terms, as term_to_binary/1 and
/// binary_to_term/1 use and distribution sends. See docs/etf.md for the tags and limits.
///
/// Encoding is byte-identical to erl's term_to_binary/1 (OTP 26 and later; OTP 25 with
/// [{minor_version, 2}], or with `utf8_atoms = false` its own default) for every term except
/// maps of more than 32 keys, which erl writes in its internal hash order and we write in
/// key order (both decode to the same map).
///
/// Decoding accepts untrusted bytes: it never reads out of bounds, never recurses (any
/// nesting depth decodes on a small stack), allocates in proportion to the input (a count in
/// the input is checked against the bytes that remain before anything is reserved), and
/// reports what went wrong and at which byte offset.
///
/// Thread safety: all functions are reentrant; they only read their arguments.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "otp/atom.hpp"
#include "otp/term.hpp"

namespace otp {

/// Who "this node" is: local pids, references and ports are written with this name and
/// creation, and decoded values naming it become local again.
struct etf_context {
  atom node = atoms::nonode_nohost;
  uint32_t creation = 0;
  /// The context of this_node() (what the runtime has set).
  static etf_context from_this_node() noexcept {
    node_identity n = this_node();
    return {n.name, n.creation};
  }
};

struct etf_encode_options {
  /// zlib level 1..9 to write the compressed form (tag 80) as term_to_binary(T,
  /// [{compressed, Level}]); 0 writes it plain. As in erl, a term that does not get smaller
  /// is written plain anyway.
  int compression = 0;
  /// Atoms as ATOM_UTF8_EXT / SMALL_ATOM_UTF8_EXT (OTP 26's term_to_binary/1, minor_version
  /// 2, and what distribution sends). False writes atoms that fit Latin-1 as ATOM_EXT, as
  /// OTP 25's term_to_binary/1 (minor_version 1) does.
  bool utf8_atoms = true;
  /// Start with the version byte 131 (distribution payloads after a header go without).
  bool version_byte = true;
  /// Atoms to write as ATOM_CACHE_REF with their index here (a distribution header's atom
  /// cache; at most 256 entries are used). Atoms not listed are written in full.
  std::span<const atom> atom_cache = {};
};

/// Encodes `t`. Throws bad_term_access only for what ETF cannot carry (none today).
std::string term_to_binary(const term& t, const etf_context& ctx = {},
                           const etf_encode_options& opts = {});
/// Appends the encoding of `t` to `out`.
void term_to_binary(const term& t, std::string& out, const etf_context& ctx,
                    const etf_encode_options& opts = {});

struct etf_decode_options {
  /// The atoms ATOM_CACHE_REF indexes (from the distribution header); empty: the tag is
  /// an error.
  std::span<const atom> atom_cache = {};
  /// Expect the version byte 131 first.
  bool version_byte = true;
  /// Allow bytes after the term (decode a prefix: the result's `used` says how many bytes
  /// the term took). Otherwise trailing bytes are an error.
  bool allow_trailing = false;
  /// Refuse atoms that do not exist yet, like binary_to_term(B, [safe]): the atom table is
  /// never freed, so untrusted input could otherwise fill it.
  bool existing_atoms_only = false;
  /// Largest uncompressed size a compressed term may declare.
  size_t max_uncompressed_size = size_t(256) << 20;
};

enum class etf_errc : uint8_t {
  truncated,           // the input ends inside a term
  bad_version,         // the first byte is not 131
  unknown_tag,         // a tag this decoder does not know, or one not allowed here
  bad_atom,            // atom too long, invalid UTF-8, not existing (safe mode), table full
  bad_atom_cache_ref,  // ATOM_CACHE_REF index outside the given cache
  bad_value,           // a field out of range: non-finite float, bit count, reference length...
  duplicate_map_key,   // MAP_EXT lists a key twice
  bad_compression,     // zlib data corrupt, too large, or not of the declared size
  trailing_data,       // bytes after the term (without allow_trailing)
  out_of_memory,
};

struct etf_error {
  etf_errc code = etf_errc::truncated;
  /// Byte offset in the input where the problem starts. For a problem inside a compressed
  /// term, the offset is into the uncompressed bytes and `in_compressed` is true.
  size_t offset = 0;
  bool in_compressed = false;
  /// What went wrong and where, for humans ("truncated: INTEGER_EXT needs 4 bytes at
  /// offset 2, 1 left").
  std::string message;
};

struct etf_decode_result {
  term value;
  /// Bytes of the input the term took (the whole input unless allow_trailing).
  size_t used = 0;
  std::optional<etf_error> error;
  explicit operator bool() const noexcept { return !error; }
};

/// Thrown by binary_to_term.
class etf_decode_error : public std::runtime_error {
 public:
  explicit etf_decode_error(etf_error e) : std::runtime_error(e.message), error_(std::move(e)) {}
  const etf_error& error() const noexcept { return error_; }
  etf_errc code() const noexcept { return error_.code; }
  size_t offset() const noexcept { return error_.offset; }

 private:
  etf_error error_;
};

/// Decodes without throwing: the result holds the term or the error.
etf_decode_result try_binary_to_term(std::string_view bytes, const etf_context& ctx = {},
                                     const etf_decode_options& opts = {}) noexcept;
/// Decodes; throws etf_decode_error.
term binary_to_term(std::string_view bytes, const etf_context& ctx = {},
                    const etf_decode_options& opts = {});

}  // namespace otp
