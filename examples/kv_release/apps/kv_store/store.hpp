#pragma once
// kv_store: the server that holds the data. The data lives in this process's state and
// nowhere else, so when the process dies the data goes with it: its supervisor restarts an
// empty store (persistence would be another process's job, as ETS heirs or disk are in
// Erlang).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <otp/gen_server.hpp>

namespace kv {

class store {
 public:
  struct get {
    std::string key;
    using reply = std::optional<otp::term>;
  };
  struct put {
    std::string key;
    otp::term value;
    using reply = bool;  // false: full
  };
  struct erase {
    std::string key;
    using reply = bool;  // false: no such key
  };
  struct keys {
    using reply = std::vector<std::string>;
  };
  struct count {
    using reply = size_t;
  };
  using calls = otp::types<get, put, erase, keys, count>;

  /// Reads max_keys from the kv_store application's environment (so a restarted store
  /// picks up a value changed with application:set_env); refuses to start on one that is
  /// not a positive integer.
  otp::gen_server::init_result init();

  std::optional<otp::term> handle_call(get g, const otp::from&);
  bool handle_call(put p, const otp::from&);
  bool handle_call(erase e, const otp::from&);
  std::vector<std::string> handle_call(keys, const otp::from&);
  size_t handle_call(count, const otp::from&) { return data_.size(); }

  /// What sys:get_state(kv_store) shows: #{count => N, max_keys => M, data => #{K => V}}.
  otp::term to_term() const;

 private:
  size_t max_keys_ = 0;
  std::map<std::string, otp::term> data_;  // ordered: kv:keys() comes out sorted
};

}  // namespace kv
