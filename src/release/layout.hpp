#pragma once
// Where things are in an unpacked release (docs/releases.md draws the tree):
//
//   ROOT/bin/NAME                      the start script (bin_script.sh.in)
//   ROOT/otpp-RTSVSN/bin/otpp_node     the runtime: this program
//   ROOT/otpp-RTSVSN/lib/*.so*         shared libraries it needs (found through RUNPATH)
//   ROOT/lib/APP-VSN/ebin/APP.app      each application's descriptor
//   ROOT/lib/APP-VSN/ebin/APP.so       its code, loaded at boot (absent: library app)
//   ROOT/releases/RELEASES             installed releases and their status (OTP's format)
//   ROOT/releases/start_erl.data       "RTSVSN RELVSN": what bin/NAME starts
//   ROOT/releases/COOKIE               the cookie (mode 0400), unless RELEASE_COOKIE is set
//   ROOT/releases/RELVSN/NAME.rel      the release descriptor
//   ROOT/releases/RELVSN/NAME.boot     the boot manifest: applications in start order
//   ROOT/releases/RELVSN/sys.config, vm.args
//   ROOT/tmp/                          control sockets (mode 0700)
//   ROOT/log/                          daemon output
//
// A new version is another releases/VSN/ (and lib/APP-VSN/ for changed applications)
// beside the old one; start_erl.data and RELEASES say which is current, as in OTP.

#include <optional>
#include <string>

namespace otp::release {

struct layout {
  std::string root;         // absolute, no trailing '/'
  std::string name;         // the release's name
  std::string vsn;          // the release version to run
  std::string runtime_vsn;  // otpp's version in this release

  std::string releases_dir() const { return root + "/releases"; }
  std::string version_dir() const { return releases_dir() + "/" + vsn; }
  std::string vm_args() const { return version_dir() + "/vm.args"; }
  std::string sys_config() const { return version_dir() + "/sys.config"; }
  std::string boot_file() const { return version_dir() + "/" + name + ".boot"; }
  std::string cookie_file() const { return releases_dir() + "/COOKIE"; }
  std::string releases_file() const { return releases_dir() + "/RELEASES"; }
  std::string tmp_dir() const { return root + "/tmp"; }
  std::string log_dir() const { return root + "/log"; }
};

// The layout of the release this program runs in: RELEASE_ROOT, RELEASE_NAME and
// RELEASE_VSN from the environment (bin/NAME sets them), else derived from the program's
// own path and releases/start_erl.data. Throws std::runtime_error saying what is missing.
layout find_layout();

// The socket a node's control server listens on, relative to tmp_dir() (Unix socket paths
// are limited to 107 bytes, so both ends chdir into tmp_dir and use this short name).
std::string control_socket_name(const std::string& node);

// The environment variable `name` when it is set and not empty.
std::optional<std::string> env_var(const char* name);

// Reads a whole file; throws std::runtime_error naming it.
std::string read_file(const std::string& path);

}  // namespace otp::release
