#pragma once
// Tag bytes of the external term format (erl_ext_dist), shared by the encoder and decoder.

#include <cstdint>

namespace otp::detail::etf {

enum tag : uint8_t {
  version = 131,
  compressed = 80,
  atom_cache_ref = 82,
  small_integer = 97,
  integer = 98,
  float_old = 99,  // FLOAT_EXT: 31 bytes of text (decode only)
  new_float = 70,
  atom_latin1 = 100,        // ATOM_EXT (decode; encode without utf8_atoms)
  small_atom_latin1 = 115,  // SMALL_ATOM_EXT (decode only)
  atom_utf8 = 118,
  small_atom_utf8 = 119,
  reference_old = 101,  // REFERENCE_EXT (decode only)
  port_old = 102,       // PORT_EXT (decode only)
  pid_old = 103,        // PID_EXT (decode only)
  small_tuple = 104,
  large_tuple = 105,
  nil = 106,
  string = 107,
  list = 108,
  binary = 109,
  small_big = 110,
  large_big = 111,
  new_fun = 112,
  export_fun = 113,
  new_reference = 114,  // NEW_REFERENCE_EXT (decode only)
  map = 116,
  bit_binary = 77,
  new_pid = 88,
  new_port = 89,
  newer_reference = 90,
  v4_port = 120,
};

}  // namespace otp::detail::etf
