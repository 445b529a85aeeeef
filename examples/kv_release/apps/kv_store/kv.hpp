#pragma once
/// \file
/// kv: the kv_store application's client API. Other applications of the node call these
/// functions (kv_tcp does); shells and Erlang nodes reach the same operations through rpc
/// as kv:get/1, kv:put/2, kv:delete/1, kv:keys/0, kv:count/0 and kv:stats/0.
///
/// Keys are text (stored as binaries); values are any term. Each function is a call to the
/// kv_store server, so, like gen_server::call, it exits (throws otp::exit_exception) with
/// {noproc, ...} while that server is not running — for instance while its supervisor
/// restarts it. Callers that must go on catch that.
///
/// The functions live in kv_store's shared object. An application using them lists
/// kv_store in its .app `applications`: the runtime then loads kv_store's code first, with
/// its symbols global, and these declarations resolve to it.
///
/// Thread safety: call from otpp processes.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <otp/term.hpp>

namespace kv {

/// The value stored under `key`, or nullopt.
std::optional<otp::term> get(const std::string& key);
/// Stores `value` under `key`. False when `key` is new and the store already holds
/// max_keys keys (the kv_store application's environment).
bool put(const std::string& key, otp::term value);
/// Removes `key`; false when it was not there.
bool erase(const std::string& key);
/// Every key, sorted.
std::vector<std::string> keys();
/// How many keys are stored.
size_t count();
/// Operation counters and the key count: #{get => N, miss => N, put => N, full => N,
/// delete => N, keys => N, count => N}.
otp::term stats();

/// A value as a line of text shows it: a printable binary as its bytes, anything else in
/// Erlang syntax (1, {a,b}, <<0,1>>).
std::string display(const otp::term& value);

}  // namespace kv
