%% kv_tcp: kv_store's operations as a line protocol over TCP (protocol.hpp lists it).
{application, kv_tcp,
 [{description, "TCP front end of kv_store"},
  {vsn, "1.0.0"},
  {applications, [kernel, kv_store]},
  {registered, [kv_tcp_sup, kv_conn_sup, kv_tcp_listener]},
  %% ip: the address to listen on, as inet writes it; max_line: longest line accepted.
  {env, [{ip, {127, 0, 0, 1}},
         {port, 7070},
         {max_connections, 1000},
         {max_line, 65536}]},
  {mod, {kv_tcp_app, []}}]}.
