#pragma once
/// \file
/// The runtime of a release: the program `bin/NAME` runs (see docs/releases.md).
///
/// A release is built by the CMake function `otpp_release` (cmake/otpp_release.cmake);
/// its applications are shared objects loaded at boot, so the runtime program is the same
/// for every release and it is otpp's: `otpp-VSN/bin/otpp_node`, whose main is
///
///     int main(int argc, char** argv) { return otp::release::main(argc, argv); }
///
/// Commands (argv[1]), with relx's and `mix release`'s exit codes and messages:
/// foreground, console, start/daemon, stop, restart, ping, pid, remote, eval EXPR, versions.
/// An unknown or missing command prints the usage and exits 1.
///
/// Thread safety: call once, from the program's main thread, before any other thread
/// exists (it blocks signals that the node's threads must inherit blocked).

namespace otp::release {

int main(int argc, char** argv);

}  // namespace otp::release
