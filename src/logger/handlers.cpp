// The built-in handlers: console (stderr), rotating file (spdlog's rotating sink) and
// capture (in memory, for tests).

#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "core.hpp"
#include "otp/detail/mutex.hpp"

namespace otp::logger {

namespace {

class console final : public handler {
 public:
  void write(const event&, std::string_view text) override {
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush() override { std::fflush(stderr); }
};

// Our text is already formatted; spdlog only has to write it.
class passthrough final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    dest.append(msg.payload.begin(), msg.payload.end());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<passthrough>();
  }
};

// spdlog's rotating sink rotates before a write would pass max_bytes, and only a file that
// is not empty, so one oversized event still lands (alone) in a fresh file. The _st
// variant has no mutex: only the logger thread calls it.
class rotating_file final : public handler {
 public:
  explicit rotating_file(const file_options& o) : sink_(o.path, o.max_bytes, o.max_files) {
    sink_.set_formatter(std::make_unique<passthrough>());
  }
  void write(const event&, std::string_view text) override {
    spdlog::details::log_msg msg(spdlog::string_view_t(), spdlog::level::info,
                                 spdlog::string_view_t(text.data(), text.size()));
    sink_.log(msg);
  }
  void flush() override { sink_.flush(); }

 private:
  spdlog::sinks::rotating_file_sink_st sink_;
};

}  // namespace

std::unique_ptr<handler> console_handler() {
  return std::make_unique<console>();
}

std::unique_ptr<handler> file_handler(const file_options& options) {
  if (options.max_bytes == 0) throw std::invalid_argument("otpp logger: max_bytes must be > 0");
  try {
    return std::make_unique<rotating_file>(options);
  } catch (const spdlog::spdlog_ex& e) {
    // Keep spdlog out of our interface: callers catch std exceptions.
    throw std::runtime_error(std::string("otpp logger: ") + e.what());
  }
}

// ---- capture -------------------------------------------------------------------------

struct capture::state {
  otp::detail::mutex mu;
  std::vector<event> events OTPP_GUARDED_BY(mu);
  std::vector<std::string> lines OTPP_GUARDED_BY(mu);
};

namespace {

class capture_handler final : public handler {
 public:
  explicit capture_handler(std::shared_ptr<capture::state> s) : s_(std::move(s)) {}
  void write(const event& e, std::string_view text) override {
    otp::detail::lock_guard g(s_->mu);
    s_->events.push_back(e);
    s_->lines.emplace_back(text);
  }

 private:
  std::shared_ptr<capture::state> s_;
};

std::atomic<uint64_t> capture_serial{0};

}  // namespace

capture::capture(capture_options options)
    : state_(std::make_shared<state>()),
      id_("otpp_capture_" + std::to_string(capture_serial.fetch_add(1) + 1)) {
  if (options.primary_level) {
    saved_primary_ = primary_level();
    set_primary_level(*options.primary_level);
  }
  try {
    add_handler(id_, std::make_unique<capture_handler>(state_),
                {.level = options.level, .format = options.format});
  } catch (...) {
    if (saved_primary_) set_primary_level(*saved_primary_);
    throw;
  }
}

capture::~capture() {
  try {
    remove_handler(id_);
    if (saved_primary_) set_primary_level(*saved_primary_);
  } catch (...) {
    // Only possible on the logger thread, where a capture has no business being destroyed.
  }
}

std::vector<event> capture::events() const {
  flush();
  otp::detail::lock_guard g(state_->mu);
  return state_->events;
}

std::vector<std::string> capture::lines() const {
  flush();
  otp::detail::lock_guard g(state_->mu);
  return state_->lines;
}

void capture::clear() {
  flush();
  otp::detail::lock_guard g(state_->mu);
  state_->events.clear();
  state_->lines.clear();
}

}  // namespace otp::logger
