%% otpp_bench_server: the gen_server callback module used by the `call` and `idle_server`
%% workloads of otpp_bench (see the header of otpp_bench.erl for their definitions).
%%
%% State = an integer counter. `incr` (a call) adds one and replies with the new value. Nothing
%% else is handled: the idle servers of `idle_server` never receive a message until they are
%% killed. bench/run.py compiles every .erl file in bench/erlang/ next to otpp_bench.

-module(otpp_bench_server).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

init(N) when is_integer(N) -> {ok, N}.

handle_call(incr, _From, N) -> {reply, N + 1, N + 1}.

handle_cast(_Msg, N) -> {noreply, N}.
