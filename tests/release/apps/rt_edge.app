%% Needs rt_core, so it starts after it and stops before it.
{application, rt_edge,
 [{description, "release test edge"},
  {vsn, "1.0.0"},
  {applications, [kernel, rt_core]},
  {mod, {rt_edge_app, []}}]}.
