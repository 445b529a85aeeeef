#pragma once
/// \file
/// init: how a node is asked to stop, and how the program that runs it learns so (the part
/// of Erlang's `init` module otpp needs).
///
///     // a release's main (otpp does this for you in releases):
///     int status = otp::init::wait_for_stop();   // until init::stop(...) somewhere
///     // then: application::stop_all(), node shutdown, exit(status)
///
/// `stop(status)` may be called from anywhere — a shell's `q()`, `bin/NAME stop`, the
/// application controller when a permanent application dies (status 1). The first request
/// wins; later ones change nothing. One stop request per OS process (there is one node per
/// release); `reset()` exists for tests that run several nodes in turn.
///
/// Thread safety: every function is safe from any thread and any process.

#include <chrono>
#include <optional>
#include <string>

namespace otp::init {

/// Asks for an orderly stop with this OS exit status; `why` is logged. Returns at once.
void stop(int status = 0, std::string why = {});
/// The status asked for, if a stop was asked for.
std::optional<int> stop_requested();
/// Blocks a (non-scheduler) thread until a stop is asked for; returns its status.
int wait_for_stop();
/// As wait_for_stop, giving up after `timeout` (nullopt).
std::optional<int> wait_for_stop(std::chrono::milliseconds timeout);
/// The reason given with the stop request.
std::string stop_reason();
/// Forgets a stop request (tests only).
void reset();

}  // namespace otp::init
