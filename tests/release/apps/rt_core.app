%% The core application of the release the tests build: a supervisor and one worker.
{application, rt_core,
 [{description, "release test core"},
  {vsn, "1.0.0"},
  {applications, [kernel]},
  {registered, [rt_core_sup, rt_worker]},
  {env, [{greeting, hello}]},
  {mod, {rt_core_app, []}}]}.
