#pragma once
// Shared fixtures for runtime tests: a node with two schedulers (the usual case) and a
// deterministic node (one scheduler, manual clock) for anything involving time.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

namespace otp_test {

struct RuntimeTest : ::testing::Test {
  otp::node node{{.schedulers = 2}};
};

struct DeterministicTest : ::testing::Test {
  otp::node node{{.schedulers = 1, .manual_clock = true}};
};

// Monitors `p` and waits for it to end; returns its exit reason (noproc if it had already
// ended). In a process.
inline otp::term exit_reason_of(const otp::pid& p) {
  otp::reference ref = otp::monitor(p);
  auto down = otp::receive(otp::when([&](const otp::down_msg& d) { return d.ref == ref; },
                                     [](otp::down_msg d) { return d; }));
  return down.reason;
}

// Spawns f monitored (no race with a quick exit) and waits for its exit reason.
template <class F>
otp::term exit_reason_of_spawned(F f) {
  otp::reference ref = otp::spawn_monitor(std::move(f)).second;
  auto down = otp::receive(otp::when([&](const otp::down_msg& d) { return d.ref == ref; },
                                     [](otp::down_msg d) { return d; }));
  return down.reason;
}

// The atom with this name, as a term.
inline otp::term A(const char* name) {
  return otp::term(otp::atom(name));
}

}  // namespace otp_test
