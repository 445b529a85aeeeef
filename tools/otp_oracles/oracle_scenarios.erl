%% oracle_scenarios: the scenarios of the OTP oracles. Each one runs against the real OTP
%% gen_server / supervisor and produces the lines of one fixture
%% (tests/behaviours/fixtures/otp/<name>.txt). README.md documents every line format.
%%
%% A scenario runs in a fresh "driver" process that traps exits (so it can be the parent of the
%% supervisors it starts and see their exit signals). Everything it observes goes through
%% oracle_log, which records events in causal order. No scenario depends on timing except
%% where OTP semantics need time to pass (sup_intensity_period; the shutdown timeout), and
%% those use generous margins. Waiting for the supervisor to have handled a child's exit is
%% done by polling which_children until the child's entry changed (the supervisor handles an
%% exit, including all terminations and restarts it causes, in one step).
-module(oracle_scenarios).
-export([all/0, run/1]).

-define(LOG(Verb, Args), oracle_log:log(Verb, Args)).

%% Scenario name -> fun, in the order they are generated.
all() ->
    [{sup_one_for_one_crash, fun() -> strategy_crash(one_for_one) end},
     {sup_one_for_all_crash, fun() -> strategy_crash(one_for_all) end},
     {sup_rest_for_one_crash, fun() -> strategy_crash(rest_for_one) end},
     {sup_restart_types, fun restart_types/0},
     {sup_intensity, fun intensity/0},
     {sup_intensity_period, fun intensity_period/0},
     {sup_child_init, fun child_init/0},
     {sup_start_link_child_fails, fun start_link_child_fails/0},
     {sup_restart_init_fails, fun restart_init_fails/0},
     {sup_shutdown, fun shutdown/0},
     {sup_child_api, fun child_api/0},
     {sup_simple_one_for_one, fun simple_one_for_one/0},
     {gen_server_call, fun gen_server_call/0},
     {gen_server_init, fun gen_server_init/0},
     {gen_server_stop, fun gen_server_stop/0},
     {gen_server_parent_exit, fun gen_server_parent_exit/0}].

%% Runs one scenario with a fresh collector; returns its lines. Fails if the scenario crashes
%% or leaves processes behind.
run(Name) ->
    {Name, Fun} = lists:keyfind(Name, 1, all()),
    oracle_log:stop(),
    Before = erlang:processes(),
    Log = oracle_log:start(),
    Self = self(),
    {Driver, Ref} =
        spawn_monitor(fun() ->
                              process_flag(trap_exit, true),
                              oracle_log:name(self(), driver),
                              Fun(),
                              Self ! {lines, self(), oracle_log:lines()}
                      end),
    Lines = receive
                {lines, Driver, L} ->
                    receive {'DOWN', Ref, process, Driver, _} -> L end;
                {'DOWN', Ref, process, Driver, Reason} ->
                    error({scenario_crashed, Name, Reason})
            after 120000 ->
                    exit(Driver, kill),
                    error({scenario_timeout, Name})
            end,
    wait_gone(Name, Before ++ [Log], 5000),
    oracle_log:stop(),
    Lines.

%% Waits until every process started by the scenario is gone.
wait_gone(Name, Known, Ms) ->
    case [P || P <- erlang:processes() -- Known, is_process_alive(P)] of
        [] -> ok;
        Left when Ms =< 0 -> error({processes_left_behind, Name, Left});
        _ -> timer:sleep(10), wait_gone(Name, Known, Ms - 10)
    end.

%% ---------------------------------------------------------------------------------------------
%% Helpers

flags(Strategy, Intensity, Period) ->
    #{strategy => Strategy, intensity => Intensity, period => Period}.

%% Child spec of an oracle_child worker. Over: restart, shutdown, opts (child options).
spec(Id) -> spec(Id, []).
spec(Id, Over) ->
    #{id => Id,
      start => {oracle_child, start_link, [Id, proplists:get_value(opts, Over, [])]},
      restart => proplists:get_value(restart, Over, permanent),
      shutdown => proplists:get_value(shutdown, Over, 1000),
      type => worker,
      modules => [oracle_child]}.

%% Calls Fun and logs "Verb Args... -> Result" (or "-> exit Reason" if it exits). Returns the
%% result, or {caught_exit, Reason}.
api(Verb, Args, Fun) ->
    {Shown, Ret} = try Fun() of
                       V -> {[normalize(V)], V}
                   catch
                       exit:R -> {[{raw, "exit"}, normalize(R)], {caught_exit, R}}
                   end,
    ?LOG(Verb, Args ++ [{raw, "->"} | Shown]),
    Ret.

%% OTP-internal data in results is replaced by a placeholder: supervisor:start_child's errors
%% carry the supervisor's internal #child record (9-tuple tagged `child` in OTP 25), printed
%% as <child>.
normalize({child, _, _, _, _, _, _, _, _}) -> {'$oracle_raw', "<child>"};
normalize(T) when is_tuple(T) -> list_to_tuple(normalize(tuple_to_list(T)));
normalize([H | T]) -> [normalize(H) | normalize(T)];
normalize(X) -> X.

%% supervisor:start_link(oracle_sup, Arg); names the supervisor <sup> and logs the result.
sup_start_link(Arg) -> sup_start_link(Arg, true).
sup_start_link(Arg, Log) ->
    Res = supervisor:start_link(oracle_sup, Arg),
    case Res of
        {ok, Sup} -> oracle_log:name(Sup, sup);
        _ -> ok
    end,
    Log andalso ?LOG('supervisor:start_link', [{raw, "->"}, Res]),
    Res.

start_sup(Flags, Specs) ->
    {ok, Sup} = sup_start_link({Flags, Specs}),
    Sup.

%% The parent's way to stop a supervisor: exit(Sup, shutdown), then wait for its exit signal.
shutdown_sup(Sup) ->
    ?LOG(shutdown_sup, []),
    exit(Sup, shutdown),
    receive {'EXIT', Sup, R} -> ?LOG(sup_exit, [R]) end.

%% The same without any log line (cleanup in table scenarios).
shutdown_sup_quiet(Sup) ->
    exit(Sup, shutdown),
    receive {'EXIT', Sup, _} -> ok end.

which_children(Sup) -> api('supervisor:which_children', [], fun() -> supervisor:which_children(Sup) end).
count_children(Sup) -> api('supervisor:count_children', [], fun() -> supervisor:count_children(Sup) end).

child_pid(Sup, Id) ->
    {Id, Pid, _, _} = lists:keyfind(Id, 1, supervisor:which_children(Sup)),
    Pid.

%% Makes child Id exit with Reason (exit/1 inside its handle_cast) and waits until the
%% supervisor has handled it. Returns what settle/3 returns.
crash(Sup, Id, Reason) ->
    Old = child_pid(Sup, Id),
    ?LOG(crash, [Id, Reason]),
    gen_server:cast(Old, {exit, Reason}),
    settle(Sup, Id, Old).

%% Polls which_children until child Id's entry no longer shows Old (nor `restarting`, i.e. a
%% pending retry of a failed restart). Returns {ok, NewPidOrUndefined}, removed, or
%% {sup_exit, Reason} if the supervisor exited (logged as `sup_exit Reason`).
settle(Sup, Id, Old) ->
    receive
        {'EXIT', Sup, R} -> ?LOG(sup_exit, [R]), {sup_exit, R}
    after 0 ->
            case catch supervisor:which_children(Sup) of
                L when is_list(L) ->
                    case lists:keyfind(Id, 1, L) of
                        {Id, Old, _, _} -> timer:sleep(1), settle(Sup, Id, Old);
                        {Id, restarting, _, _} -> timer:sleep(1), settle(Sup, Id, Old);
                        {Id, New, _, _} -> {ok, New};
                        false -> removed
                    end;
                {'EXIT', _} ->
                    receive {'EXIT', Sup, R} -> ?LOG(sup_exit, [R]), {sup_exit, R}
                    after 10000 -> exit(supervisor_gone_without_exit_signal)
                    end
            end
    end.

%% simple_one_for_one: polls until Old is no longer among the children.
settle_simple(Sup, Old) ->
    Pids = [P || {_, P, _, _} <- supervisor:which_children(Sup)],
    case lists:member(Old, Pids) of
        true -> timer:sleep(1), settle_simple(Sup, Old);
        false -> ok
    end.

%% Waits for the monitor Ref on Pid and logs `down <Pid> <Reason>`.
await_down(Ref, Pid) ->
    receive {'DOWN', Ref, process, Pid, R} -> ?LOG(down, [Pid, R]), R end.

%% After Pid is dead: logs the exit signal the driver got from it through a link
%% (`exit_signal <Pid> <Reason>`), or `no_exit_signal <Pid>`. The monitor's DOWN (from Pid, or
%% on Pid's behalf) arrives after any exit signal Pid sent to the driver.
exit_signal_of(Pid) ->
    Ref = monitor(process, Pid),
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    receive {'EXIT', Pid, R} -> ?LOG(exit_signal, [Pid, R])
    after 0 -> ?LOG(no_exit_signal, [Pid])
    end.

case_(Name) -> ?LOG('case', [Name]).

%% ---------------------------------------------------------------------------------------------
%% sup_{one_for_one,one_for_all,rest_for_one}_crash

strategy_crash(Strategy) ->
    Sup = start_sup(flags(Strategy, 3, 5), [spec(a), spec(b), spec(c)]),
    which_children(Sup),
    crash(Sup, b, {crash, 1}),
    which_children(Sup),
    count_children(Sup),
    shutdown_sup(Sup).

%% ---------------------------------------------------------------------------------------------
%% sup_restart_types: restart type x exit reason -> restarted or not (a table).

restart_types() ->
    oracle_log:child_events(false),
    How = [{exit, normal}, {exit, shutdown}, {exit, {shutdown, x}}, {exit, {crash, 1}}, kill],
    [restart_row(T, H) || T <- [permanent, transient, temporary], H <- How],
    ok.

restart_row(Type, How) ->
    {ok, Sup} = sup_start_link({flags(one_for_one, 3, 5), [spec(x, [{restart, Type}])]}, false),
    Old = child_pid(Sup, x),
    Ref = monitor(process, Old),
    case How of
        {exit, R} -> gen_server:cast(Old, {exit, R});
        kill -> exit(Old, kill)
    end,
    Reason = receive {'DOWN', Ref, process, Old, DownReason} -> DownReason end,
    Outcome = case settle(Sup, x, Old) of
                  {ok, P} when is_pid(P) -> "restarted";
                  {ok, undefined} -> "not_restarted kept";
                  removed -> "not_restarted removed"
              end,
    ?LOG(Type, [Reason, {raw, "->"}, {raw, Outcome}]),
    shutdown_sup_quiet(Sup).

%% ---------------------------------------------------------------------------------------------
%% sup_intensity: crash the same child until the supervisor gives up.

intensity() ->
    case_(one_for_one_intensity_3_period_5),
    Sup1 = start_sup(flags(one_for_one, 3, 5), [spec(a), spec(b), spec(c)]),
    crash_until_exit(Sup1, b, 1),
    case_(one_for_one_intensity_0),
    Sup2 = start_sup(flags(one_for_one, 0, 5), [spec(a), spec(b), spec(c)]),
    crash_until_exit(Sup2, b, 1),
    case_(one_for_all_intensity_1_period_5),
    Sup3 = start_sup(flags(one_for_all, 1, 5), [spec(a), spec(b), spec(c)]),
    crash_until_exit(Sup3, b, 1),
    case_(rest_for_one_intensity_1_period_5),
    Sup4 = start_sup(flags(rest_for_one, 1, 5), [spec(a), spec(b), spec(c)]),
    crash_until_exit(Sup4, a, 1).

crash_until_exit(Sup, Id, N) ->
    case crash(Sup, Id, {crash, 1}) of
        {sup_exit, _} -> ?LOG(crashes_until_sup_exit, [N]);
        {ok, _} when N < 100 -> crash_until_exit(Sup, Id, N + 1)
    end.

%% ---------------------------------------------------------------------------------------------
%% sup_intensity_period: restarts older than the period no longer count.

intensity_period() ->
    Sup = start_sup(flags(one_for_one, 1, 1), [spec(a), spec(b)]),
    {ok, _} = crash(Sup, b, {crash, 1}),
    %% OTP counts restarts in whole seconds of erlang:monotonic_time: a restart at second T
    %% counts while now =< T + Period. 2.5 s after it, it no longer counts.
    ?LOG(sleep, [2500]),
    timer:sleep(2500),
    {ok, _} = crash(Sup, b, {crash, 1}),
    {sup_exit, _} = crash(Sup, b, {crash, 1}),
    ok.

%% ---------------------------------------------------------------------------------------------
%% sup_child_init: supervisor:start_child with children whose init/1 returns each kind.

child_init() ->
    Sup = start_sup(flags(one_for_one, 10, 5), []),
    lists:foreach(
      fun({Id, Kind}) ->
              api('supervisor:start_child', [Id, {init, Kind}],
                  fun() -> supervisor:start_child(Sup, spec(Id, [{opts, [{init, Kind}]}])) end)
      end,
      [{a, ok}, {b, ignore}, {c, {error, e}}, {d, {stop, r}}, {e, crash}]),
    api('supervisor:start_child', [f, {start, bogus}],
        fun() ->
                supervisor:start_child(Sup, #{id => f, start => {oracle_child, start_bogus, [f]}})
        end),
    which_children(Sup),
    count_children(Sup),
    %% The ignored child is kept (pid undefined); restarting it runs init/1 again.
    api('supervisor:restart_child', [b], fun() -> supervisor:restart_child(Sup, b) end),
    which_children(Sup),
    shutdown_sup(Sup).

%% ---------------------------------------------------------------------------------------------
%% sup_start_link_child_fails: a child's init/1 does not return {ok, _} while the supervisor
%% starts its children.

start_link_child_fails() ->
    lists:foreach(
      fun(Kind) ->
              case_(Kind),
              Specs = [spec(a), spec(b, [{opts, [{init, Kind}]}]), spec(c)],
              case sup_start_link({flags(one_for_one, 3, 5), Specs}) of
                  {ok, Sup} ->
                      which_children(Sup),
                      shutdown_sup(Sup);
                  _ ->
                      %% The supervisor exits after start_link has returned; the driver is
                      %% linked and traps exits.
                      receive {'EXIT', _, R} -> ?LOG(sup_exit, [R])
                      after 5000 -> ?LOG(no_sup_exit, [])
                      end
              end
      end,
      [{stop, r}, crash, {error, e}, ignore]),
    case_(sup_init_ignore),
    sup_start_link(ignore),
    receive {'EXIT', _, R} -> ?LOG(sup_exit, [R])
    after 5000 -> ?LOG(no_sup_exit, [])
    end.

%% ---------------------------------------------------------------------------------------------
%% sup_restart_init_fails: a child crashes and its restart fails in init/1.

restart_init_fails() ->
    case_(restart_fails_until_give_up),
    Sup1 = start_sup(flags(one_for_one, 3, 5),
                     [spec(a), spec(b, [{opts, [{init, {seq, t1, [ok, {stop, r}]}}]}]), spec(c)]),
    {sup_exit, _} = crash(Sup1, b, {crash, 1}),
    case_(restart_fails_once_then_succeeds),
    Sup2 = start_sup(flags(one_for_one, 3, 5),
                     [spec(a), spec(b, [{opts, [{init, {seq, t2, [ok, {stop, r}, ok]}}]}]),
                      spec(c)]),
    {ok, _} = crash(Sup2, b, {crash, 1}),
    which_children(Sup2),
    shutdown_sup(Sup2),
    case_(restart_ignored),
    Sup3 = start_sup(flags(one_for_one, 3, 5),
                     [spec(a), spec(b, [{opts, [{init, {seq, t3, [ok, ignore]}}]}]), spec(c)]),
    {ok, _} = crash(Sup3, b, {crash, 1}),
    which_children(Sup3),
    count_children(Sup3),
    shutdown_sup(Sup3).

%% ---------------------------------------------------------------------------------------------
%% sup_shutdown: shutdown timeouts, brutal_kill, termination order. Watch mode: the collector
%% monitors every child and logs `down <id> <reason>`.

shutdown() ->
    oracle_log:watch(true),
    case_(terminate_child_shutdown_timeout),
    Sup1 = start_sup(flags(one_for_one, 3, 5),
                     [spec(a), spec(b, [{shutdown, 200}, {opts, [hang_on_shutdown]}])]),
    T0 = erlang:monotonic_time(millisecond),
    api('supervisor:terminate_child', [b], fun() -> supervisor:terminate_child(Sup1, b) end),
    Waited = erlang:monotonic_time(millisecond) - T0,
    ?LOG(waited_at_least_ms, [200, Waited >= 200]),
    shutdown_sup(Sup1),

    case_(terminate_child_brutal_kill),
    Sup2 = start_sup(flags(one_for_one, 3, 5), [spec(a), spec(c, [{shutdown, brutal_kill}])]),
    api('supervisor:terminate_child', [c], fun() -> supervisor:terminate_child(Sup2, c) end),
    shutdown_sup(Sup2),

    case_(terminate_child_not_trapping_exits),
    Sup3 = start_sup(flags(one_for_one, 3, 5), [spec(d, [{opts, [{trap_exit, false}]}])]),
    api('supervisor:terminate_child', [d], fun() -> supervisor:terminate_child(Sup3, d) end),
    shutdown_sup(Sup3),

    case_(supervisor_shutdown_order),
    Sup4 = start_sup(flags(one_for_one, 3, 5),
                     [spec(a), spec(b, [{shutdown, 200}, {opts, [hang_on_shutdown]}]),
                      spec(c, [{shutdown, brutal_kill}]), spec(d)]),
    shutdown_sup(Sup4),

    case_(supervisor_gen_server_stop),
    Sup5 = start_sup(flags(one_for_one, 3, 5), [spec(a), spec(b)]),
    api('gen_server:stop', [Sup5], fun() -> gen_server:stop(Sup5) end),
    receive {'EXIT', Sup5, R} -> ?LOG(sup_exit, [R]) end.

%% ---------------------------------------------------------------------------------------------
%% sup_child_api: terminate_child / restart_child / delete_child / start_child /
%% which_children / count_children.

child_api() ->
    Sup = start_sup(flags(one_for_one, 3, 5), [spec(a), spec(b), spec(c, [{restart, temporary}])]),
    which_children(Sup),
    count_children(Sup),
    api('supervisor:terminate_child', [b], fun() -> supervisor:terminate_child(Sup, b) end),
    which_children(Sup),
    count_children(Sup),
    api('supervisor:terminate_child', [b], fun() -> supervisor:terminate_child(Sup, b) end),
    api('supervisor:terminate_child', [nope], fun() -> supervisor:terminate_child(Sup, nope) end),
    A = child_pid(Sup, a),
    api('supervisor:terminate_child', [A], fun() -> supervisor:terminate_child(Sup, A) end),
    api('supervisor:restart_child', [b], fun() -> supervisor:restart_child(Sup, b) end),
    api('supervisor:restart_child', [a], fun() -> supervisor:restart_child(Sup, a) end),
    api('supervisor:restart_child', [nope], fun() -> supervisor:restart_child(Sup, nope) end),
    api('supervisor:delete_child', [a], fun() -> supervisor:delete_child(Sup, a) end),
    api('supervisor:delete_child', [nope], fun() -> supervisor:delete_child(Sup, nope) end),
    api('supervisor:terminate_child', [a], fun() -> supervisor:terminate_child(Sup, a) end),
    api('supervisor:delete_child', [a], fun() -> supervisor:delete_child(Sup, a) end),
    api('supervisor:delete_child', [a], fun() -> supervisor:delete_child(Sup, a) end),
    api('supervisor:restart_child', [a], fun() -> supervisor:restart_child(Sup, a) end),
    which_children(Sup),
    count_children(Sup),
    %% A temporary child's spec is gone once it is terminated.
    api('supervisor:terminate_child', [c], fun() -> supervisor:terminate_child(Sup, c) end),
    api('supervisor:restart_child', [c], fun() -> supervisor:restart_child(Sup, c) end),
    which_children(Sup),
    %% start_child with an id that exists.
    api('supervisor:start_child', [b], fun() -> supervisor:start_child(Sup, spec(b)) end),
    api('supervisor:terminate_child', [b], fun() -> supervisor:terminate_child(Sup, b) end),
    api('supervisor:start_child', [b], fun() -> supervisor:start_child(Sup, spec(b)) end),
    %% start_child adds new children at the end of the start order.
    api('supervisor:start_child', [a], fun() -> supervisor:start_child(Sup, spec(a)) end),
    api('supervisor:restart_child', [b], fun() -> supervisor:restart_child(Sup, b) end),
    which_children(Sup),
    count_children(Sup),
    shutdown_sup(Sup).

%% ---------------------------------------------------------------------------------------------
%% sup_simple_one_for_one

simple_flags() -> flags(simple_one_for_one, 3, 5).

simple_spec(Restart) ->
    #{id => dyn, start => {oracle_child, start_dyn, [tmpl]}, restart => Restart,
      shutdown => 1000, type => worker, modules => [oracle_child]}.

%% which_children of a simple_one_for_one supervisor, entries sorted (OTP keeps dynamic
%% children in a map: its order means nothing).
which_children_sorted(Sup) ->
    L = supervisor:which_children(Sup),
    Sorted = lists:sort(fun(X, Y) -> sort_key(X) =< sort_key(Y) end, L),
    ?LOG('supervisor:which_children', [{raw, "sorted"}, {raw, "->"}, Sorted]).

sort_key({_, Pid, _, _}) when is_pid(Pid) -> id_of(Pid);
sort_key(X) -> X.

%% The id a live oracle_child was started with (it is in its state).
id_of(Pid) ->
    #{id := Id} = sys:get_state(Pid),
    Id.

dyn_pid(Sup, Id) ->
    [P] = [P || {_, P, _, _} <- supervisor:which_children(Sup), is_pid(P), id_of(P) =:= Id],
    P.

start_dyn(Sup, Id) -> start_dyn(Sup, Id, []).
start_dyn(Sup, Id, Opts) ->
    api('supervisor:start_child', [[Id, Opts]], fun() -> supervisor:start_child(Sup, [Id, Opts]) end).

crash_dyn(Sup, Id, Reason) ->
    Old = dyn_pid(Sup, Id),
    ?LOG(crash, [Id, Reason]),
    gen_server:cast(Old, {exit, Reason}),
    settle_simple(Sup, Old).

simple_one_for_one() ->
    case_(start_children),
    Sup1 = start_sup(simple_flags(), [simple_spec(permanent)]),
    which_children_sorted(Sup1),
    start_dyn(Sup1, d1),
    start_dyn(Sup1, d2),
    start_dyn(Sup1, d3),
    start_dyn(Sup1, d4, [{init, ignore}]),
    start_dyn(Sup1, d5, [{init, {stop, r}}]),
    which_children_sorted(Sup1),
    count_children(Sup1),
    D2 = dyn_pid(Sup1, d2),
    api('supervisor:terminate_child', [D2], fun() -> supervisor:terminate_child(Sup1, D2) end),
    api('supervisor:terminate_child', [D2], fun() -> supervisor:terminate_child(Sup1, D2) end),
    api('supervisor:terminate_child', [d1], fun() -> supervisor:terminate_child(Sup1, d1) end),
    api('supervisor:restart_child', [d1], fun() -> supervisor:restart_child(Sup1, d1) end),
    api('supervisor:delete_child', [d1], fun() -> supervisor:delete_child(Sup1, d1) end),
    which_children_sorted(Sup1),
    count_children(Sup1),
    shutdown_dyn(Sup1),
    lists:foreach(
      fun(Restart) ->
              lists:foreach(
                fun(Reason) ->
                        case_({Restart, Reason}),
                        Sup = start_sup(simple_flags(), [simple_spec(Restart)]),
                        start_dyn(Sup, d1),
                        start_dyn(Sup, d2),
                        crash_dyn(Sup, d1, Reason),
                        which_children_sorted(Sup),
                        count_children(Sup),
                        shutdown_dyn(Sup)
                end,
                [normal, {crash, 1}])
      end,
      [permanent, transient, temporary]).

%% Stops a simple_one_for_one supervisor like shutdown_sup/1. OTP terminates dynamic children
%% concurrently, so the order of what they log is not defined: those lines are sorted (between
%% `unordered_begin` and `unordered_end`).
shutdown_dyn(Sup) ->
    ?LOG(shutdown_sup, []),
    oracle_log:unordered_begin(),
    exit(Sup, shutdown),
    R = receive {'EXIT', Sup, Reason} -> Reason end,
    oracle_log:unordered_end(),
    ?LOG(sup_exit, [R]).

%% ---------------------------------------------------------------------------------------------
%% gen_server_call: what a caller gets when the call goes wrong.

start_server(Opts) ->
    api('gen_server:start', [s], fun() -> oracle_child:start(s, Opts) end).

gen_server_call() ->
    case_(call_ok),
    {ok, S1} = start_server([]),
    api('gen_server:call', [S1, ping], fun() -> gen_server:call(S1, ping) end),
    api('gen_server:stop', [S1], fun() -> gen_server:stop(S1) end),

    case_(call_dead_pid),
    api('gen_server:call', [S1, ping], fun() -> gen_server:call(S1, ping) end),

    case_(call_unregistered_name),
    api('gen_server:call', [no_such_server, ping], fun() -> gen_server:call(no_such_server, ping) end),

    case_(server_exits_in_handle_call),
    {ok, S2} = start_server([]),
    Ref2 = monitor(process, S2),
    api('gen_server:call', [S2, {exit, {crash, 1}}], fun() -> gen_server:call(S2, {exit, {crash, 1}}) end),
    await_down(Ref2, S2),

    case_(server_killed_during_call),
    {ok, S3} = start_server([]),
    Ref3 = monitor(process, S3),
    Driver = self(),
    Caller = spawn(fun() ->
                           R = try gen_server:call(S3, hang) catch exit:E -> {exit, E} end,
                           Driver ! {caller_result, self(), R}
                   end),
    oracle_log:name(Caller, caller),
    wait_pending(S3),
    ?LOG(kill, [S3]),
    exit(S3, kill),
    await_down(Ref3, S3),
    receive {caller_result, Caller, CR} -> ?LOG(caller_call_result, [CR]) end,

    case_(call_timeout),
    {ok, S4} = start_server([]),
    api('gen_server:call', [S4, hang, 100], fun() -> gen_server:call(S4, hang, 100) end),
    %% The server replies now, after the caller gave up. The reply to `release` comes after it
    %% (same sender), so the late reply, if delivered at all, is in the mailbox by then.
    api('gen_server:call', [S4, release], fun() -> gen_server:call(S4, release) end),
    ?LOG(mailbox_after_late_reply, [flush()]),
    api('gen_server:call', [S4, ping], fun() -> gen_server:call(S4, ping) end),
    api('gen_server:stop', [S4], fun() -> gen_server:stop(S4) end),

    case_(call_self),
    {ok, S5} = start_server([]),
    api('gen_server:call', [S5, {call_self, ping}], fun() -> gen_server:call(S5, {call_self, ping}) end),
    api('gen_server:stop', [S5], fun() -> gen_server:stop(S5) end).

%% Waits until the server holds a pending `hang` call.
wait_pending(S) ->
    case sys:get_state(S) of
        #{pending := undefined} -> timer:sleep(1), wait_pending(S);
        _ -> ok
    end.

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.

%% ---------------------------------------------------------------------------------------------
%% gen_server_init: what start_link / start return for each init/1 result, and the exit
%% signal a linked (exit-trapping) starter gets.

gen_server_init() ->
    Kinds = [ok, ignore, {error, e}, {stop, r}, crash],
    lists:foreach(
      fun(Kind) ->
              case_({start_link, Kind}),
              Res = api('gen_server:start_link', [s, {init, Kind}],
                        fun() -> oracle_child:start_link(s, [{init, Kind}]) end),
              case Res of
                  {ok, S} -> api('gen_server:stop', [S], fun() -> gen_server:stop(S) end);
                  _ -> ok
              end,
              exit_signal_of(oracle_log:pid_of(s))
      end,
      Kinds),
    lists:foreach(
      fun(Kind) ->
              case_({start, Kind}),
              Res = api('gen_server:start', [s, {init, Kind}],
                        fun() -> oracle_child:start(s, [{init, Kind}]) end),
              case Res of
                  {ok, S} -> api('gen_server:stop', [S], fun() -> gen_server:stop(S) end);
                  _ -> ok
              end,
              exit_signal_of(oracle_log:pid_of(s))
      end,
      Kinds).

%% ---------------------------------------------------------------------------------------------
%% gen_server_stop: gen_server:stop/3 and {stop, Reason, Reply, State} from handle_call.

gen_server_stop() ->
    lists:foreach(
      fun(Reason) ->
              case_({stop, Reason}),
              {ok, S} = start_server([]),
              Ref = monitor(process, S),
              api('gen_server:stop', [S, Reason, infinity], fun() -> gen_server:stop(S, Reason, infinity) end),
              await_down(Ref, S)
      end,
      [normal, shutdown, {shutdown, x}, {crash, 2}]),
    case_(stop_dead_server),
    S0 = oracle_log:pid_of(s),
    api('gen_server:stop', [S0], fun() -> gen_server:stop(S0) end),
    case_(stop_unregistered_name),
    api('gen_server:stop', [no_such_server], fun() -> gen_server:stop(no_such_server) end),
    lists:foreach(
      fun(Reason) ->
              case_({stop_reply, Reason}),
              {ok, S} = start_server([]),
              Ref = monitor(process, S),
              api('gen_server:call', [S, {stop, Reason, bye}], fun() -> gen_server:call(S, {stop, Reason, bye}) end),
              await_down(Ref, S)
      end,
      [normal, shutdown, {shutdown, x}, {crash, 3}]).

%% ---------------------------------------------------------------------------------------------
%% gen_server_parent_exit: the process that start_linked a server exits.

gen_server_parent_exit() ->
    Cases = [{true, {exit, R}} || R <- [normal, shutdown, {shutdown, x}, {crash, 3}, kill]]
        ++ [{true, killed_by_driver}]
        ++ [{false, {exit, R}} || R <- [normal, shutdown, {crash, 3}]],
    lists:foreach(fun parent_exit_case/1, Cases).

parent_exit_case({Trap, How}) ->
    case_({{trap_exit, Trap}, How}),
    Driver = self(),
    Parent = spawn(fun() ->
                           {ok, S} = oracle_child:start_link(s, [{trap_exit, Trap}]),
                           Driver ! {started, self(), S},
                           receive {exit, X} -> exit(X) end
                   end),
    oracle_log:name(Parent, parent),
    S = receive {started, Parent, Pid} -> Pid end,
    SRef = monitor(process, S),
    PRef = monitor(process, Parent),
    case How of
        {exit, X} -> ?LOG(parent_exits, [X]), Parent ! {exit, X};
        killed_by_driver -> ?LOG(kill, [Parent]), exit(Parent, kill)
    end,
    receive {'DOWN', PRef, process, Parent, _} -> ok end,
    %% The parent's exit signal reached the server before anything the driver sends it now. A
    %% server that dies of it may be dead or still terminating when the ping arrives (which
    %% decides between noproc and {Reason, ...}), so only `alive` is logged, and the server's
    %% exit reason comes from the driver's monitor.
    case catch gen_server:call(S, ping, infinity) of
        pong ->
            ?LOG(server_alive, []),
            api('gen_server:stop', [S], fun() -> gen_server:stop(S) end);
        {'EXIT', _} ->
            ok
    end,
    await_down(SRef, S).
