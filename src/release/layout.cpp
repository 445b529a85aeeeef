#include "layout.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace otp::release {

std::optional<std::string> env_var(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

layout find_layout() {
  namespace fs = std::filesystem;
  layout l;
  l.root = env_var("RELEASE_ROOT").value_or("");
  if (l.root.empty()) {
    // ROOT/otpp-VSN/bin/otpp_node
    fs::path exe = fs::read_symlink("/proc/self/exe");
    l.root = exe.parent_path().parent_path().parent_path().string();
  }
  l.root = fs::weakly_canonical(l.root).string();
  std::string start_erl = l.root + "/releases/start_erl.data";
  std::istringstream data(read_file(start_erl));
  data >> l.runtime_vsn >> l.vsn;
  if (l.vsn.empty()) throw std::runtime_error(start_erl + ": expected \"RUNTIME_VSN RELEASE_VSN\"");
  if (auto v = env_var("RELEASE_VSN")) l.vsn = *v;
  l.name = env_var("RELEASE_NAME").value_or("");
  if (l.name.empty()) {
    // The one NAME.rel in releases/VSN/ names the release.
    for (const auto& e : fs::directory_iterator(l.version_dir()))
      if (e.path().extension() == ".rel") l.name = e.path().stem().string();
    if (l.name.empty()) throw std::runtime_error("no .rel file in " + l.version_dir());
  }
  return l;
}

std::string control_socket_name(const std::string& node) {
  return "ctl." + node;
}

}  // namespace otp::release
