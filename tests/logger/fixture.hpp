#pragma once
// Shared setup for logger tests: each test starts with no console handler (so test output
// stays readable), primary level notice and the default queue capacity.

#include <gtest/gtest.h>

#include <otp/logger.hpp>
#include <otp/otp.hpp>
#include <string>
#include <vector>

namespace otp_test {

struct LoggerTest : ::testing::Test {
  void SetUp() override {
    otp::logger::remove_handler(otp::atom("default"));
    otp::logger::set_primary_level(otp::logger::level::notice);
    otp::logger::set_queue_capacity(8192);
  }
  void TearDown() override {
    otp::logger::set_primary_level(otp::logger::level::notice);
    otp::logger::set_queue_capacity(8192);
  }
};

// The message texts of the events, in order.
inline std::vector<std::string> messages(const std::vector<otp::logger::event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.message);
  return out;
}

// A fixed event, for formatter tests: 2026-11-25 23:33:10.965691 UTC.
inline otp::logger::event fixed_event(otp::logger::level l) {
  otp::logger::event e;
  e.level = l;
  e.time_us = 1795649590965691;
  return e;
}

}  // namespace otp_test
