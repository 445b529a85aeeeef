#pragma once
// The kv module that rpc callers see (kv_rpc.cpp). Registered while kv_store runs, so a
// call after the application stopped is undef, as for a module that is not loaded.

namespace kv {

void register_rpc();
void unregister_rpc();

}  // namespace kv
