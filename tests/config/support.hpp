#pragma once
// Helpers for the configuration tests: a temporary folder of files, a fake environment, the
// error a call throws, and running erl for comparisons.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <system_error>

#include "otp/config.hpp"

namespace otp::config::testing {

// A fresh folder under the system's temp folder, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "otpp_config_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::system_category(), "mkdtemp");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `name` (folders created) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// An env_lookup over a fixed map.
inline env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The config_error `f` throws (fails the test when it throws nothing).
template <class F>
config_error error_of(F&& f) {
  try {
    f();
  } catch (const config_error& e) {
    return e;
  }
  ADD_FAILURE() << "no config_error";
  return config_error("", 0, 0, "");
}

inline bool have_erl() {
  return std::system("command -v erl >/dev/null 2>&1") == 0;
}

// Runs a shell command and returns what it printed on stdout.
inline std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace otp::config::testing
