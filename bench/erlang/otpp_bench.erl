%% otpp_bench: the BEAM side of the otpp comparison benchmarks.
%%
%% Run exactly as bench/run.py does (compile first: erlc -o DIR bench/erlang/otpp_bench.erl):
%%
%%   erl -noshell +S 2 +P 2000000 -pa DIR -run otpp_bench main WORKLOAD -s init stop
%%
%% One workload per invocation. The result is printed as one line
%%
%%   RESULT <metric> <value> <unit>
%%
%% (value is a plain decimal number, no thousands separators). On any failure the program prints
%% "otpp_bench: FAILED: ..." to stderr and exits with status 1.
%%
%% This header is the reference definition of the workloads; bench/caf/caf_bench.cpp and
%% bench/otpp/ implement the same thing. "process" = Erlang process / CAF actor / otpp process.
%% Every workload runs inside a freshly spawned process (never on a non-scheduler thread unless
%% stated), on a runtime with exactly 2 scheduler threads.
%%
%% spawn     (metric spawn_exit_total, ms; lower is better)
%%   A single process spawns 1,000,000 processes, one after the other, each with an empty body
%%   (it exits immediately, normally). The clock starts just before the first spawn and stops
%%   when all 1,000,000 are gone. "Gone": the runtime's live-process count is back to the
%%   baseline taken before the first spawn. Here: erlang:system_info(process_count), polled after
%%   the last spawn with a 1 ms sleep (receive after 1) between polls.
%%
%% skynet    (metric skynet_total, ms; lower is better)
%%   Classic skynet. The root node gets (Num = 0, Size = 1,000,000). A node with Size = 1 is a
%%   leaf: it sends Num to its parent and exits. Any other node spawns 10 children with
%%   (Num + I * Size/10, Size/10) for I = 0..9, then blocks in receive until it has the 10
%%   results, sends their sum to its parent and exits. 6 levels, 1,111,111 processes in all,
%%   1,000,000 leaves. The measuring process spawns the root; the clock runs from just before
%%   that spawn until the root's sum arrives. The sum must be 499999500000 (else: failure).
%%
%% memory    (metric mem_rss_per_proc, bytes; lower is better)
%%   Resident set size of the OS process (VmRSS from /proc/self/status) is read before spawning
%%   and after 100,000 processes are alive and blocked in receive. Each child first sends
%%   `ready` to the parent, then blocks waiting for a message that never comes. The parent
%%   spawns them in batches of 1,000 and collects each batch's 1,000 readies before spawning the
%%   next batch (this keeps the parent's mailbox small, so queued readies do not inflate RSS).
%%   After the 100,000th ready, RSS is read again and (after - before) / 100000 is reported.
%%   Bookkeeping needed only for teardown is kept out of the measurement (here the parent keeps
%%   no pid list: the children are found afterwards with erlang:processes(); a runtime that
%%   needs a handle array must allocate and touch it before the first RSS read). Afterwards all
%%   100,000 are killed (exit(Pid, kill)) and the parent waits until they are gone. Teardown is
%%   not measured.
%%
%% pingpong  (metric pingpong_rate, roundtrips/s; higher is better)
%%   Two processes, ping and pong. Ping sends {ping, Self, N} to pong, pong replies {pong, N}
%%   to ping, ping then sends N-1, and so on: 1,000,000 round trips, exactly one message in
%%   flight at any time. The clock runs in ping, from just before the first send to the receipt
%%   of the 1,000,000th reply. Rate = 1,000,000 / seconds.
%%
%% ring      (metric ring_rate, hops/s; higher is better)
%%   1000 processes in a ring (node I forwards to node I+1 mod 1000). The ring is built and every
%%   node has acknowledged its successor before the clock starts (creation is not timed). The
%%   measuring process then sends the integer token 1,000,000 to node 0. A node receiving token
%%   T > 0 sends T-1 to its successor (one hop); a node receiving 0 tells the measuring process,
%%   which stops the clock. Hops = 1,000,000 (= 1000 laps). Rate = hops / seconds.
%%
%% fanin2 / fanin4  (metric fanin2_rate / fanin4_rate, msgs/s; higher is better)
%%   One receiver and N = 2 or 4 senders. The senders are spawned and report `ready`; the clock
%%   starts just before the measuring process sends `go` to each sender. On `go` a sender sends
%%   1,000,000 small integers to the receiver in a tight loop, as fast as it can. The receiver
%%   counts messages and, at N * 1,000,000, tells the measuring process, which stops the clock.
%%   Rate = N * 1,000,000 / seconds.
%%   All processes use default spawn options. Note: giving the receiver
%%   {message_queue_data, off_heap} (the documented tuning for processes that receive many
%%   messages) roughly triples BEAM's rate here (about 4M -> 12M msgs/s on the 2-core dev VM);
%%   it is deliberately NOT used, to keep the default-settings comparison.
%%
%% call      (metric call_rate, calls/s; higher is better)
%%   Synchronous request/reply through the generic-server layer. The server is a gen_server
%%   (callback module otpp_bench_server.erl) whose state is an integer counter, initially 0;
%%   handle_call(incr, ...) increments it and replies with the new value. The measuring process
%%   (the one and only client) starts the server with gen_server:start(otpp_bench_server, 0, [])
%%   (unlinked; not timed), then makes 1,000,000 sequential gen_server:call(Server, incr) with
%%   the default timeout (5000 ms): exactly one call in flight at any time, each one a full
%%   request, reply and (for gen_server) monitor/alias set-up and tear-down. The clock runs from
%%   just before the first call until the 1,000,000th reply has been received. The last reply
%%   must be 1000000 (else: failure). Rate = 1,000,000 / seconds. The server is then stopped
%%   with gen_server:stop/1 (not timed). Other runtimes: their gen_server call with the default
%%   timeout (otpp), or the idiomatic request/response (CAF: request(Server, 5 s, incr) with the
%%   next request issued from the .then() handler of the previous one).
%%
%% idle_server  (metric mem_gen_server_per_proc, bytes; lower is better)
%%   Like memory, but every process is an idle gen_server. Before the baseline the measuring
%%   process loads the callback module (code:ensure_loaded(otpp_bench_server)) and anything
%%   rss_bytes/0 needs, and garbage-collects itself; then VmRSS is read. It then starts 100,000
%%   servers one after the other, each with gen_server:start(otpp_bench_server, 0, []):
%%   unlinked, default options, state = the integer 0. gen_server:start is synchronous (it
%%   returns {ok, Pid} once init/1 has returned), so when the last start has returned all
%%   100,000 servers exist and are idle, blocked in the gen_server loop waiting for a message
%%   that never comes. RSS is read again and (after - before) / 100000 is reported. As in
%%   memory, bookkeeping needed only for teardown stays out of the measurement (no pid list
%%   here: teardown finds the servers with erlang:processes() and their '$initial_call'; a
%%   runtime that needs a handle array allocates and touches it before the first RSS read).
%%   Afterwards all 100,000 are killed (exit(Pid, kill)) and the measuring process waits until
%%   they are gone; teardown is not measured. Other runtimes: the synchronous start of their
%%   gen_server (otpp), or (CAF) a stateful event-based actor with an int state, spawned by one
%%   coordinator actor that waits for the new actor's `ready` (sent from its initialisation,
%%   the analogue of init/1 returning) before spawning the next one.
%%
%% Distribution workloads. Two nodes on this machine, A (where the program runs; it measures)
%% and B (the peer), connected over 127.0.0.1 with Erlang's distribution protocol. Each node is
%% its own OS process with 2 scheduler threads. A makes itself distributed (long name
%% otppbench_a_<random>@127.0.0.1, a random cookie) and starts B as a child OS process, in the
%% same runtime's `dist_peer` mode:
%%     erl -noshell +S 2 +P 2000000 -name otppbench_b_<random>@127.0.0.1 -setcookie COOKIE
%%         -start_epmd false -pa DIR -run otpp_bench main dist_peer         (here)
%%     otpp_bench dist_peer --name otppbench_b_<random>@127.0.0.1 --cookie COOKIE   (otpp)
%% B registers a process `sink` and a gen_server `echo`, prints the line
%% "dist_peer ready <node>" on stdout and runs until its stdin closes. A waits for that line
%% (no sleeps), connects (net_adm:ping / otp::ping), runs the workload, then closes B's stdin
%% and waits until B is gone (nodedown / exit; killed if still there after 10 s). Start-up,
%% connection set-up and teardown are not timed. EPMD: the one on $ERL_EPMD_PORT, else 4369;
%% bench/run.py starts a private epmd for these workloads and sets ERL_EPMD_PORT for both the
%% measuring program and (inherited) its peer. Run alone, with no EPMD answering, this program
%% starts `epmd -daemon` first, as `erl -name` does.
%%   sink: counts {seq, N} messages; on {count, From} it sends {count, Counted} to From and
%%     counts from 0 again. Default spawn options.
%%   echo: a gen_server replying to every call with the request itself (callback module
%%     otpp_bench_echo.erl; in otpp a gen_server with `calls = types<term>` returning the term).
%%
%% dist_send  (metric dist_send_rate, msgs/s; higher is better)
%%   One process on A sends 1,000,000 messages {seq, N} (N = 1,000,000 down to 1) to
%%   {sink, B} in a tight loop: each one its own message (a REG_SEND on the wire; the runtime
%%   may put several into one socket write, as BEAM does, but the workload never batches
%%   them), then {count, self()}, and waits for B's {count, Counted}. Counted must be
%%   1,000,000 (else: failure). The clock runs from just before the first send until the
%%   count arrives, so it covers B receiving every message. Rate = 1,000,000 / seconds.
%%
%% dist_call  (metric dist_call_rate, calls/s; higher is better)
%%   One process on A makes 100,000 sequential gen_server:call({echo, B}, {req, N}) with the
%%   default timeout; every reply must equal its request (else: failure). Exactly one call in
%%   flight at any time, each a full remote call as gen_server:call makes it (monitor by name,
%%   request, reply, demonitor). The clock runs from just before the first call until the
%%   last reply. Rate = 100,000 / seconds.
%%
%% dist_send_beam / dist_call_beam  (otpp only; metrics dist_send_beam_rate, dist_call_beam_rate)
%%   dist_send and dist_call from an otpp node A to a BEAM node B: otpp_bench starts the erl
%%   dist_peer above (the beam files are found in $OTPP_BENCH_ERL_DIR, else
%%   <otpp_bench's dir>/../erlang, where run.py compiles them). bench/run.py compares them
%%   with BEAM's dist_send_rate / dist_call_rate (BEAM <-> BEAM).
%%
%% dist_peer  (no metric) the peer mode described above; not a benchmark of its own.

-module(otpp_bench).
-export([main/1]).

-define(SPAWN_COUNT, 1000000).
-define(SKYNET_LEAVES, 1000000).
-define(SKYNET_SUM, 499999500000).
-define(MEM_COUNT, 100000).
-define(MEM_BATCH, 1000).
-define(PINGPONG_ROUNDS, 1000000).
-define(RING_SIZE, 1000).
-define(RING_HOPS, 1000000).
-define(FANIN_PER_SENDER, 1000000).
-define(CALL_COUNT, 1000000).
-define(IDLE_COUNT, 100000).
-define(DIST_SEND_COUNT, 1000000).
-define(DIST_CALL_COUNT, 100000).
%% How the peer node B is started (as bench/run.py starts this node).
-define(PEER_ERL_FLAGS, ["-noshell", "+S", "2", "+P", "2000000"]).

%% Entry point for `-run otpp_bench main WORKLOAD`.
main([Workload]) ->
    Fun = case Workload of
              "spawn"    -> fun spawn_bench/0;
              "skynet"   -> fun skynet_bench/0;
              "memory"   -> fun memory_bench/0;
              "pingpong" -> fun pingpong_bench/0;
              "ring"     -> fun ring_bench/0;
              "fanin2"   -> fun() -> fanin_bench(2) end;
              "fanin4"   -> fun() -> fanin_bench(4) end;
              "call"     -> fun call_bench/0;
              "idle_server" -> fun idle_server_bench/0;
              "dist_send" -> fun dist_send_bench/0;
              "dist_call" -> fun dist_call_bench/0;
              "dist_peer" -> fun dist_peer/0;
              _          -> fail("unknown workload ~s", [Workload])
          end,
    %% Run the workload in a fresh process with default settings and wait for it.
    {Pid, Ref} = spawn_monitor(Fun),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Reason} -> fail("~s crashed: ~p", [Workload, Reason])
    end;
main(Args) ->
    fail("usage: -run otpp_bench main "
         "spawn|skynet|memory|pingpong|ring|fanin2|fanin4|call|idle_server|"
         "dist_send|dist_call (got ~p)", [Args]).

fail(Fmt, Args) ->
    io:format(standard_error, "otpp_bench: FAILED: " ++ Fmt ++ "~n", Args),
    erlang:halt(1).

result(Metric, Value, Unit) when is_integer(Value) ->
    io:format("RESULT ~s ~b ~s~n", [Metric, Value, Unit]);
result(Metric, Value, Unit) when is_float(Value) ->
    io:format("RESULT ~s ~.1f ~s~n", [Metric, Value, Unit]).

now_us() -> erlang:monotonic_time(microsecond).

ms_since(T0) -> (now_us() - T0) / 1000.

seconds_since(T0) -> (now_us() - T0) / 1.0e6.

%% ---------------------------------------------------------------------------------------------
%% spawn

spawn_bench() ->
    Baseline = erlang:system_info(process_count),
    T0 = now_us(),
    spawn_n(?SPAWN_COUNT),
    wait_process_count(Baseline),
    result("spawn_exit_total", ms_since(T0), "ms").

spawn_n(0) -> ok;
spawn_n(N) ->
    spawn(fun() -> ok end),
    spawn_n(N - 1).

%% Polls until the node's process count is back to Baseline, sleeping 1 ms between polls.
wait_process_count(Baseline) ->
    case erlang:system_info(process_count) of
        N when N =< Baseline -> ok;
        _ -> receive after 1 -> wait_process_count(Baseline) end
    end.

%% ---------------------------------------------------------------------------------------------
%% skynet

skynet_bench() ->
    Self = self(),
    T0 = now_us(),
    spawn(fun() -> skynet(Self, 0, ?SKYNET_LEAVES) end),
    Sum = receive {sum, S} -> S end,
    Ms = ms_since(T0),
    case Sum of
        ?SKYNET_SUM -> result("skynet_total", Ms, "ms");
        _ -> fail("skynet sum ~b, expected ~b", [Sum, ?SKYNET_SUM])
    end.

skynet(Parent, Num, 1) ->
    Parent ! {sum, Num};
skynet(Parent, Num, Size) ->
    Self = self(),
    Sub = Size div 10,
    spawn_children(Self, Num, Sub, 0),
    Parent ! {sum, collect(10, 0)}.

spawn_children(_Self, _Num, _Sub, 10) -> ok;
spawn_children(Self, Num, Sub, I) ->
    spawn(fun() -> skynet(Self, Num + I * Sub, Sub) end),
    spawn_children(Self, Num, Sub, I + 1).

collect(0, Sum) -> Sum;
collect(N, Sum) -> receive {sum, X} -> collect(N - 1, Sum + X) end.

%% ---------------------------------------------------------------------------------------------
%% memory

memory_bench() ->
    Baseline = erlang:system_info(process_count),
    _ = rss_bytes(),                  % loads everything rss_bytes/0 needs before the baseline
    erlang:garbage_collect(),
    Before = rss_bytes(),
    spawn_sleepers(?MEM_COUNT),
    After = rss_bytes(),
    result("mem_rss_per_proc", (After - Before) / ?MEM_COUNT, "bytes"),
    %% Teardown: kill every sleeper (they all wait in sleeper/1) and wait until all are gone.
    [exit(P, kill) || P <- erlang:processes(), is_sleeper(P)],
    wait_process_count(Baseline).

is_sleeper(Pid) ->
    erlang:process_info(Pid, current_function) =:= {current_function, {?MODULE, sleeper, 1}}.

%% Spawns N sleepers in batches of ?MEM_BATCH, collecting each batch's readies.
spawn_sleepers(0) -> ok;
spawn_sleepers(N) ->
    B = min(N, ?MEM_BATCH),
    Self = self(),
    spawn_batch(Self, B),
    collect_ready(B),
    spawn_sleepers(N - B).

spawn_batch(_Parent, 0) -> ok;
spawn_batch(Parent, N) ->
    spawn(fun() -> sleeper(Parent) end),
    spawn_batch(Parent, N - 1).

sleeper(Parent) ->
    Parent ! ready,
    receive never_sent -> ok end.

collect_ready(0) -> ok;
collect_ready(N) -> receive ready -> collect_ready(N - 1) end.

%% VmRSS of the beam.smp OS process, in bytes.
rss_bytes() ->
    {ok, Status} = file:read_file("/proc/self/status"),
    case re:run(Status, "VmRSS:\\s+([0-9]+) kB", [{capture, all_but_first, list}]) of
        {match, [Kb]} -> list_to_integer(Kb) * 1024;
        nomatch -> fail("no VmRSS in /proc/self/status", [])
    end.

%% ---------------------------------------------------------------------------------------------
%% pingpong

pingpong_bench() ->
    Pong = spawn(fun pong/0),
    T0 = now_us(),
    ping(Pong, ?PINGPONG_ROUNDS),
    Secs = seconds_since(T0),
    exit(Pong, kill),
    result("pingpong_rate", round(?PINGPONG_ROUNDS / Secs), "roundtrips/s").

ping(_Pong, 0) -> ok;
ping(Pong, N) ->
    Pong ! {ping, self(), N},
    receive {pong, N} -> ping(Pong, N - 1) end.

pong() ->
    receive {ping, From, N} -> From ! {pong, N} end,
    pong().

%% ---------------------------------------------------------------------------------------------
%% ring

ring_bench() ->
    Self = self(),
    Nodes = [spawn(fun() -> ring_init(Self) end) || _ <- lists:seq(1, ?RING_SIZE)],
    [First | Rest] = Nodes,
    [N ! {next, Next} || {N, Next} <- lists:zip(Nodes, Rest ++ [First])],
    [receive ring_ack -> ok end || _ <- Nodes],
    %% The ring is built; only the token's trip is timed.
    T0 = now_us(),
    First ! ?RING_HOPS,
    receive ring_done -> ok end,
    Secs = seconds_since(T0),
    [exit(N, kill) || N <- Nodes],
    result("ring_rate", round(?RING_HOPS / Secs), "hops/s").

ring_init(Reporter) ->
    receive {next, Next} -> Reporter ! ring_ack, ring_node(Next, Reporter) end.

ring_node(Next, Reporter) ->
    receive
        0 -> Reporter ! ring_done;
        T -> Next ! T - 1
    end,
    ring_node(Next, Reporter).

%% ---------------------------------------------------------------------------------------------
%% fanin2 / fanin4

fanin_bench(NSenders) ->
    Self = self(),
    Total = NSenders * ?FANIN_PER_SENDER,
    Receiver = spawn(fun() -> fanin_receive(Total, Self) end),
    Senders = [spawn(fun() -> fanin_sender(Receiver, Self) end) || _ <- lists:seq(1, NSenders)],
    [receive fanin_ready -> ok end || _ <- Senders],
    T0 = now_us(),
    [S ! go || S <- Senders],
    receive fanin_done -> ok end,
    Secs = seconds_since(T0),
    Metric = "fanin" ++ integer_to_list(NSenders) ++ "_rate",
    result(Metric, round(Total / Secs), "msgs/s").

fanin_sender(Receiver, Reporter) ->
    Reporter ! fanin_ready,
    receive go -> send_n(Receiver, ?FANIN_PER_SENDER) end.

send_n(_Receiver, 0) -> ok;
send_n(Receiver, N) ->
    Receiver ! N,
    send_n(Receiver, N - 1).

fanin_receive(0, Reporter) -> Reporter ! fanin_done;
fanin_receive(N, Reporter) -> receive _ -> fanin_receive(N - 1, Reporter) end.

%% ---------------------------------------------------------------------------------------------
%% call

call_bench() ->
    {ok, Server} = gen_server:start(otpp_bench_server, 0, []),
    T0 = now_us(),
    Last = call_n(Server, ?CALL_COUNT, 0),
    Secs = seconds_since(T0),
    ok = gen_server:stop(Server),
    case Last of
        ?CALL_COUNT -> result("call_rate", round(?CALL_COUNT / Secs), "calls/s");
        _ -> fail("call: final counter ~p, expected ~b", [Last, ?CALL_COUNT])
    end.

%% Makes N sequential calls; returns the last reply (Last when N = 0).
call_n(_Server, 0, Last) -> Last;
call_n(Server, N, _Last) -> call_n(Server, N - 1, gen_server:call(Server, incr)).

%% ---------------------------------------------------------------------------------------------
%% idle_server

idle_server_bench() ->
    Baseline = erlang:system_info(process_count),
    {module, otpp_bench_server} = code:ensure_loaded(otpp_bench_server),
    _ = rss_bytes(),                  % loads everything rss_bytes/0 needs before the baseline
    erlang:garbage_collect(),
    Before = rss_bytes(),
    start_servers(?IDLE_COUNT),
    After = rss_bytes(),
    result("mem_gen_server_per_proc", (After - Before) / ?IDLE_COUNT, "bytes"),
    %% Teardown: kill every idle server and wait until all are gone.
    [exit(P, kill) || P <- erlang:processes(), is_idle_server(P)],
    wait_process_count(Baseline).

start_servers(0) -> ok;
start_servers(N) ->
    {ok, _} = gen_server:start(otpp_bench_server, 0, []),
    start_servers(N - 1).

is_idle_server(Pid) ->
    case erlang:process_info(Pid, dictionary) of
        {dictionary, D} ->
            lists:keyfind('$initial_call', 1, D) =:= {'$initial_call', {otpp_bench_server, init, 1}};
        undefined ->
            false
    end.

%% ---------------------------------------------------------------------------------------------
%% dist_send / dist_call (BEAM <-> BEAM), and dist_peer (node B, for BEAM and for otpp)

dist_send_bench() ->
    {Peer, Keeper} = dist_start(),
    Sink = {sink, Peer},
    T0 = now_us(),
    dist_send_n(Sink, ?DIST_SEND_COUNT),
    Sink ! {count, self()},
    Count = receive {count, C} -> C after 60000 -> fail("dist_send: no count from ~p", [Peer]) end,
    Secs = seconds_since(T0),
    dist_stop(Peer, Keeper),
    case Count of
        ?DIST_SEND_COUNT -> result("dist_send_rate", round(?DIST_SEND_COUNT / Secs), "msgs/s");
        _ -> fail("dist_send: the sink counted ~p messages, expected ~b", [Count, ?DIST_SEND_COUNT])
    end.

dist_send_n(_Sink, 0) -> ok;
dist_send_n(Sink, N) ->
    Sink ! {seq, N},
    dist_send_n(Sink, N - 1).

dist_call_bench() ->
    {Peer, Keeper} = dist_start(),
    Echo = {echo, Peer},
    T0 = now_us(),
    dist_call_n(Echo, ?DIST_CALL_COUNT),
    Secs = seconds_since(T0),
    dist_stop(Peer, Keeper),
    result("dist_call_rate", round(?DIST_CALL_COUNT / Secs), "calls/s").

dist_call_n(_Echo, 0) -> ok;
dist_call_n(Echo, N) ->
    case gen_server:call(Echo, {req, N}) of
        {req, N} -> dist_call_n(Echo, N - 1);
        Other -> fail("dist_call: reply ~p to {req, ~b}", [Other, N])
    end.

%% Node B. Runs until its stdin closes (the measuring node closes it, or dies).
dist_peer() ->
    true = register(sink, spawn(fun() -> sink(0) end)),
    {ok, _} = gen_server:start({local, echo}, otpp_bench_echo, [], []),
    io:format("dist_peer ready ~s~n", [node()]),
    wait_stdin_eof(),
    erlang:halt(0).

sink(N) ->
    receive
        {seq, _} -> sink(N + 1);
        {count, From} -> From ! {count, N}, sink(0)
    end.

wait_stdin_eof() ->
    case io:get_line("") of
        eof -> ok;
        {error, _} -> ok;
        _ -> wait_stdin_eof()
    end.

%% Makes this node A, starts node B (a child erl in dist_peer mode) and connects to it.
%% Returns {B, Keeper}: Keeper owns B's port (so B's output never reaches the measuring
%% process's mailbox) and forwards whatever B prints after its ready line to stderr.
dist_start() ->
    Suffix = random_suffix(),
    Cookie = "otppbench_" ++ random_suffix(),
    Me = list_to_atom("otppbench_a_" ++ Suffix ++ "@127.0.0.1"),
    Peer = list_to_atom("otppbench_b_" ++ Suffix ++ "@127.0.0.1"),
    ensure_epmd(),
    case net_kernel:start([Me, longnames]) of
        {ok, _} -> ok;
        {error, Why} -> fail("cannot start distribution: ~p", [Why])
    end,
    erlang:set_cookie(list_to_atom(Cookie)),
    Erl = case os:find_executable("erl") of
              false -> fail("erl not found on PATH", []);
              E -> E
          end,
    Dir = filename:dirname(code:which(?MODULE)),
    Args = ?PEER_ERL_FLAGS ++ ["-name", atom_to_list(Peer), "-setcookie", Cookie,
                               "-start_epmd", "false", "-pa", Dir,
                               "-run", "otpp_bench", "main", "dist_peer"],
    Self = self(),
    Keeper = spawn(fun() -> peer_keeper(Self, Erl, Args) end),
    receive
        {peer_ready, Keeper} -> ok;
        {peer_failed, Keeper, Why2} -> fail("peer ~s did not start: ~s", [Peer, Why2])
    after 60000 -> fail("peer ~s: no ready line within 60 s", [Peer])
    end,
    case net_adm:ping(Peer) of
        pong -> ok;
        pang -> fail("cannot connect to ~s", [Peer])
    end,
    {Peer, Keeper}.

peer_keeper(Owner, Erl, Args) ->
    Port = open_port({spawn_executable, Erl},
                     [{args, Args}, {line, 4096}, exit_status, use_stdio, binary]),
    {os_pid, OsPid} = erlang:port_info(Port, os_pid),
    peer_wait_ready(Owner, Port),
    peer_forward(Owner, Port, OsPid).

peer_wait_ready(Owner, Port) ->
    receive
        {Port, {data, {eol, <<"dist_peer ready", _/binary>>}}} ->
            Owner ! {peer_ready, self()};
        {Port, {data, {_, Line}}} ->
            io:format(standard_error, "peer: ~s~n", [Line]),
            peer_wait_ready(Owner, Port);
        {Port, {exit_status, S}} ->
            Owner ! {peer_failed, self(), io_lib:format("exit status ~b", [S])},
            exit(normal)
    end.

peer_forward(Owner, Port, OsPid) ->
    receive
        {Port, {data, {_, Line}}} ->
            io:format(standard_error, "peer: ~s~n", [Line]),
            peer_forward(Owner, Port, OsPid);
        {Port, {exit_status, S}} ->
            io:format(standard_error, "peer: exited with status ~b~n", [S]);
        {stop, Owner} ->
            port_close(Port),             % closes B's stdin: B halts
            Owner ! {stopped, self(), OsPid}
    end.

%% Stops B and waits until it is gone; not timed.
dist_stop(Peer, Keeper) ->
    monitor_node(Peer, true),
    Keeper ! {stop, self()},
    OsPid = receive {stopped, Keeper, P} -> P after 10000 -> undefined end,
    receive
        {nodedown, Peer} -> ok
    after 10000 ->
        io:format(standard_error, "otpp_bench: peer ~s still up after 10 s: killed~n", [Peer]),
        OsPid =/= undefined andalso os:cmd("kill -9 " ++ integer_to_list(OsPid)),
        ok
    end.

%% An EPMD must answer on this node's EPMD port before net_kernel:start. Under bench/run.py
%% one always does (a private one); run alone, start one as `erl -name` would.
ensure_epmd() ->
    case net_adm:names("127.0.0.1") of
        {ok, _} -> ok;
        {error, _} ->
            case os:find_executable("epmd") of
                false -> fail("no EPMD answers and epmd is not on PATH", []);
                Epmd -> os:cmd(Epmd ++ " -daemon"), wait_epmd(500)
            end
    end.

wait_epmd(0) -> fail("epmd -daemon started, but no EPMD answers", []);
wait_epmd(N) ->
    case net_adm:names("127.0.0.1") of
        {ok, _} -> ok;
        {error, _} -> receive after 10 -> wait_epmd(N - 1) end
    end.

random_suffix() ->
    string:lowercase(integer_to_list(rand:uniform(1 bsl 48), 36)).
