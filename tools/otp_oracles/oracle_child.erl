%% oracle_child: the gen_server used as child / server by the OTP oracle scenarios.
%%
%% It logs its own life cycle to oracle_log:
%%   init/1      -> `start <Id>`        (oracle_log:child/1, also registers the pid as <Id>)
%%   terminate/2 -> `terminate <Id> <Reason>`
%%
%% Options (a proplist, the second start argument):
%%   {trap_exit, Bool}      default true, so that terminate/2 runs on the parent's exit signal
%%   {init, Kind}           what init/1 does after logging, default ok:
%%                            ok | ignore | {error, E} | {stop, R} | crash (= exit({crash, init}))
%%                            | {seq, Tag, [Kind]}: the N-th start of this child (counted per
%%                              {Tag, Id}) uses the N-th Kind; the last one repeats
%%   hang_on_shutdown       terminate(shutdown, _) logs and then blocks forever, i.e. the child
%%                          never finishes a `shutdown` (the supervisor has to kill it)
%%
%% Requests:
%%   call ping              -> pong
%%   call {exit, R}         exit(R) inside handle_call
%%   call hang              no reply (the From is kept)
%%   call release           replies `late` to the kept From, then replies ok
%%   call {stop, R, Reply}  returns {stop, R, Reply, State}
%%   call {call_self, Msg}  the server calls itself; replies {Class, Reason} of the exception
%%   cast {exit, R}         exit(R) inside handle_cast (how the scenarios "crash" a child)
-module(oracle_child).
-behaviour(gen_server).
-export([start_link/2, start/2, start_dyn/3, start_bogus/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

start_link(Id, Opts) -> gen_server:start_link(?MODULE, {Id, Opts}, []).

start(Id, Opts) -> gen_server:start(?MODULE, {Id, Opts}, []).

%% Start function of the simple_one_for_one template {oracle_child, start_dyn, [Tmpl]}:
%% start_child(Sup, [Id, Opts]) ends up here with the extra arguments appended.
start_dyn(Tmpl, Id, Opts) ->
    oracle_log:log(start_fun, [[Tmpl, Id, Opts]]),
    start_link(Id, Opts).

%% A start function that does not follow the protocol: returns the atom `oops`.
start_bogus(Id) ->
    oracle_log:log(start_fun, [[Id]]),
    oops.

init({Id, Opts}) ->
    process_flag(trap_exit, proplists:get_value(trap_exit, Opts, true)),
    oracle_log:child(Id),
    State = #{id => Id, opts => Opts, pending => undefined},
    case init_kind(Id, proplists:get_value(init, Opts, ok)) of
        ok -> {ok, State};
        ignore -> ignore;
        {error, E} -> {error, E};
        {stop, R} -> {stop, R};
        crash -> exit({crash, init})
    end.

init_kind(Id, {seq, Tag, Kinds}) ->
    N = oracle_log:next({Tag, Id}),
    lists:nth(min(N, length(Kinds)), Kinds);
init_kind(_Id, Kind) ->
    Kind.

handle_call(ping, _From, S) ->
    {reply, pong, S};
handle_call({exit, R}, _From, _S) ->
    exit(R);
handle_call(hang, From, S) ->
    {noreply, S#{pending := From}};
handle_call(release, _From, #{pending := P} = S) ->
    gen_server:reply(P, late),
    {reply, ok, S#{pending := undefined}};
handle_call({stop, R, Reply}, _From, S) ->
    {stop, R, Reply, S};
handle_call({call_self, Msg}, _From, S) ->
    Res = try gen_server:call(self(), Msg) catch Class:Reason -> {Class, Reason} end,
    {reply, Res, S}.

handle_cast({exit, R}, _S) ->
    exit(R).

handle_info(_Msg, S) ->
    {noreply, S}.

terminate(Reason, #{id := Id, opts := Opts}) ->
    oracle_log:log(terminate, [Id, Reason]),
    case Reason =:= shutdown andalso lists:member(hang_on_shutdown, Opts) of
        true -> receive after infinity -> ok end;
        false -> ok
    end.
