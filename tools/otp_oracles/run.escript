#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell +S 1
%%
%% Runs the OTP oracle scenarios against this node's OTP (Debian erlang-nox, OTP 25) and writes
%% one fixture per scenario to tests/behaviours/fixtures/otp/<scenario>.txt. See README.md.
%%
%%   tools/otp_oracles/run.escript                 regenerate all fixtures
%%   tools/otp_oracles/run.escript NAME...         only these scenarios
%%   tools/otp_oracles/run.escript --check [NAME...]   compare with the fixtures, write nothing;
%%                                                  exit status 1 on any difference
%%   tools/otp_oracles/run.escript --out DIR ...   write (or check) DIR instead
%%   tools/otp_oracles/run.escript --list          list scenario names
%%
%% The scenario modules (*.erl next to this script) are compiled in memory on every run.

main(Args) ->
    Dir = filename:dirname(filename:absname(escript:script_name())),
    Repo = filename:dirname(filename:dirname(Dir)),
    {Opts, Names0} = parse(Args, #{out => filename:join([Repo, "tests", "behaviours", "fixtures", "otp"]),
                                   check => false, list => false}, []),
    %% The scenarios crash processes on purpose; keep OTP's error reports off the console.
    ok = logger:set_primary_config(level, none),
    compile_and_load(Dir),
    All = [N || {N, _} <- oracle_scenarios:all()],
    case maps:get(list, Opts) of
        true -> [io:format("~s~n", [N]) || N <- All], halt(0);
        false -> ok
    end,
    Names = case Names0 of
                [] -> All;
                _ -> [check_name(N, All) || N <- Names0]
            end,
    Out = maps:get(out, Opts),
    Check = maps:get(check, Opts),
    Check orelse ok =:= filelib:ensure_dir(filename:join(Out, "x")) orelse fail("cannot create ~s", [Out]),
    io:format("OTP ~s, ERTS ~s~n", [erlang:system_info(otp_release), erlang:system_info(version)]),
    Bad = lists:filter(fun(N) -> not run_one(N, Out, Check) end, Names),
    case Bad of
        [] -> halt(0);
        _ -> io:format("differences in: ~s~n", [lists:join(" ", [atom_to_list(B) || B <- Bad])]), halt(1)
    end.

parse(["--check" | T], O, N) -> parse(T, O#{check := true}, N);
parse(["--list" | T], O, N) -> parse(T, O#{list := true}, N);
parse(["--out", D | T], O, N) -> parse(T, O#{out := filename:absname(D)}, N);
parse(["-" ++ _ = A | _], _O, _N) -> fail("unknown option ~s", [A]);
parse([Name | T], O, N) -> parse(T, O, [Name | N]);
parse([], O, N) -> {O, lists:reverse(N)}.

check_name(N, All) ->
    A = list_to_atom(N),
    lists:member(A, All) orelse fail("unknown scenario ~s (try --list)", [N]),
    A.

compile_and_load(Dir) ->
    Files = lists:sort(filelib:wildcard(filename:join(Dir, "oracle_*.erl"))),
    lists:foreach(
      fun(F) ->
              case compile:file(F, [binary, return_errors, report_warnings, warnings_as_errors]) of
                  {ok, Mod, Bin} ->
                      {module, Mod} = code:load_binary(Mod, F, Bin);
                  {error, Errors, _} ->
                      fail("cannot compile ~s: ~p", [F, Errors]);
                  error ->
                      fail("cannot compile ~s", [F])
              end
      end,
      Files).

run_one(Name, Out, Check) ->
    Lines = oracle_scenarios:run(Name),
    Text = iolist_to_binary([[L, $\n] || L <- Lines]),
    File = filename:join(Out, atom_to_list(Name) ++ ".txt"),
    case Check of
        false ->
            ok = file:write_file(File, Text),
            io:format("wrote ~s (~b lines)~n", [File, length(Lines)]),
            true;
        true ->
            case file:read_file(File) of
                {ok, Text} -> io:format("same  ~s~n", [Name]), true;
                {ok, _} -> io:format("DIFF  ~s~n", [Name]), report_diff(File, Text), false;
                {error, E} -> io:format("MISSING ~s (~p)~n", [File, E]), false
            end
    end.

report_diff(File, Text) ->
    {ok, Old} = file:read_file(File),
    OldL = binary:split(Old, <<"\n">>, [global]),
    NewL = binary:split(Text, <<"\n">>, [global]),
    first_diff(OldL, NewL, 1).

first_diff([X | A], [X | B], N) -> first_diff(A, B, N + 1);
first_diff(A, B, N) ->
    io:format("  first difference at line ~b:~n    fixture: ~s~n    now:     ~s~n",
              [N, hd(A ++ [<<"(end)">>]), hd(B ++ [<<"(end)">>])]).

fail(Fmt, Args) ->
    io:format(standard_error, "run.escript: " ++ Fmt ++ "~n", Args),
    halt(2).
