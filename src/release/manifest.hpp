#pragma once
// The boot manifest (releases/VSN/NAME.boot): what OTP's .boot script is for an otpp
// release — the applications to load and start, in start order, and where each one is.
// It is Erlang term text, written by otpp_relgen at build time and read at boot:
//
//   {boot, "kvdemo", "1.0.0", "0.1.0",
//    [{kernel, "0.1.0", builtin},
//     {kv_store, "1.0.0", "lib/kv_store-1.0.0"}]}.
//
// `builtin` applications are part of the runtime (kernel). A directory is relative to
// the release root and holds ebin/APP.app and, unless it is a library application,
// ebin/APP.so.

#include <string>
#include <vector>

#include "otp/atom.hpp"

namespace otp::release {

struct boot_app {
  atom name;
  std::string vsn;
  std::string dir;  // empty: built into the runtime
};

struct boot_manifest {
  std::string release_name;
  std::string release_vsn;
  std::string runtime_vsn;
  std::vector<boot_app> apps;  // start order
};

// Throws config::config_error naming the file when it is not a boot manifest.
boot_manifest read_manifest(const std::string& path);
std::string format_manifest(const boot_manifest& m);

}  // namespace otp::release
