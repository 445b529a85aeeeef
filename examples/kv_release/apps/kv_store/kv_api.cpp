// The client side of kv.hpp: each function is one call to the registered kv_store server.
// Keeping the calls here means the request types and their gen_server templates are
// compiled into kv_store's code only; other applications just call these functions.
#include <cctype>
#include <utility>

#include "kv.hpp"
#include "stats.hpp"
#include "store.hpp"

namespace kv {
namespace {

otp::server_ref store_ref() {
  return otp::atom("kv_store");
}

}  // namespace

std::optional<otp::term> get(const std::string& key) {
  return otp::gen_server::call(store_ref(), store::get{key});
}

bool put(const std::string& key, otp::term value) {
  return otp::gen_server::call(store_ref(), store::put{key, std::move(value)});
}

bool erase(const std::string& key) {
  return otp::gen_server::call(store_ref(), store::erase{key});
}

std::vector<std::string> keys() {
  return otp::gen_server::call(store_ref(), store::keys{});
}

size_t count() {
  return otp::gen_server::call(store_ref(), store::count{});
}

otp::term stats() {
  otp::term counts =
      otp::gen_server::call(otp::server_ref(otp::atom("kv_stats")), stats::snapshot{});
  std::vector<std::pair<otp::term, otp::term>> kvs(counts.map_entries().begin(),
                                                   counts.map_entries().end());
  kvs.emplace_back(otp::atom("count"), static_cast<int64_t>(count()));
  return otp::term::map(std::move(kvs));
}

std::string display(const otp::term& value) {
  if (value.is_binary()) {
    std::string_view bytes = value.as_binary();
    bool printable = !bytes.empty();
    for (unsigned char c : bytes) printable = printable && std::isprint(c);
    if (printable) return std::string(bytes);
  }
  return otp::to_string(value);
}

}  // namespace kv
