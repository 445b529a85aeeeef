// The rotating file handler, and writing everything queued at exit.

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "logger/fixture.hpp"

using namespace otp;
using namespace otp_test;
namespace lg = otp::logger;
namespace fs = std::filesystem;
using lg::level;

namespace {

// A fresh temporary directory, removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "otpp_logger_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

const lg::formatter_options fixed_width{.style = lg::format_style::single_line, .utc = true};

}  // namespace

TEST_F(LoggerTest, TheFileHandlerRotatesAtTheSizeLimitKeepingMaxFiles) {
  temp_dir dir;
  fs::path log = dir.path / "app.log";
  const size_t max_bytes = 1000, max_files = 3;
  lg::add_handler(atom("file"), lg::file_handler({log.string(), max_bytes, max_files}),
                  {.format = fixed_width});
  // Every line has the same length: "<time>Z error: line 0007\n".
  const int total = 200;
  for (int i = 0; i < total; ++i) lg::error("line {:04}", i);
  lg::flush();
  const size_t line_len = read_lines(log).at(0).size() + 1;
  const size_t per_file = max_bytes / line_len;

  // app.log plus app.1.log .. app.3.log, oldest last; nothing beyond max_files.
  std::vector<fs::path> files = {dir.path / "app.3.log", dir.path / "app.2.log",
                                 dir.path / "app.1.log", log};
  EXPECT_FALSE(fs::exists(dir.path / "app.4.log"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 4);
  std::vector<std::string> kept;
  for (const fs::path& f : files) {
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_LE(fs::file_size(f), max_bytes) << f;
    if (f != log) {
      EXPECT_EQ(fs::file_size(f), per_file * line_len) << f << " was rotated full";
    }
    for (auto& l : read_lines(f)) kept.push_back(l);
  }
  // What is kept is the newest lines, in order, with none missing.
  ASSERT_FALSE(kept.empty());
  int first = total - int(kept.size());
  EXPECT_GT(first, 0);
  for (size_t i = 0; i < kept.size(); ++i)
    EXPECT_TRUE(kept[i].ends_with(fmt::format(" error: line {:04}", first + int(i)))) << kept[i];
  EXPECT_EQ(kept.size() % per_file, size_t(total) % per_file);
  lg::remove_handler(atom("file"));
}

TEST_F(LoggerTest, TheFileHandlerAppendsToAnExistingFile) {
  temp_dir dir;
  fs::path log = dir.path / "sub" / "app.log";  // the directory is created
  for (int round = 0; round < 2; ++round) {
    lg::add_handler(atom("file"), lg::file_handler({.path = log.string()}),
                    {.format = fixed_width});
    lg::error("round {}", round);
    lg::remove_handler(atom("file"));  // closes the file
  }
  auto lines = read_lines(log);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].ends_with("round 0"));
  EXPECT_TRUE(lines[1].ends_with("round 1"));
}

TEST_F(LoggerTest, TheFileHandlerRejectsPathsItCannotOpen) {
  temp_dir dir;
  fs::path blocker = dir.path / "file";
  std::ofstream(blocker) << "x";
  EXPECT_THROW(lg::file_handler({.path = (blocker / "app.log").string()}), std::runtime_error);
  EXPECT_THROW(lg::file_handler({.path = (dir.path / "a.log").string(), .max_bytes = 0}),
               std::invalid_argument);
}

TEST_F(LoggerTest, AtExitEverythingQueuedIsWritten) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-executes: no fork of a threaded parent
  // The child re-runs this test up to EXPECT_EXIT, so it finds the directory in the
  // environment instead of making another one.
  std::unique_ptr<temp_dir> dir;
  if (!getenv("OTPP_LOGGER_EXIT_DIR")) {
    dir = std::make_unique<temp_dir>();
    setenv("OTPP_LOGGER_EXIT_DIR", dir->path.c_str(), 1);
  }
  fs::path log = fs::path(getenv("OTPP_LOGGER_EXIT_DIR")) / "exit.log";
  EXPECT_EXIT(
      {
        lg::add_handler(atom("file"), lg::file_handler({.path = log.string()}),
                        {.format = fixed_width});
        for (int i = 0; i < 1000; ++i) lg::error("line {}", i);
        std::exit(0);  // no flush: the logger's exit hook writes what is queued
      },
      testing::ExitedWithCode(0), "");
  unsetenv("OTPP_LOGGER_EXIT_DIR");
  auto lines = read_lines(log);
  ASSERT_EQ(lines.size(), 1000u);
  EXPECT_TRUE(lines.back().ends_with("line 999"));
}

TEST_F(LoggerTest, AForkedChildLogsWithItsOwnThreadAndExitsCleanly) {
#if defined(OTPP_TSAN)
  GTEST_SKIP() << "TSan does not support starting threads after a multi-threaded fork";
#endif
  GTEST_FLAG_SET(death_test_style, "fast");  // a plain fork() of this threaded process
  temp_dir dir;
  fs::path log = dir.path / "fork.log";
  lg::capture cap;
  lg::error("before the fork");
  lg::flush();  // the logger thread is running when we fork
  EXPECT_EXIT(
      {
        lg::add_handler(atom("file"), lg::file_handler({.path = log.string()}),
                        {.format = fixed_width});
        lg::error("from the child");
        std::exit(0);
      },
      testing::ExitedWithCode(0), "");
  lg::error("after the fork");
  auto lines = read_lines(log);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].ends_with("from the child"));
  EXPECT_EQ(messages(cap.events()),
            (std::vector<std::string>{"before the fork", "after the fork"}));
}
