#include "protocol.hpp"

#include <cctype>

#include <otp/exit.hpp>

#include "kv.hpp"

namespace kv_tcp {
namespace {

// Splits off the first space-separated word of `s`.
std::string_view next_word(std::string_view& s) {
  size_t start = s.find_first_not_of(' ');
  if (start == std::string_view::npos) start = s.size();
  s.remove_prefix(start);
  size_t end = s.find(' ');
  if (end == std::string_view::npos) end = s.size();
  std::string_view word = s.substr(0, end);
  s.remove_prefix(end);
  return word;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string keys_line() {
  std::string out = "KEYS";
  for (const auto& k : kv::keys()) out += " " + k;
  return out;
}

std::string stats_line() {
  std::string out = "STATS";
  for (const auto& [k, v] : kv::stats().map_entries())
    out += " " + kv::display(k) + "=" + kv::display(v);
  return out;
}

reply run(const std::string& cmd, std::string_view args) {
  std::string key(next_word(args));
  if (cmd == "GET" && !key.empty()) {
    auto v = kv::get(key);
    return {v ? "VALUE " + kv::display(*v) : "NOT_FOUND"};
  }
  if (cmd == "SET" && !key.empty() && args.size() > 1) {  // args: " value"
    bool stored = kv::put(key, otp::term::binary(args.substr(1)));
    return {stored ? "OK" : "ERROR store full"};
  }
  if (cmd == "DEL" && !key.empty()) return {kv::erase(key) ? "OK" : "NOT_FOUND"};
  if (cmd == "KEYS") return {keys_line()};
  if (cmd == "COUNT") return {"COUNT " + std::to_string(kv::count())};
  if (cmd == "STATS") return {stats_line()};
  if (cmd == "HELP")
    return {"OK commands: SET key value, GET key, DEL key, KEYS, COUNT, STATS, QUIT"};
  if (cmd == "QUIT") return {"BYE", true};
  if (cmd == "GET" || cmd == "SET" || cmd == "DEL")
    return {"ERROR usage: " + cmd + (cmd == "SET" ? " key value" : " key")};
  return {"ERROR unknown command (try HELP)"};
}

}  // namespace

reply execute(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string cmd = upper(next_word(line));
  if (cmd.empty()) return {};
  try {
    return run(cmd, line);
  } catch (const otp::exit_exception&) {
    // kv_store is not running (its supervisor is restarting it) or did not answer: the
    // client gets an error line and may retry; this connection lives on.
    return {"ERROR kv_store unavailable, try again"};
  }
}

}  // namespace kv_tcp
