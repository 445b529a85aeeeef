#include "store.hpp"

#include <utility>

#include <otp/application.hpp>

#include "stats.hpp"

namespace kv {
namespace {

// Casts never fail: while kv_stats restarts, a count is lost, never an operation.
void count_op(stats::op what) {
  otp::gen_server::cast(otp::atom("kv_stats"), stats::record{what});
}

}  // namespace

otp::gen_server::init_result store::init() {
  otp::term setting =
      otp::application::get_env(otp::atom("kv_store"), otp::atom("max_keys"), otp::term(10000));
  auto n = setting.try_int64();
  if (!n || *n <= 0)  // {stop, R}: the application's start fails, saying which setting
    return otp::gen_server::init_result::stop(
        otp::tuple(otp::atom("bad_config"), otp::tuple(otp::atom("max_keys"), setting)));
  max_keys_ = static_cast<size_t>(*n);
  return otp::gen_server::ok();
}

std::optional<otp::term> store::handle_call(get g, const otp::from&) {
  auto it = data_.find(g.key);
  count_op(it == data_.end() ? stats::op::miss : stats::op::get);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

bool store::handle_call(put p, const otp::from&) {
  auto it = data_.find(p.key);
  if (it == data_.end() && data_.size() >= max_keys_) {
    count_op(stats::op::full);
    return false;
  }
  if (it == data_.end())
    data_.emplace(std::move(p.key), std::move(p.value));
  else
    it->second = std::move(p.value);
  count_op(stats::op::put);
  return true;
}

bool store::handle_call(erase e, const otp::from&) {
  count_op(stats::op::erase);
  return data_.erase(e.key) > 0;
}

std::vector<std::string> store::handle_call(keys, const otp::from&) {
  count_op(stats::op::keys);
  std::vector<std::string> out;
  out.reserve(data_.size());
  for (const auto& kv : data_) out.push_back(kv.first);
  return out;
}

otp::term store::to_term() const {
  std::vector<std::pair<otp::term, otp::term>> data;
  data.reserve(data_.size());
  for (const auto& [k, v] : data_) data.emplace_back(otp::term::binary(k), v);
  return otp::term::map({{otp::atom("count"), static_cast<int64_t>(data_.size())},
                         {otp::atom("max_keys"), static_cast<int64_t>(max_keys_)},
                         {otp::atom("data"), otp::term::map(std::move(data))}});
}

}  // namespace kv
