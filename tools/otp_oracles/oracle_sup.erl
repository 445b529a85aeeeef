%% oracle_sup: supervisor callback module of the OTP oracle scenarios. init/1 returns whatever
%% the scenario passed to supervisor:start_link: {Flags, ChildSpecs} or ignore.
-module(oracle_sup).
-behaviour(supervisor).
-export([init/1]).

init(ignore) -> ignore;
init({Flags, Specs}) -> {ok, {Flags, Specs}}.
