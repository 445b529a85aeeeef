%% The erl side of tests/dist/echo_node_test.cpp: scenarios against otpp_echo_node.
%%
%%   erl -noshell -name t@127.0.0.1 -setcookie C -pa DIR -eval "echo_interop:main(Scenario, 'e@127.0.0.1')."
%%
%% Every result is one line on stdout, "R <key> <value>" (printable ASCII only), read and
%% asserted on by the C++ test. The last line is "R end <exit reason of the scenario>", then
%% the node halts. Lines without the "R " prefix (logger output) are not results.
%%
%% Waiting is on messages with deadlines; the only loop is the poll for echo coming back
%% after a restart (a gen_server call per round, as a user of the node would).

-module(echo_interop).
-export([main/2, terms/1]).

-define(LONG, 30000).

main(Scenario, Node) ->
    {Pid, Ref} = spawn_monitor(fun() -> run(Scenario, Node) end),
    receive
        {'DOWN', Ref, process, Pid, Reason} -> out('end', Reason)
    end,
    halt(0).

%% ---- output ---------------------------------------------------------------------------

out(Key) -> out(Key, true).

out(Key, Value) ->
    io:format("R ~s ~s~n", [ascii_chars(key(Key)), ascii(Value)]).

key(K) when is_atom(K) -> atom_to_list(K);
key(K) when is_list(K) -> K.

%% A one-line, printable-ASCII rendering (stdout is a latin1 device under -noshell).
ascii(A) when is_atom(A) -> ascii_chars(atom_to_list(A));
ascii(T) -> ascii_chars(lists:flatten(io_lib:format("~W", [T, 12]))).

ascii_chars(Cs) -> [if C >= 32, C =< 126 -> C; true -> $? end || C <- Cs].

%% A check prints true when it holds, else what was seen instead.
check(Key, What) -> out(Key, What).

%% ---- helpers --------------------------------------------------------------------------

now_ms() -> erlang:monotonic_time(millisecond).

%% The pid of echo on Node, once it answers whoami with a pid other than Old.
wait_echo(Node) -> wait_echo(Node, undefined).

wait_echo(Node, Old) -> wait_echo(Node, Old, now_ms() + 5000).

wait_echo(Node, Old, Deadline) ->
    case catch gen_server:call({echo, Node}, whoami, 1000) of
        {pid, P} when is_pid(P), P =/= Old ->
            P;
        Other ->
            case now_ms() > Deadline of
                true -> exit({echo_did_not_answer, Node, Other});
                false -> wait_echo(Node, Old, Deadline)
            end
    end.

%% What is in the mailbox now (nothing waited for).
mailbox() ->
    receive
        M -> [M | mailbox()]
    after 0 -> []
    end.

%% ---- crafted identifiers (external term format) ---------------------------------------

atom_ext(A) ->
    B = atom_to_binary(A, utf8),
    <<119, (byte_size(B)):8, B/binary>>.

remote_pid(Node, Id, Serial, Creation) ->
    binary_to_term(<<131, 88, (atom_ext(Node))/binary, Id:32, Serial:32, Creation:32>>).

remote_port(Node, Id, Creation) when Id < 1 bsl 32 ->
    binary_to_term(<<131, 89, (atom_ext(Node))/binary, Id:32, Creation:32>>);
remote_port(Node, Id, Creation) ->
    binary_to_term(<<131, 120, (atom_ext(Node))/binary, Id:64, Creation:32>>).

remote_ref(Node, Creation, Ids) ->
    IdBin = << <<I:32>> || I <- Ids >>,
    binary_to_term(<<131, 90, (length(Ids)):16, (atom_ext(Node))/binary, Creation:32, IdBin/binary>>).

%% The creation in a pid's external form.
creation(Pid) ->
    <<131, 88, Rest/binary>> = term_to_binary(Pid),
    After = skip_atom(Rest),
    <<_Id:32, _Serial:32, Creation:32>> = After,
    Creation.

skip_atom(<<100, L:16, _:L/binary, R/binary>>) -> R;
skip_atom(<<115, L:8, _:L/binary, R/binary>>) -> R;
skip_atom(<<118, L:16, _:L/binary, R/binary>>) -> R;
skip_atom(<<119, L:8, _:L/binary, R/binary>>) -> R.

nest_list(0, Acc) -> Acc;
nest_list(N, Acc) -> nest_list(N - 1, [Acc]).

nest_tuple(0, Acc) -> Acc;
nest_tuple(N, Acc) -> nest_tuple(N - 1, {Acc}).

nest_map(0, Acc) -> Acc;
nest_map(N, Acc) -> nest_map(N - 1, #{k => Acc}).

nest_improper(0, Acc) -> Acc;
nest_improper(N, Acc) -> nest_improper(N - 1, [N | Acc]).

%% ---- the terms echoed -----------------------------------------------------------------

terms(EchoPid) ->
    EchoNode = node(EchoPid),
    <<NegZero/float>> = <<16#8000000000000000:64>>,
    Y = 42,
    Self = self(),
    LocalFun = fun(X) -> X + Y end,
    PidFun = fun() -> {Self, Y} end,
    {ok, Toks, _} = erl_scan:string("fun(A) -> {A, B} end."),
    {ok, [Expr]} = erl_parse:parse_exprs(Toks),
    {value, EvalFun, _} = erl_eval:expr(Expr, erl_eval:add_binding('B', 7, erl_eval:new_bindings())),
    <<_:3, Unaligned/bitstring>> = <<"hello">>,
    Big = crypto:strong_rand_bytes(1 bsl 20),
    Map33 = maps:from_list([{{k, I}, I} || I <- lists:seq(1, 33)]),
    Map1000 = maps:from_list([{I, integer_to_list(I)} || I <- lists:seq(1, 1000)]),
    Other = 'other@elsewhere',
    Cases =
        [%% integers
         {int_zero, 0}, {int_one, 1}, {int_255, 255}, {int_256, 256}, {int_minus_one, -1},
         {int_minus_256, -256}, {int_2_27, 1 bsl 27}, {int_2_31_minus_1, (1 bsl 31) - 1},
         {int_2_31, 1 bsl 31}, {int_minus_2_31, -(1 bsl 31)}, {int_minus_2_31_minus_1, -(1 bsl 31) - 1},
         {int_2_59, 1 bsl 59}, {int_2_63, 1 bsl 63}, {int_2_64_minus_1, (1 bsl 64) - 1},
         {int_2_64, 1 bsl 64}, {int_minus_2_64, -(1 bsl 64)}, {big_2_1000, 1 bsl 1000},
         {big_minus_2_1000, -(1 bsl 1000)}, {big_255_bytes, (1 bsl 2040) - 1},
         {big_256_bytes, 1 bsl 2040}, {big_minus_256_bytes, -(1 bsl 2040)},
         {big_2_100000, 1 bsl 100000}, {big_minus_2_100000_plus_1, -(1 bsl 100000) + 1},
         %% floats (term_to_binary tells -0.0 from 0.0)
         {float_zero, 0.0}, {float_negative_zero, NegZero}, {float_one_half, 1.5},
         {float_minus, -1.5}, {float_pi, 3.141592653589793}, {float_max, 1.7976931348623157e308},
         {float_minus_max, -1.7976931348623157e308}, {float_min_normal, 2.2250738585072014e-308},
         {float_denormal, 5.0e-324}, {float_tiny, 1.0e-300}, {float_integral, 9007199254740993.0},
         %% atoms
         {atom_empty, ''}, {atom_plain, hello}, {atom_true, true}, {atom_false, false},
         {atom_undefined, undefined}, {atom_quoted, 'Hello World!'},
         {atom_latin1, list_to_atom([252, 110, 239, 99, 246, 100, 233])},
         {atom_unicode, list_to_atom([26085, 26412, 35486])},
         {atom_emoji, list_to_atom([16#1F600, $!])},
         {atom_255_ascii, list_to_atom(lists:duplicate(255, $a))},
         {atom_255_latin1, list_to_atom(lists:duplicate(255, 252))},
         {atom_255_unicode, list_to_atom(lists:duplicate(255, 26085))},
         {atom_255_emoji, list_to_atom(lists:duplicate(255, 16#1F600))},
         {atoms_5000_distinct, [list_to_atom("echo_atom_" ++ integer_to_list(I)) || I <- lists:seq(1, 5000)]},
         %% binaries and bitstrings
         {binary_empty, <<>>}, {binary_small, <<1, 2, 3>>}, {binary_64, binary:copy(<<7>>, 64)},
         {binary_65, binary:copy(<<7>>, 65)}, {binary_1mb, Big},
         {binary_sub, binary:part(Big, 1000, 5000)},
         {bits_3, <<1:3>>}, {bits_7, <<127:7>>}, {bits_tail, <<"abc", 5:4>>},
         {bits_unaligned, Unaligned},
         %% lists and strings
         {nil, []}, {string, "hello"}, {string_bytes, [0, 1, 127, 128, 255]},
         {string_unicode, [26085, 26412, 16#1F600]},
         {string_65535, lists:duplicate(65535, $a)}, {string_65536, lists:duplicate(65536, $a)},
         {list_one, [a]}, {list_mixed, [1, a, "s", <<"b">>, 2.5, {t}, #{}]},
         {improper_int, [1 | 2]}, {improper_atoms, [a, b | c]}, {improper_binary, [1 | <<>>]},
         {improper_tuple, [x | {}]}, {improper_string, [$a, $b | $c]},
         {list_100k, lists:seq(1, 100000)},
         {list_100k_mixed, [case I rem 3 of 0 -> I; 1 -> {I}; 2 -> <<I:32>> end || I <- lists:seq(1, 100000)]},
         %% tuples
         {tuple_empty, {}}, {tuple_one, {a}}, {tuple_255, list_to_tuple(lists:seq(1, 255))},
         {tuple_256, list_to_tuple(lists:seq(1, 256))},
         {tuple_70000, list_to_tuple(lists:seq(1, 70000))},
         %% maps
         {map_empty, #{}}, {map_small, #{a => 1, "b" => [2], <<"c">> => {3}}},
         {map_int_and_float_keys, #{1 => int, 1.0 => float}},
         {map_key_map, #{#{inner => key} => value, #{} => empty}},
         {map_key_tuple_float, #{{1, 2} => 3.0, 1.5 => b, [x] => l, <<"k">> => bin}},
         {map_key_pid_ref, #{Self => pid, EchoPid => echo}},
         {map_32, maps:from_list([{I, I} || I <- lists:seq(1, 32)])},
         {map_33, Map33}, {map_1000, Map1000},
         {map_33_keys_maps, maps:from_list([{#{I => I}, I} || I <- lists:seq(1, 40)])},
         {map_of_maps, #{m33 => Map33, m1000 => Map1000}},
         %% pids, references, ports
         {pid_self, Self}, {pid_list_to_pid, list_to_pid("<0.0.0>")},
         {pid_echo, EchoPid},
         {pid_remote, remote_pid(Other, 17, 3, 1)},
         {pid_remote_big_creation, remote_pid(Other, 17, 3, 16#12345678)},
         {pid_remote_zero_creation, remote_pid(Other, 5, 0, 0)},
         {pid_erl_old_incarnation, remote_pid(node(), 9, 0, creation(Self) bxor 16#5a5a)},
         {pid_echo_node_other_incarnation, remote_pid(EchoNode, 3, 0, creation(EchoPid) bxor 16#5a5a)},
         {pid_echo_node_unused, remote_pid(EchoNode, 123456, 0, creation(EchoPid))},
         {ref_make_ref, make_ref()}, {ref_alias, alias()},
         {ref_remote, remote_ref(Other, 16#12345678, [1, 2, 3])},
         {ref_remote_one_word, remote_ref(Other, 2, [99])},
         {ref_remote_four_words, remote_ref(Other, 2, [1, 2, 3, 4])},
         {ref_remote_five_words, remote_ref(Other, 2, [5, 4, 3, 2, 1])},
         {ref_echo_node, remote_ref(EchoNode, creation(EchoPid), [11, 22, 33])},
         {port_local, hd(erlang:ports())},
         {port_remote, remote_port(Other, 77, 16#12345678)},
         {port_remote_v4, remote_port(Other, 1 bsl 40, 3)},
         %% funs
         {fun_local_free_vars, LocalFun}, {fun_with_pid, PidFun},
         {fun_external, fun lists:map/2}, {fun_external_bif, fun erlang:self/0},
         {fun_erl_eval, EvalFun},
         %% deep nesting
         {deep_list_10000, nest_list(10000, [])}, {deep_tuple_10000, nest_tuple(10000, {})},
         {deep_map_10000, nest_map(10000, #{})}, {deep_improper_10000, nest_improper(10000, tail)},
         %% everything together
         {tuple_of_everything, {[], {}, #{}, <<>>, "", '', 1 bsl 1000, NegZero, <<1:3>>, [1 | 2],
                                Self, EchoPid, make_ref(), hd(erlang:ports()), LocalFun,
                                fun lists:map/2, Map33}}],
    Cases ++
        [{list_of_all_cases, [T || {N, T} <- Cases, N =/= binary_1mb, N =/= list_100k_mixed]}].

%% ---- scenarios ------------------------------------------------------------------------

run(echo_terms, N) ->
    Echo = wait_echo(N),
    Cases = terms(Echo),
    out(terms, length(Cases)),
    lists:foreach(
      fun({Name, T}) ->
              Key = "term:" ++ atom_to_list(Name),
              case catch gen_server:call({echo, N}, T, ?LONG) of
                  R when R =:= T ->
                      case term_to_binary(R) =:= term_to_binary(T) of
                          true -> out(Key, ok);
                          false -> out(Key, {encodes_differently, R})
                      end;
                  R ->
                      out(Key, {differs, erlang:external_size(R), erlang:external_size(T), R})
              end
      end, Cases),
    out(terms_done);

run(whoami, N) ->
    {pid, P} = gen_server:call({echo, N}, whoami),
    out(is_pid, is_pid(P)),
    out(on_echo_node, node(P) =:= N),
    out(not_local, node(P) =/= node()),
    %% The registered name and the pid reach the same process.
    out(call_by_pid, gen_server:call(P, whoami) =:= {pid, P}),
    Ref = monitor(process, P),
    %% The monitor was accepted (a DOWN noproc would have come before this reply).
    {pid, P} = gen_server:call({echo, N}, whoami),
    out(monitor_accepted, mailbox() =:= []),
    ok = gen_server:call(P, {stop, whoami_done}),
    check(monitor_fires, receive
                             {'DOWN', Ref, process, P, whoami_done} -> true;
                             {'DOWN', Ref, _, _, _} = D -> D
                         after 5000 -> timeout
                         end),
    wait_new(N, P);

run(stop_reasons, N) ->
    Reasons = [{shutdown_custom, {shutdown, custom}}, {bignum, 1 bsl 200},
               {negative_bignum, -(1 bsl 100)}, {normal, normal}, {shutdown, shutdown},
               {compound, {a, "str", <<1, 2>>, #{k => [v]}, 1.5}}],
    lists:foreach(
      fun({Name, Reason}) ->
              P = wait_echo(N),
              Ref = monitor(process, P),
              Reply = gen_server:call({echo, N}, {stop, Reason}),
              check("reply:" ++ atom_to_list(Name), Reply =:= ok orelse {reply, Reply}),
              check("monitor:" ++ atom_to_list(Name),
                    receive
                        {'DOWN', Ref, process, P, R} when R =:= Reason -> true;
                        {'DOWN', Ref, process, _, R} -> {down, R}
                    after 5000 -> timeout
                    end),
              wait_new(N, P)
      end, Reasons),
    process_flag(trap_exit, true),
    lists:foreach(
      fun({Name, Reason}) ->
              P = wait_echo(N),
              true = link(P),
              ok = gen_server:call({echo, N}, {stop, Reason}),
              check("link:" ++ atom_to_list(Name),
                    receive
                        {'EXIT', P, R} when R =:= Reason -> true;
                        {'EXIT', P, R} -> {exit, R}
                    after 5000 -> timeout
                    end),
              wait_new(N, P)
      end, Reasons);

run(restart, N) ->
    P1 = wait_echo(N),
    T0 = now_ms(),
    ok = gen_server:call({echo, N}, {stop, restart_me}),
    P2 = wait_echo(N, P1),
    out(after_stop_ms, now_ms() - T0),
    out(after_stop_on_echo_node, node(P2) =:= N),
    Ref = monitor(process, P2),
    T1 = now_ms(),
    true = exit(P2, kill),
    P3 = wait_echo(N, P2),
    out(after_kill_ms, now_ms() - T1),
    check(killed_reason, receive {'DOWN', Ref, process, P2, R} -> R =:= killed orelse R after 5000 -> timeout end),
    out(after_kill_new_pid, P3 =/= P2 andalso P3 =/= P1 andalso node(P3) =:= N),
    out(serves_after_restart, gen_server:call({echo, N}, [served, after_restart]) =:= [served, after_restart]);

run(cast_send, N) ->
    wait_echo(N),
    Ref = make_ref(),
    ok = gen_server:cast({echo, N}, {send, self(), {hello, Ref}}),
    check(to_caller, receive {hello, Ref} -> true after 5000 -> timeout end),
    Parent = self(),
    Other = spawn(fun() -> receive M -> Parent ! {relayed, M} end end),
    ok = gen_server:cast({echo, N}, {send, Other, {for_other, Ref}}),
    check(to_other_process, receive {relayed, {for_other, Ref}} -> true after 5000 -> timeout end),
    Big = {Ref, crypto:strong_rand_bytes(100000), lists:seq(1, 1000), 1 bsl 300},
    ok = gen_server:cast({echo, N}, {send, self(), Big}),
    check(big_message, receive Big -> true after 5000 -> timeout end),
    %% Casts that do not match {send, Pid, Msg} are ignored and echo keeps serving.
    ok = gen_server:cast({echo, N}, {send, not_a_pid, x}),
    ok = gen_server:cast({echo, N}, whatever),
    out(serves_after_odd_casts, gen_server:call({echo, N}, still_here) =:= still_here),
    out(nothing_else_arrived, mailbox() =:= []);

run(sys, N) ->
    P = wait_echo(N),
    State = (catch sys:get_state({echo, N})),
    out(get_state, case State of {'EXIT', _} -> State; _ -> returned end),
    out(get_state_value, State),
    Status = (catch sys:get_status({echo, N})),
    check(get_status, case Status of
                          {status, P, {module, gen_server}, [_PDict, running, Parent, _Dbg, Misc]}
                            when is_pid(Parent), is_list(Misc) ->
                              node(Parent) =:= N orelse {parent_not_on_echo_node, Parent};
                          _ -> {unexpected, Status}
                      end),
    out(get_status_value, Status),
    ok = sys:suspend({echo, N}),
    check(status_suspended, case catch sys:get_status({echo, N}) of
                                {status, P, _, [_, suspended | _]} -> true;
                                S -> S
                            end),
    out(get_state_while_suspended, (catch sys:get_state({echo, N})) =:= State),
    check(call_while_suspended, case catch gen_server:call({echo, N}, ping, 500) of
                                    {'EXIT', {timeout, _}} -> true;
                                    Other -> {no_timeout, Other}
                                end),
    ok = sys:resume({echo, N}),
    out(call_after_resume, gen_server:call({echo, N}, pong) =:= pong),
    %% The reply to the call that timed out went to an alias that is no more.
    out(no_late_reply, mailbox() =:= []),
    out(same_pid, wait_echo(N) =:= P);

run(monitors, N) ->
    R1 = monitor(process, {nosuch, N}),
    check(noproc, receive
                      {'DOWN', R1, process, {nosuch, N}, noproc} -> true;
                      {'DOWN', R1, _, _, _} = D1 -> D1
                  after 5000 -> timeout
                  end),
    P = wait_echo(N),
    Gone = monitor(process, {echo, N}),
    true = demonitor(Gone),
    R2 = monitor(process, {echo, N}),
    ok = gen_server:call({echo, N}, {stop, bye}),
    check(by_name, receive
                       {'DOWN', R2, process, {echo, N}, bye} -> true;
                       {'DOWN', R2, _, _, _} = D2 -> D2
                   after 5000 -> timeout
                   end),
    out(demonitored_silent, mailbox() =:= []),
    P2 = wait_new(N, P),
    R3 = monitor(process, P),
    check(dead_pid_noproc, receive
                               {'DOWN', R3, process, P, noproc} -> true;
                               {'DOWN', R3, _, _, _} = D3 -> D3
                           after 5000 -> timeout
                           end),
    check(call_dead_pid_noproc, case catch gen_server:call(P, whoami, 5000) of
                                    {'EXIT', {noproc, _}} -> true;
                                    Other -> Other
                                end),
    R4 = monitor(process, P2),
    true = exit(P2, kill),
    check(by_pid_killed, receive
                             {'DOWN', R4, process, P2, killed} -> true;
                             {'DOWN', R4, _, _, _} = D4 -> D4
                         after 5000 -> timeout
                         end),
    P3 = wait_new(N, P2),
    R5 = monitor(process, {echo, N}),
    true = exit(P3, {custom, 1 bsl 70}),
    check(by_name_exit_reason, receive
                                   {'DOWN', R5, process, {echo, N}, {custom, R}} when R =:= 1 bsl 70 -> true;
                                   {'DOWN', R5, _, _, _} = D5 -> D5
                               after 5000 -> timeout
                               end),
    wait_new(N, P3);

run(links, N) ->
    process_flag(trap_exit, true),
    P = wait_echo(N),
    true = link(P),
    %% echo does not trap exits: an exit signal `normal` from another process is ignored.
    true = exit(P, normal),
    out(exit_normal_ignored, gen_server:call({echo, N}, whoami) =:= {pid, P} andalso mailbox() =:= []),
    true = exit(P, kill),
    check(killed, receive
                      {'EXIT', P, killed} -> true;
                      {'EXIT', P, _} = E -> E
                  after 5000 -> timeout
                  end),
    P2 = wait_new(N, P),
    true = link(P),
    check(dead_pid_noproc, receive
                               {'EXIT', P, noproc} -> true;
                               {'EXIT', P, _} = E2 -> E2
                           after 5000 -> timeout
                           end),
    true = link(P2),
    true = unlink(P2),
    Ref = monitor(process, P2),
    ok = gen_server:call(P2, {stop, unlinked}),
    check(unlinked_down, receive {'DOWN', Ref, process, P2, unlinked} -> true after 5000 -> timeout end),
    out(unlinked_silent, mailbox() =:= []),
    wait_new(N, P2);

run(node_down, N) ->
    process_flag(trap_exit, true),
    P = wait_echo(N),
    true = monitor_node(N, true),
    Ref = monitor(process, P),
    true = link(P),
    %% Both signals were taken (else a DOWN/EXIT noproc would come before this reply).
    {pid, P} = gen_server:call(P, whoami),
    out(ready),
    Deadline = now_ms() + 10000,
    collect_down(N, P, Ref, Deadline, 3),
    out(nodes_after, lists:member(N, nodes())),
    out(ping_after, net_adm:ping(N));

run(ping, N) ->
    out(ping, net_adm:ping(N)),
    out(nodes, lists:member(N, nodes())),
    out(call, catch gen_server:call({echo, N}, after_ping));

run(ping_only, N) ->
    out(ping, net_adm:ping(N)),
    out(nodes, lists:member(N, nodes()));

run(concurrent_calls, N) ->
    wait_echo(N),
    Procs = 50,
    Calls = 200,
    Self = self(),
    Pids = [spawn_link(fun() ->
                               Bad = [I || I <- lists:seq(1, Calls),
                                           gen_server:call({echo, N}, {P, I, self()}, ?LONG) =/= {P, I, self()}],
                               Self ! {done, self(), Bad}
                       end) || P <- lists:seq(1, Procs)],
    Results = [receive {done, Pid, Bad} -> Bad after ?LONG -> timeout end || Pid <- Pids],
    out(concurrent, case lists:all(fun(B) -> B =:= [] end, Results) of
                        true -> {ok, Procs * Calls};
                        false -> Results
                    end);

run(reconnect, N) ->
    P = wait_echo(N),
    Ref = monitor(process, P),
    true = erlang:disconnect_node(N),
    check(down_on_disconnect, receive
                                  {'DOWN', Ref, process, P, noconnection} -> true;
                                  {'DOWN', Ref, _, _, _} = D -> D
                              after 5000 -> timeout
                              end),
    out(call_after_reconnect, (catch gen_server:call({echo, N}, again, 10000)) =:= again),
    out(same_echo, wait_echo(N) =:= P),
    %% Disconnect and reconnect at once, many times: the echo node may learn that the old
    %% connection is gone only after the new one asks to be set up.
    Rounds = [begin
                  true = erlang:disconnect_node(N),
                  catch gen_server:call({echo, N}, {round, I}, 10000)
              end || I <- lists:seq(1, 20)],
    Bad = [{I, R} || {I, R} <- lists:zip(lists:seq(1, 20), Rounds), R =/= {round, I}],
    out(quick_reconnects, case Bad of [] -> {ok, 20}; _ -> Bad end),
    out(serves_after, (catch gen_server:call({echo, N}, last, 10000)) =:= last);

run(relay_target, N) ->
    register(target, self()),
    out(ready),
    check(got, receive
                   {from_echo, Ref, ReplyTo} -> ReplyTo ! {got, Ref, node()}, true
               after 20000 -> timeout
               end),
    out(echo_node_connected, lists:member(N, nodes()));

run({cast_to_third_node, Third}, N) ->
    wait_echo(N),
    Target = rpc:call(Third, erlang, whereis, [target]),
    out(target_is_pid, is_pid(Target)),
    Ref = make_ref(),
    ok = gen_server:cast({echo, N}, {send, Target, {from_echo, Ref, self()}}),
    check(third_node_got_it, receive {got, Ref, Third} -> true after 10000 -> timeout end);

run(odd_messages, N) ->
    P = wait_echo(N),
    Self = self(),
    %% Not calls, casts or system messages: gen_server logs and drops them.
    {echo, N} ! plain_message,
    {echo, N} ! {'$gen_call', {Self, tag}},
    {echo, N} ! {'$gen_call', {not_a_pid, tag}, req},
    {echo, N} ! {'$gen_cast'},
    {echo, N} ! {'EXIT', Self, fake},
    P ! {system, not_from, req},
    %% Calls with unusual tags are answered as gen:reply/2 does: {Tag, Reply} to the pid.
    {echo, N} ! {'$gen_call', {Self, [alias | not_a_ref]}, odd_tag},
    {echo, N} ! {'$gen_call', {Self, {some, tuple, tag}}, tuple_tag},
    %% An unknown system message gets an error reply, as sys answers.
    {echo, N} ! {system, {Self, sys_tag}, no_such_request},
    out(serves, gen_server:call({echo, N}, whoami) =:= {pid, P}),
    out(mailbox, mailbox());

run(order, N) ->
    wait_echo(N),
    Count = 10000,
    Self = self(),
    [ok = gen_server:cast({echo, N}, {send, Self, {seq, I}}) || I <- lists:seq(1, Count)],
    out(order, in_order(1, Count)).

in_order(I, Count) when I > Count -> {received, Count};
in_order(I, Count) ->
    receive
        {seq, I} -> in_order(I + 1, Count);
        {seq, J} -> {out_of_order, expected, I, got, J}
    after 10000 -> {timeout_waiting_for, I}
    end.

collect_down(_N, _P, _Ref, _Deadline, 0) ->
    ok;
collect_down(N, P, Ref, Deadline, Left) ->
    receive
        {nodedown, N} -> out(nodedown), collect_down(N, P, Ref, Deadline, Left - 1);
        {'DOWN', Ref, process, P, R} -> out(down, R), collect_down(N, P, Ref, Deadline, Left - 1);
        {'EXIT', P, R} -> out(exit, R), collect_down(N, P, Ref, Deadline, Left - 1);
        Other -> out(unexpected, Other), collect_down(N, P, Ref, Deadline, Left)
    after max(0, Deadline - now_ms()) -> out(timeout, Left)
    end.

wait_new(N, Old) -> wait_echo(N, Old).
