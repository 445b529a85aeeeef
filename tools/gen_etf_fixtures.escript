#!/usr/bin/env escript
%% Regenerates the Erlang-made fixtures under tests/term/fixtures/ (run from anywhere):
%%
%%   escript tools/gen_etf_fixtures.escript
%%
%% etf_corpus.tsv: one term per line, tab-separated:
%%   name  etf  etf_latin1  etf_compressed  printed
%% etf = term_to_binary(T, [{minor_version, 2}]) (OTP 26's default), etf_latin1 = OTP 25's
%% default term_to_binary(T), etf_compressed = [compressed, {minor_version, 2}], all in hex;
%% printed = io_lib_pretty on one line, as io_lib:format("~p") prints terms that fit a line
%% (UTF-8). A column is "-" where the comparison does not apply (remote pids print with
%% erl's node numbers; maps over 32 keys are written in erl's hash order).
%%
%% floats.tsv: random doubles (from random bit patterns): etf hex, then ~p text.
%% consult_expected.tsv: file:consult("consult_input.txt") as one etf hex per term.
%% fuzz_seeds_etf/, fuzz_seeds_parse/: starting inputs for the libFuzzer targets (the
%% curated terms' encodings and printed forms).
-mode(compile).

main(_) ->
    Dir = filename:join([filename:dirname(filename:absname(escript:script_name())), "..",
                         "tests", "term", "fixtures"]),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    rand:seed(exsss, {20250101, 42, 7}),
    Terms = curated() ++ [{"random_" ++ integer_to_list(I), random_term(4)} || I <- lists:seq(1, 300)],
    Lines = [corpus_line(Name, T) || {Name, T} <- Terms],
    ok = file:write_file(filename:join(Dir, "etf_corpus.tsv"), Lines),
    Floats = [float_line(random_float()) || _ <- lists:seq(1, 2000)],
    ok = file:write_file(filename:join(Dir, "floats.tsv"), Floats),
    {ok, Consulted} = file:consult(filename:join(Dir, "consult_input.txt")),
    ok = file:write_file(filename:join(Dir, "consult_expected.tsv"),
                         [[hex(term_to_binary(T, [{minor_version, 2}])), $\n] || T <- Consulted]),
    write_seeds(Dir, curated()),
    io:format("wrote ~p corpus terms, ~p floats, ~p consulted terms to ~s~n",
              [length(Lines), length(Floats), length(Consulted), Dir]).

corpus_line(Name, T) ->
    Exact = not big_map(T),
    Etf = if Exact -> hex(term_to_binary(T, [{minor_version, 2}])); true -> "-" end,
    Etf1 = case Exact andalso not huge(T) of true -> hex(term_to_binary(T)); false -> "-" end,
    EtfZ = if Exact -> hex(term_to_binary(T, [compressed, {minor_version, 2}])); true -> "-" end,
    Printed = case Exact andalso not has_remote(T) andalso not huge(T) of
                  true -> printed(T);
                  false -> "-"
              end,
    Undecodable = if Exact -> []; true -> [$\t, hex(term_to_binary(T, [{minor_version, 2}]))] end,
    [Name, $\t, Etf, $\t, Etf1, $\t, EtfZ, $\t, Printed, Undecodable, $\n].

write_seeds(Dir, Terms) ->
    EtfDir = filename:join(Dir, "fuzz_seeds_etf"),
    TextDir = filename:join(Dir, "fuzz_seeds_parse"),
    [begin ok = filelib:ensure_dir(filename:join(D, "x")),
           [ok = file:delete(F) || F <- filelib:wildcard(filename:join(D, "*"))] end
     || D <- [EtfDir, TextDir]],
    [begin
         Etf = term_to_binary(T, [{minor_version, 2}]),
         case byte_size(Etf) < 1000 of
             true -> ok = file:write_file(filename:join(EtfDir, Name ++ ".etf"), Etf);
             false -> ok
         end,
         case not has_remote(T) andalso not big_map(T) andalso byte_size(Etf) < 1000 of
             true -> ok = file:write_file(filename:join(TextDir, Name ++ ".txt"), [printed(T), ".\n"]);
             false -> ok
         end
     end || {Name, T} <- Terms],
    ok.

float_line(F) ->
    [hex(term_to_binary(F)), $\t, printed(F), $\n].

printed(T) ->
    Wide = io_lib_pretty:print(T, [{column, 1}, {line_length, 100000000}, {depth, -1},
                                   {encoding, latin1}, {strings, true}]),
    Flat = lists:flatten(Wide),
    %% Sanity: where ~p fits one line it is the same text.
    Narrow = lists:flatten(io_lib:format("~p", [T])),
    case lists:member($\n, Narrow) of
        false when Narrow =/= Flat -> error({print_mismatch, T, Narrow, Flat});
        _ -> ok
    end,
    unicode:characters_to_binary(Flat).

hex(Bin) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bin].

big_map(T) when is_map(T) -> map_size(T) > 32 orelse big_map(maps:to_list(T));
big_map(T) when is_tuple(T) -> big_map(tuple_to_list(T));
big_map([H | L]) -> big_map(H) orelse big_map(L);
big_map(_) -> false.

has_remote(T) when is_pid(T); is_reference(T); is_port(T) -> node(T) =/= node();
has_remote(T) when is_map(T) -> has_remote(maps:to_list(T));
has_remote(T) when is_tuple(T) -> has_remote(tuple_to_list(T));
has_remote([H | L]) -> has_remote(H) orelse has_remote(L);
has_remote(_) -> false.

huge(T) -> erlang:external_size(T) > 20000.

%% Remote and odd identifiers are made from their wire form, as another node would send them.
pid(Node, Id, Serial, Creation) ->
    N = atom_to_binary(Node),
    binary_to_term(<<131, 88, 119, (byte_size(N)), N/binary, Id:32, Serial:32, Creation:32>>).
ref(Node, Creation, Words) ->
    N = atom_to_binary(Node),
    binary_to_term(<<131, 90, (length(Words)):16, 119, (byte_size(N)), N/binary, Creation:32,
                     (<<<<W:32>> || W <- Words>>)/binary>>).
port(Node, Id, Creation) ->
    N = atom_to_binary(Node),
    binary_to_term(<<131, 120, 119, (byte_size(N)), N/binary, Id:64, Creation:32>>).

local_fun() -> fun() -> ok end.
closure(X, Y) -> fun(Z) -> {X, Y, Z} end.

curated() ->
    Big = 1 bsl 64,
    [{"small_int_0", 0}, {"small_int_255", 255}, {"int_256", 256}, {"int_minus_1", -1},
     {"int32_max", 2147483647}, {"int32_min", -2147483648}, {"int32_max_plus_1", 2147483648},
     {"int32_min_minus_1", -2147483649}, {"int_2_59", 1 bsl 59}, {"int_2_60", 1 bsl 60},
     {"int_minus_2_60", -(1 bsl 60)}, {"int_minus_2_60_minus_1", -(1 bsl 60) - 1},
     {"int64_max", 9223372036854775807}, {"int64_min", -9223372036854775808},
     {"uint64_max", Big - 1}, {"int_2_64", Big}, {"int_minus_2_64", -Big},
     {"bignum_100_digits", list_to_integer(lists:duplicate(100, $7))},
     {"small_big_max", (1 bsl 2040) - 1}, {"large_big_min", 1 bsl 2040},
     {"large_big_negative", -(1 bsl 4000) + 12345},
     {"float_0", 0.0}, {"float_neg_0", -0.0}, {"float_1", 1.0}, {"float_0_1", 0.1},
     {"float_1e10", 1.0e10}, {"float_1e_5", 1.0e-5}, {"float_pi", math:pi()},
     {"float_max", 1.7976931348623157e308}, {"float_min_denormal", 5.0e-324},
     {"float_neg", -123.456}, {"float_2_53", 9007199254740992.0},
     {"atom_ok", ok}, {"atom_empty", ''}, {"atom_quoted", 'hello world'}, {"atom_caps", 'EXIT'},
     {"atom_reserved", 'receive'}, {"atom_at", 'a@b'}, {"atom_quote_inside", 'it\'s'},
     {"atom_backslash", 'a\\b'}, {"atom_newline", 'a\nb'}, {"atom_latin1", 'åäö'},
     {"atom_latin1_upper", 'Ålborg'}, {"atom_unicode", '日本語'}, {"atom_emoji", 'smile😀'},
     {"atom_control", list_to_atom([1, 127, 128, 159, 160])},
     {"atom_255_chars", list_to_atom(lists:duplicate(255, $x))},
     {"atom_255_unicode_chars", list_to_atom(lists:duplicate(255, 16#65E5))},
     {"atom_true", true}, {"atom_nonode", nonode@nohost},
     {"nil", []}, {"string", "hello"}, {"string_escapes", "tab\there\nnew \"q\" \\ \e\b\f\v\r"},
     {"string_latin1", "åäö ÿ"}, {"string_unicode", "日本"}, {"string_with_zero", [104, 0, 105]},
     {"string_127", [127]}, {"string_65535", lists:duplicate(65535, $a)},
     {"list_65536_bytes", lists:duplicate(65536, $a)},
     {"list_ints", [1, 2, 3]}, {"list_mixed", [1, a, "b", <<"c">>, {d}, 2.5]},
     {"list_improper", [1, 2 | 3]}, {"list_improper_string_tail", [a | "bc"]},
     {"list_improper_atom", [a | b]}, {"list_of_256", [256]}, {"list_negative", [-1]},
     {"list_nested", [[[]], [[1]], [[], []]]}, {"list_deep", lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, 50))},
     {"tuple_empty", {}}, {"tuple_pair", {ok, 42}}, {"tuple_ok_list", {ok, [1, 2, 3]}},
     {"tuple_256", list_to_tuple(lists:seq(1, 256))}, {"tuple_255", list_to_tuple(lists:seq(1, 255))},
     {"tuple_nested", {a, {b, {c, {}}}}},
     {"binary_empty", <<>>}, {"binary_text", <<"abc">>}, {"binary_bytes", <<1, 2, 3>>},
     {"binary_utf8", <<"héllo"/utf8>>}, {"binary_latin1", <<"h", 233, "llo">>},
     {"binary_escape", <<"a\nb\"c\\">>}, {"binary_zero", <<"abc", 0>>},
     {"binary_large", list_to_binary(lists:seq(0, 255))},
     {"binary_large_text", list_to_binary(lists:duplicate(200, $z))},
     {"bits_3", <<1:3>>}, {"bits_13", <<255, 3:5>>}, {"bits_text_prefix", <<"ab", 3:2>>},
     {"sub_binary", binary:part(list_to_binary(lists:seq(1, 100)), 10, 70)},
     {"map_empty", #{}}, {"map_one", #{a => 1}}, {"map_mixed_keys", #{1 => y, 1.0 => x, a => 1, "s" => <<"b">>}},
     {"map_int_float_order", #{2 => b, 1.0 => a}}, {"map_nested", #{#{k => v} => #{}, [] => {}}},
     {"map_32", maps:from_list([{I, I * I} || I <- lists:seq(1, 32)])},
     {"map_33_hash_order", maps:from_list([{I, I} || I <- lists:seq(1, 33)])},
     {"map_tuple_keys", #{{1, 2} => a, {1} => b, {2} => c}},
     {"pid_self", self()}, {"pid_local_from_wire", pid(nonode@nohost, 5, 0, 0)},
     {"pid_remote", pid('a@b', 100, 2, 1)}, {"pid_remote_wide_id", pid('a@b', 16#FFFFFFFF, 0, 3)},
     {"pid_other_creation", pid(nonode@nohost, 5, 0, 7)},
     {"ref_local", make_ref()}, {"ref_remote", ref('a@b', 1, [1, 2, 3])},
     {"ref_remote_5_words", ref('a@b', 2, [1, 2, 3, 4, 5])}, {"ref_remote_1_word", ref('a@b', 2, [9])},
     {"port_local", hd(erlang:ports())}, {"port_remote", port('a@b', 3, 1)},
     {"port_v4_remote", port('z@z', 1 bsl 40, 5)},
     {"fun_export", fun lists:map/2}, {"fun_export_quoted", fun 'Mod':'Fun'/0},
     {"fun_local", local_fun()}, {"fun_closure", closure(1, {x, "y"})},
     {"mixed", {ok, #{name => <<"otpp">>, list => [1, 2.5, atom, "str"], pid => self()}}},
     {"compressible", lists:duplicate(100, {repeat, <<"this compresses well">>})},
     {"compress_boundary_1", lists:duplicate(8, 0)}, {"compress_boundary_2", lists:duplicate(30, 0)},
     {"compress_boundary_3", list_to_binary(lists:duplicate(20, $a))}].

random_float() ->
    <<F:64/float>> = <<(random_float_bits()):64>>,
    F.
random_float_bits() ->
    B = rand:uniform(1 bsl 64) - 1,
    case <<B:64>> of
        <<_:1, 2047:11, _:52>> -> random_float_bits();  % NaN or infinity
        _ -> B
    end.

random_term(0) -> random_leaf();
random_term(D) ->
    case rand:uniform(8) of
        1 -> list_to_tuple([random_term(D - 1) || _ <- lists:seq(1, rand:uniform(4) - 1)]);
        2 -> [random_term(D - 1) || _ <- lists:seq(1, rand:uniform(4) - 1)];
        3 -> maps:from_list([{random_term(D - 1), random_term(D - 1)} || _ <- lists:seq(1, rand:uniform(4) - 1)]);
        4 -> [random_term(D - 1) | random_leaf()];
        _ -> random_leaf()
    end.

random_leaf() ->
    case rand:uniform(12) of
        1 -> rand:uniform(600) - 300;
        2 -> rand:uniform(1 bsl 70) - (1 bsl 69);
        3 -> random_float();
        4 -> lists:nth(rand:uniform(5), [ok, error, 'Hello', 'with space', 'ü']);
        5 -> [rand:uniform(128) - 1 || _ <- lists:seq(1, rand:uniform(5))];
        6 -> list_to_binary([rand:uniform(256) - 1 || _ <- lists:seq(1, rand:uniform(6) - 1)]);
        7 -> <<(rand:uniform(1000)):(rand:uniform(15))>>;
        8 -> [];
        9 -> {};
        10 -> float(rand:uniform(100));
        11 -> rand:uniform(1 bsl 60);
        _ -> "text"
    end.
