#include "stats.hpp"

#include <utility>
#include <vector>

namespace kv {

otp::term stats::to_term() const {
  // Erlang's names for the operations (erase is kv:delete/1).
  static const char* const names[op_count] = {"get", "miss", "put", "full", "delete", "keys"};
  std::vector<std::pair<otp::term, otp::term>> kvs;
  for (size_t i = 0; i < op_count; ++i)
    kvs.emplace_back(otp::atom(names[i]), static_cast<int64_t>(counts_[i]));
  return otp::term::map(std::move(kvs));
}

}  // namespace kv
