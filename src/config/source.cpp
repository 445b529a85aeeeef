// Reading configuration files and mapping positions back through ${VAR} substitution.

#include "source.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

namespace otp::config::detail {
namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

// The NAME of a `${NAME}` starting at `at`, or empty when the text there is not one.
std::string_view variable_at(std::string_view text, size_t at) {
  if (text.compare(at, 2, "${") != 0) return {};
  size_t end = at + 2;
  if (end >= text.size() || !name_start(text[end])) return {};
  while (end < text.size() && name_char(text[end])) ++end;
  if (end >= text.size() || text[end] != '}') return {};
  return text.substr(at + 2, end - at - 2);
}

}  // namespace

text_position position_at(std::string_view text, size_t offset) {
  text_position p;
  if (offset > text.size()) offset = text.size();
  for (size_t i = 0; i < offset; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // UTF-8 continuation bytes are not characters
      ++p.column;
    }
  }
  return p;
}

source::source(std::string file, std::string written, const env_lookup& env)
    : file_(std::move(file)), written_(std::move(written)) {
  substitute(env);
}

source::source(std::string file, std::string written)
    : file_(std::move(file)), written_(std::move(written)), text_(written_) {}

void source::substitute(const env_lookup& env) {
  text_.reserve(written_.size());
  size_t i = 0;
  while (i < written_.size()) {
    size_t dollar = written_.find("${", i);
    if (dollar == std::string::npos) break;
    std::string_view name = variable_at(written_, dollar);
    if (name.empty()) {
      text_.append(written_, i, dollar + 2 - i);
      i = dollar + 2;
      continue;
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!value) {
      text_position p = position_at(written_, dollar);
      throw config_error(file_, p.line, p.column,
                         "environment variable " + std::string(name) + " is not set (used as ${" +
                             std::string(name) + "})");
    }
    text_.append(written_, i, dollar - i);
    splices_.push_back({text_.size(), value->size(), dollar, name.size() + 3});
    text_ += *value;
    i = dollar + name.size() + 3;
  }
  text_.append(written_, i, std::string::npos);
}

text_position source::written_at(size_t offset) const {
  // Bytes outside splices keep their distance from the end of the last splice before them.
  size_t in = offset;
  for (const splice& s : splices_) {
    if (offset < s.out) break;
    if (offset < s.out + s.out_len) {
      in = s.in;
      return position_at(written_, in);
    }
    in = s.in + s.in_len + (offset - s.out - s.out_len);
  }
  return position_at(written_, in);
}

config_error source::error_at(size_t offset, std::string detail) const {
  text_position p = written_at(offset);
  return config_error(file_, p.line, p.column, std::move(detail));
}

std::string identity_of(const std::string& path) {
  std::error_code ec;
  std::filesystem::path c = std::filesystem::weakly_canonical(path, ec);
  return ec ? std::filesystem::path(path).lexically_normal().string() : c.string();
}

std::string beside(const std::string& from, const std::string& name) {
  std::filesystem::path p(name);
  if (p.is_relative()) p = std::filesystem::path(from).parent_path() / p;
  return p.string();
}

bool read_file(const std::string& path, std::string& out, std::string& reason) {
  auto failed = [&](int err) {
    reason = std::error_code(err, std::generic_category()).message();
    return false;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return failed(errno);
  out.clear();
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
  if (std::ferror(f.get())) return failed(errno ? errno : EIO);  // EISDIR for a folder
  return true;
}

std::string read_whole_file(const std::string& path) {
  std::string out, reason;
  if (!read_file(path, out, reason))
    throw config_error(path, 0, 0, "cannot read the file: " + reason);
  return out;
}

config_error syntax_error(const source& src, const term_parse_error& e) {
  const parse_error_info& info = e.info();
  std::string prefix = std::to_string(info.line) + ":" + std::to_string(info.column) + ": ";
  std::string message = info.message;
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  return src.error_at(info.offset, std::move(message));
}

config_error error_at(const source& src, const otp::detail::located_term& at, std::string detail) {
  return src.error_at(at.pos.offset, std::move(detail));
}

const std::vector<otp::detail::located_term>& elements(const source& src,
                                                       const otp::detail::located_term& node,
                                                       const std::string& what) {
  if (!node.value.is_list() || (node.children.empty() && !node.value.is_nil()))
    throw error_at(src, node, "expected " + what + ", found " + show(node.value));
  const term* rest = &node.value;
  while (rest->is_cons()) rest = &rest->tail();
  if (!rest->is_nil())  // the tail is the last child of an improper list
    throw error_at(src, node.children.back(),
                   "expected " + what + " (a proper list), found the tail " + show(*rest));
  return node.children;
}

std::optional<std::string> text_of(const term& t) {
  if (!t.is_cons()) return std::nullopt;
  for (const term* c = &t; !c->is_nil(); c = &c->tail()) {
    if (!c->is_cons() || !c->head().is_small()) return std::nullopt;
    int64_t cp = c->head().as_int();
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  }
  return t.as_string();
}

std::string show(const term& t) {
  std::string s = to_string(t);
  size_t limit = 60;
  if (s.size() > limit) {
    while (limit > 0 && (static_cast<unsigned char>(s[limit]) & 0xC0) == 0x80) --limit;
    s.resize(limit);
    s += "...";
  }
  return s;
}

}  // namespace otp::config::detail
