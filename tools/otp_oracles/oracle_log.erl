%% oracle_log: the event collector of the OTP oracles (see README.md).
%%
%% One collector process per scenario, registered as `oracle_log`. Every event is sent to it with
%% a synchronous call, so an event is recorded before the logging process does anything else:
%% the recorded order is the causal order of the scenario. The collector also
%%  * knows the name of every interesting pid (children register themselves from init/1, the
%%    driver names the supervisor etc.) and prints pids as <name> (<pid> when unknown);
%%  * optionally ("watch" mode) monitors every child that registers and records
%%    `down <Id> Reason` when the monitor fires;
%%  * can drop the children's own events (start/terminate) for scenarios that only record a
%%    summary table;
%%  * can collect a stretch of lines "unordered": they are sorted when the stretch ends (used
%%    where OTP itself gives no order, e.g. dynamic children terminated concurrently);
%%  * keeps per-key counters (used by children whose init result changes from start to start).
-module(oracle_log).
-export([start/0, stop/0, log/2, child/1, name/2, pid_of/1, lines/0, watch/1,
         child_events/1, unordered_begin/0, unordered_end/0, next/1, fmt/1]).

-record(st, {lines = [] :: [string()],            % newest first
             names = #{} :: #{pid() => string()},
             latest = #{} :: #{string() => pid()},  % name -> most recently registered pid
             watch = false :: boolean(),
             child_events = true :: boolean(),
             unordered = none :: none | [string()],
             counters = #{} :: map()}).

%% ---------------------------------------------------------------------------------------------
%% API

%% Starts a fresh collector (not linked to the caller).
start() ->
    Self = self(),
    Pid = spawn(fun() ->
                        register(oracle_log, self()),
                        Self ! {oracle_log_started, self()},
                        loop(#st{})
                end),
    receive {oracle_log_started, Pid} -> Pid end.

stop() ->
    case whereis(oracle_log) of
        undefined -> ok;
        Pid ->
            Ref = monitor(process, Pid),
            exit(Pid, kill),
            receive {'DOWN', Ref, process, Pid, _} -> ok end
    end.

%% Records the line "Verb Arg1 Arg2 ..." (every Arg is a term printed with fmt/1, or
%% {raw, String} printed as is).
log(Verb, Args) -> call({log, self(), Verb, Args}).

%% Called by a child in init/1: registers the caller as child Id (an atom) and records
%% `start <Id>` (unless child events are off).
child(Id) -> call({child, self(), Id}).

%% Gives a pid a name for printing (without recording anything).
name(Pid, Name) -> call({name, Pid, Name}).

%% The pid most recently registered under Name (an atom), or undefined.
pid_of(Name) -> call({pid_of, atom_to_list(Name)}).

lines() -> call(lines).
watch(On) -> call({watch, On}).
child_events(On) -> call({child_events, On}).
unordered_begin() -> call(unordered_begin).
unordered_end() -> call(unordered_end).

%% Increments counter Key and returns the new value (1 on first use).
next(Key) -> call({next, Key}).

call(Req) ->
    Pid = whereis(oracle_log),
    Ref = monitor(process, Pid),
    Pid ! {Req, self(), Ref},
    receive
        {Ref, Reply} -> demonitor(Ref, [flush]), Reply;
        {'DOWN', Ref, process, Pid, R} -> exit({oracle_log_down, R})
    end.

%% ---------------------------------------------------------------------------------------------
%% Collector

loop(St) ->
    receive
        {'DOWN', _Ref, process, Pid, Reason} ->
            loop(add_line(St, join(["down", fmt(Pid, St), fmt(Reason, St)])));
        {Req, From, Ref} ->
            {Reply, St1} = handle(Req, St),
            From ! {Ref, Reply},
            loop(St1)
    end.

handle({log, _From, Verb, Args}, St) ->
    {ok, add_line(St, join([atom_to_list(Verb) | [arg(A, St) || A <- Args]]))};
handle({child, Pid, Id}, St) ->
    Name = atom_to_list(Id),
    St1 = St#st{names = maps:put(Pid, Name, St#st.names),
                latest = maps:put(Name, Pid, St#st.latest)},
    St1#st.watch andalso monitor(process, Pid),
    case St1#st.child_events of
        true -> {ok, add_line(St1, "start " ++ Name)};
        false -> {ok, St1}
    end;
handle({name, Pid, Name}, St) ->
    N = atom_to_list(Name),
    {ok, St#st{names = maps:put(Pid, N, St#st.names), latest = maps:put(N, Pid, St#st.latest)}};
handle({pid_of, Name}, St) ->
    {maps:get(Name, St#st.latest, undefined), St};
handle(lines, St) ->
    {lists:reverse(St#st.lines), St};
handle({watch, On}, St) ->
    {ok, St#st{watch = On}};
handle({child_events, On}, St) ->
    {ok, St#st{child_events = On}};
handle(unordered_begin, St) ->
    {ok, (add_line(St, "unordered_begin"))#st{unordered = []}};
handle(unordered_end, #st{unordered = U} = St) ->
    Lines = lists:foldl(fun(L, Acc) -> [L | Acc] end, St#st.lines, lists:sort(U)),
    {ok, add_line(St#st{unordered = none, lines = Lines}, "unordered_end")};
handle({next, Key}, St) ->
    N = maps:get(Key, St#st.counters, 0) + 1,
    {N, St#st{counters = maps:put(Key, N, St#st.counters)}}.

%% Child events ("terminate ...") come from processes registered as children.
add_line(#st{child_events = false} = St, "terminate " ++ _) -> St;
add_line(#st{unordered = none} = St, Line) -> St#st{lines = [Line | St#st.lines]};
add_line(#st{unordered = U} = St, Line) -> St#st{unordered = [Line | U]}.

arg({raw, S}, _St) -> S;
arg(T, St) -> fmt(T, St).

join(Parts) -> lists:flatten(lists:join(" ", Parts)).

%% ---------------------------------------------------------------------------------------------
%% Term printing: Erlang syntax without any whitespace; pids as <name>.

%% Standalone variant (no pid names): pids print as <pid>.
fmt(T) -> fmt(T, #st{}).

fmt({'$oracle_raw', S}, _St) -> S;
fmt(P, St) when is_pid(P) -> "<" ++ maps:get(P, St#st.names, "pid") ++ ">";
fmt(R, _St) when is_reference(R) -> "<ref>";
fmt(F, _St) when is_function(F) -> "<fun>";
fmt(P, _St) when is_port(P) -> "<port>";
fmt(T, St) when is_tuple(T) -> "{" ++ seq(tuple_to_list(T), St) ++ "}";
fmt([], _St) -> "[]";
fmt(L, St) when is_list(L) ->
    case io_lib:printable_list(L) of
        true -> lists:flatten(io_lib:format("~0p", [L]));
        false -> "[" ++ list_items(L, St) ++ "]"
    end;
fmt(M, St) when is_map(M) ->
    lists:flatten(["#{", lists:join(",", [fmt(K, St) ++ "=>" ++ fmt(V, St)
                                          || {K, V} <- lists:sort(maps:to_list(M))]), "}"]);
fmt(T, _St) -> lists:flatten(io_lib:format("~0p", [T])).

seq(Xs, St) -> lists:flatten(lists:join(",", [fmt(X, St) || X <- Xs])).

list_items([X], St) -> fmt(X, St);
list_items([X | Rest], St) when is_list(Rest) -> fmt(X, St) ++ "," ++ list_items(Rest, St);
list_items([X | Tail], St) -> fmt(X, St) ++ "|" ++ fmt(Tail, St).
