%% otpp_bench_echo: the gen_server callback module behind the registered `echo` server of the
%% dist_peer node (otpp_bench main dist_peer), used by the dist_call workloads (see the header
%% of otpp_bench.erl). Every call is answered with the request itself; the state is unused.
%% bench/run.py compiles every .erl file in bench/erlang/ next to otpp_bench.

-module(otpp_bench_echo).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

init(State) -> {ok, State}.

handle_call(Request, _From, State) -> {reply, Request, State}.

handle_cast(_Msg, State) -> {noreply, State}.
