// kv:get/1, kv:put/2, ... as rpc functions: what the shell (`kv:put(a, 1).`), `bin/kvdemo
// eval` and Erlang nodes (`rpc:call('kvdemo@127.0.0.1', kv, keys, [])`) call. They speak
// Erlang: atoms and tuples in, {ok, V} / not_found out.
#include "kv_rpc.hpp"

#include <otp/rpc.hpp>

#include "kv.hpp"

namespace kv {
namespace {

using args = std::vector<otp::term>;
const otp::atom ok("ok");
const otp::atom not_found("not_found");

// Keys are stored as text; from Erlang any of a binary, an atom, a string or an integer
// names one, so kv:put(a, 1) and the TCP line `GET a` meet on the same key.
std::string key_of(const otp::term& t) {
  if (t.is_binary()) return std::string(t.as_binary());
  if (t.is_atom()) return std::string(t.as_atom().name());
  if (t.is_integer()) return otp::to_string(t);
  if (t.is_list()) {
    try {
      return t.as_string();
    } catch (const otp::bad_term_access&) {  // a list that is not a string
    }
  }
  throw otp::rpc::error(otp::atom("badarg"));
}

otp::term rpc_get(const args& a) {
  auto v = get(key_of(a.at(0)));
  return v ? otp::tuple(ok, *v) : otp::term(not_found);
}

otp::term rpc_put(const args& a) {
  if (put(key_of(a.at(0)), a.at(1))) return ok;
  return otp::tuple(otp::atom("error"), otp::atom("full"));
}

otp::term rpc_delete(const args& a) {
  return erase(key_of(a.at(0))) ? otp::term(ok) : otp::term(not_found);
}

otp::term rpc_keys(const args&) {
  std::vector<otp::term> out;
  for (const auto& k : keys()) out.push_back(otp::term::binary(k));
  return otp::term::list(std::move(out));
}

otp::term rpc_count(const args&) {
  return static_cast<int64_t>(count());
}

otp::term rpc_stats(const args&) {
  return stats();
}

struct entry {
  const char* name;
  unsigned arity;
  otp::term (*fn)(const args&);
};
const entry functions[] = {{"get", 1, rpc_get},       {"put", 2, rpc_put},
                           {"delete", 1, rpc_delete}, {"keys", 0, rpc_keys},
                           {"count", 0, rpc_count},   {"stats", 0, rpc_stats}};

}  // namespace

void register_rpc() {
  for (const auto& f : functions)
    otp::rpc::register_function(otp::atom("kv"), otp::atom(f.name), f.arity, f.fn);
}

void unregister_rpc() {
  for (const auto& f : functions) otp::rpc::unregister_function(otp::atom("kv"), otp::atom(f.name));
}

}  // namespace kv
