%% kv_store: the key-value data and its operation counters (kv.hpp is its API).
{application, kv_store,
 [{description, "in-memory key-value store"},
  {vsn, "1.0.0"},
  {applications, [kernel]},
  {registered, [kv_store_sup, kv_store, kv_stats]},
  %% max_keys: puts of new keys are refused beyond it (sys.config overrides this).
  {env, [{max_keys, 10000}]},
  {mod, {kv_store_app, []}}]}.
