// Behaviour of the term value type: construction, access, order, printing.

#include <gtest/gtest.h>

#include "otp/term.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace otp::literals;

using namespace otp;

TEST(Term, SmallIntegersRoundTripThroughTheWord) {
  EXPECT_EQ(term(42).as_int(), 42);
  EXPECT_EQ(term(-7).as_int(), -7);
  EXPECT_TRUE(term(1).is_small());
}

TEST(Term, IntegersBeyondSixtyBitsBecomeBignumsAndStillCompareExactly) {
  term big(INT64_MAX);
  EXPECT_FALSE(big.is_small());
  EXPECT_TRUE(big.is_integer());
  EXPECT_EQ(big.as_int(), INT64_MAX);
  EXPECT_EQ(to_string(big), "9223372036854775807");
  EXPECT_EQ(to_string(term(INT64_MIN)), "-9223372036854775808");
  EXPECT_LT(term(1), big);
  EXPECT_LT(term(INT64_MIN), term(-5));
  EXPECT_EQ(to_string(term::integer_from_decimal("123456789012345678901234567890")),
            "123456789012345678901234567890");
}

TEST(Term, OneEqualsOnePointZeroArithmeticallyButNotExactly) {
  EXPECT_NE(term(1), term(1.0));
  EXPECT_EQ(compare(term(1), term(1.0)), std::weak_ordering::equivalent);
  EXPECT_LT(term(1), term(1.0));  // the strong order puts the integer first
}

TEST(Term, TermOrderFollowsErlang) {
  // number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring
  std::vector<term> ordered = {term(1),
                               term(atoms::ok),
                               term(reference::make()),
                               term(port_id::make(atom(), 1, 0)),
                               term(pid::local(5)),
                               tuple(1, 2),
                               term::map({{term(1), term(2)}}),
                               term(),
                               list(1),
                               term::binary("a")};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(ordered[i], ordered[i + 1])
        << to_string(ordered[i]) << " vs " << to_string(ordered[i + 1]);
  }
  EXPECT_LT(tuple(9), tuple(1, 1));  // tuples by size first
  EXPECT_LT(term(atom("abc")), term(atom("abd")));
}

TEST(Term, PrintsLikeErlang) {
  EXPECT_EQ(to_string(tuple(atoms::ok, list(1, 2, 3))), "{ok,[1,2,3]}");
  EXPECT_EQ(to_string(term::string("hello")), "\"hello\"");
  EXPECT_EQ(to_string(term::binary("abc")), "<<\"abc\">>");
  EXPECT_EQ(to_string(term::binary(std::string("\x01\x02", 2))), "<<1,2>>");
  EXPECT_EQ(to_string(term(atom("hello world"))), "'hello world'");
  EXPECT_EQ(to_string(term(atoms::EXIT)), "'EXIT'");
  EXPECT_EQ(to_string(term::list({1, 2}, term(3))), "[1,2|3]");
  EXPECT_EQ(to_string(term(1.5)), "1.5");
  EXPECT_EQ(to_string(term(1.0)), "1.0");
  EXPECT_EQ(to_string(term(pid::local(83))), "<0.83.0>");
  EXPECT_EQ(to_string(term::map({{term(atom("a")), term(1)}})), "#{a => 1}");
}

TEST(Term, CopiesShareStructureAndDestroyingDeepTermsDoesNotRecurse) {
  term t;
  for (int i = 0; i < 1'000'000; ++i) t = tuple(std::move(t));
  term copy = t;
  EXPECT_EQ(copy.raw(), t.raw());
  t = term();
  copy = term();  // would overflow the stack if destruction recursed
  term l;
  for (int i = 0; i < 1'000'000; ++i) l = term::cons(i, std::move(l));
  EXPECT_EQ(l.list_length(), 1'000'000u);
}

TEST(Term, WrongTypeAccessThrowsBadarg) {
  EXPECT_THROW(term(atoms::ok).as_int(), bad_term_access);
  EXPECT_THROW(term(1).tuple_size(), bad_term_access);
}

TEST(Term, MapsKeepOneValuePerKeyAndFindByExactKey) {
  term m = term::map(
      {{term(1), term(atom("a"))}, {term(1.0), term(atom("b"))}, {term(1), term(atom("c"))}});
  EXPECT_EQ(m.map_size(), 2u);
  EXPECT_EQ(*m.map_find(term(1)), term(atom("c")));
  EXPECT_EQ(*m.map_find(term(1.0)), term(atom("b")));
  EXPECT_EQ(m.map_find(term(2)), nullptr);
}

// ---- term order, checked against erl (OTP 25) ---------------------------------------------

namespace {
term big(const char* digits) {
  return term::integer_from_decimal(digits);
}
term pid_of(const char* node, uint32_t id, uint32_t serial, uint32_t creation) {
  return term(pid::from_fields(atom(node), id, serial, creation));
}
term ref_of(const char* node, uint32_t creation, std::vector<uint32_t> words) {
  return term(reference::from_words(atom(node), creation, words));
}
void expect_sorted(const std::vector<term>& ts) {
  for (size_t i = 0; i + 1 < ts.size(); ++i)
    EXPECT_LT(ts[i], ts[i + 1]) << to_string(ts[i]) << " vs " << to_string(ts[i + 1]);
}
}  // namespace

TEST(TermOrder, IntegersAndFloatsCompareExactlyEvenBeyondDoublePrecision) {
  term two64 = big("18446744073709551616");
  EXPECT_EQ(compare(big("18446744073709551617"), term(18446744073709551616.0)),
            std::weak_ordering::greater);
  EXPECT_EQ(compare(two64, term(18446744073709551616.0)), std::weak_ordering::equivalent);
  EXPECT_EQ(compare(term(UINT64_MAX), term(18446744073709551616.0)), std::weak_ordering::less);
  EXPECT_EQ(compare(term(9007199254740993), term(9007199254740992.0)), std::weak_ordering::greater);
  EXPECT_EQ(compare(term(9007199254740993), term(9007199254740994.0)), std::weak_ordering::less);
  std::string googol4 = "1" + std::string(400, '0');
  EXPECT_EQ(compare(big(googol4.c_str()), term(1.0e308)), std::weak_ordering::greater);
  EXPECT_EQ(compare(term::integer_from_string("-" + googol4), term(-1.0e308)),
            std::weak_ordering::less);
  EXPECT_EQ(compare(big("1267650600228229401496703205376"), term(1.0e30)),
            std::weak_ordering::greater);
  EXPECT_EQ(compare(term(5), term(5.5)), std::weak_ordering::less);
  EXPECT_EQ(compare(term(-5), term(-5.5)), std::weak_ordering::greater);
  EXPECT_EQ(compare(term(term::small_min), term(-1152921504606846976.0)),
            std::weak_ordering::equivalent);
  EXPECT_EQ(compare(term(int64_t(1) << 62), term(4611686018427387904.0)),
            std::weak_ordering::equivalent);
  EXPECT_EQ(compare(term((int64_t(1) << 62) + 1), term(4611686018427387904.0)),
            std::weak_ordering::greater);
  EXPECT_EQ(compare(term(0), term(-0.0)), std::weak_ordering::equivalent);
  EXPECT_EQ(term(0.0), term(-0.0));  // =:= in OTP 25
  EXPECT_EQ(term(0.0).hash(), term(-0.0).hash());
}

TEST(TermOrder, PidsOrderByNumberBeforeNode) {
  // erl: lists:sort of these pids.
  expect_sorted({pid_of("z@b", 1, 0, 1), term(pid::local(5)), term(pid::local(6)),
                 pid_of("a@b", 99, 0, 3), pid_of("a@b", 100, 0, 1), pid_of("a@b", 100, 0, 2),
                 pid_of("a@b", 1, 1, 1), term(pid::local((uint64_t(1) << 28) | 4))});
  // Same number: by node name (this node is nonode@nohost), then creation.
  expect_sorted({pid_of("a@b", 5, 0, 0), pid_of("a@b", 5, 0, 1), term(pid::local(5)),
                 pid_of("z@b", 5, 0, 1)});
}

TEST(TermOrder, ReferencesAndPortsOrderByNodeThenCreationThenNumber) {
  expect_sorted({ref_of("a@b", 1, {0, 0, 0, 0, 0}), ref_of("a@b", 1, {5}),
                 ref_of("a@b", 1, {9, 9, 1}), ref_of("a@b", 1, {1, 2, 3, 4}),
                 ref_of("a@b", 1, {1, 2, 3, 4, 5}), ref_of("a@b", 2, {1, 1, 1}),
                 term(reference::from_parts(atom(), 0, 2, 1, 3)),
                 term(reference::from_parts(atom(), 0, 1, 2, 3)),
                 term(reference::from_parts(atom(), 0, 1, 2, 4))});
  expect_sorted({term(port_id::make("a@b"_a, 3, 1)), term(port_id::make("a@b"_a, 3, 2)),
                 term(port_id::make("a@b"_a, 2, 3)), term(port_id::make(atom(), 5, 0))});
  // Missing high words are zeros: [5] and [5, 0, 0] are the same reference.
  EXPECT_EQ(ref_of("a@b", 1, {5}), ref_of("a@b", 1, {5, 0, 0}));
  EXPECT_EQ(ref_of("a@b", 1, {5}).hash(), ref_of("a@b", 1, {5, 0, 0}).hash());
}

TEST(TermOrder, ThisNodesNameDecidesWhereLocalValuesSortAmongRemoteOnes) {
  term local(port_id::make(atom(), 1, 0)), remote(port_id::make("m@host"_a, 1, 0));
  EXPECT_LT(remote, local);  // m@host < nonode@nohost
  set_this_node("a@host"_a, 1);
  EXPECT_LT(local, remote);                                              // a@host < m@host
  EXPECT_EQ(to_string(term(pid::remote("a@host"_a, 5, 9))), "<0.5.0>");  // erl prints node 0
  set_this_node(atoms::nonode_nohost, 0);
  EXPECT_LT(remote, local);
}

TEST(TermOrder, LocalFunsSortBeforeExternalFunsWhichSortByModuleFunctionArity) {
  local_fun_info a;
  a.module = "aaa"_a;
  local_fun_info z = a;
  z.module = "zzz"_a;
  local_fun_info z1 = z;
  z1.old_index = 1;
  expect_sorted({term::local_fun(a), term::local_fun(z), term::local_fun(z1),
                 term::export_fun("aaa"_a, "f"_a, 0), term::export_fun("erlang"_a, "abs"_a, 1),
                 term::export_fun("zzz"_a, "f"_a, 0), term::export_fun("zzz"_a, "f"_a, 1)});
  EXPECT_LT(term(reference::make()), term::export_fun("a"_a, "b"_a, 0));
  EXPECT_LT(term::export_fun("a"_a, "b"_a, 0), term(port_id::make(atom(), 1, 0)));
  EXPECT_EQ(to_string(term::export_fun("lists"_a, "map"_a, 2)), "fun lists:map/2");
  EXPECT_EQ(to_string(term::local_fun(z1)), "#Fun<zzz.1.0>");
  EXPECT_THROW(term::export_fun("m"_a, "f"_a, 256), bad_term_access);
  EXPECT_THROW(term(1).as_export_fun(), bad_term_access);
  EXPECT_THROW(term::local_fun(a).as_export_fun(), bad_term_access);
}

TEST(TermOrder, MapsOrderBySizeThenKeysInKeyOrderThenValues) {
  auto m = [](std::initializer_list<std::pair<term, term>> kvs) { return term::map(kvs); };
  // erl: lists:sort of these maps.
  expect_sorted({m({{term(1), term("a"_a)}}), m({{term(1), term("b"_a)}}),
                 m({{term(2), term("x"_a)}}), m({{term(1.0), term("a"_a)}}),
                 m({{term("a"_a), term(1)}}), m({{term("b"_a), term(0)}}),
                 m({{term(1), term("a"_a)}, {term(2.0), term("b"_a)}}),
                 m({{term(2), term("b"_a)}, {term(1.0), term("a"_a)}}),
                 m({{term("a"_a), term(1)}, {term("b"_a), term(2)}})});
}

TEST(Term, HashIsConsistentWithExactEquality) {
  std::vector<std::pair<term, term>> equal = {
      {term(int64_t(1) << 61), big("2305843009213693952")},
      {term::binary(std::string(100, 'a')),
       term::sub_binary(term::binary(std::string(200, 'a')), 50, 100)},
      {tuple(1, list(2.5, "x"_a)), tuple(1, list(2.5, "x"_a))},
      {term::map({{term(1), term(2)}}), term::map({{term(1), term(2)}})}};
  for (auto& [a, b] : equal) {
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash()) << to_string(a);
  }
  EXPECT_NE(term(1), term(1.0));
  EXPECT_NE(tuple(1), tuple(1.0));
}

TEST(Term, SubBinariesShareALargeParentsStorageAndCopySmallOnes) {
  std::string text(1000, 'a');
  text.replace(100, 5, "hello");
  term parent = term::binary(text);
  term part = term::sub_binary(parent, 100, 5);
  EXPECT_EQ(part.as_binary(), "hello");
  EXPECT_EQ(part.as_binary().data(), parent.as_binary().data() + 100);  // shared
  parent = term();  // the part keeps the storage alive
  EXPECT_EQ(part.as_binary(), "hello");
  EXPECT_EQ(term::sub_binary(part, 1, 3).as_binary(), "ell");
  term small = term::binary("tiny");
  EXPECT_EQ(term::sub_binary(small, 1, 2).as_binary(), "in");
  EXPECT_EQ(term::sub_binary(small, 4, 0).as_binary(), "");
  EXPECT_THROW(term::sub_binary(small, 3, 2), bad_term_access);
  EXPECT_THROW(term::sub_binary(term(1), 0, 0), bad_term_access);
  EXPECT_THROW(term::sub_binary(term::bitstring("\xFF", 3), 0, 0), bad_term_access);
}

TEST(Term, IntegersParseInAnyBaseWithSeparators) {
  EXPECT_EQ(term::integer_from_string("FF", 16), term(255));
  EXPECT_EQ(term::integer_from_string("-zz", 36), term(-1295));
  EXPECT_EQ(term::integer_from_string("1_000_000"), term(1000000));
  EXPECT_EQ(to_string(term::integer_from_string("1" + std::string(30, '0'), 2)), "1073741824");
  EXPECT_THROW(term::integer_from_string("12", 2), bad_term_access);
  EXPECT_THROW(term::integer_from_string("1__0"), bad_term_access);
  EXPECT_THROW(term::integer_from_string("_1"), bad_term_access);
  EXPECT_THROW(term::integer_from_string("1_"), bad_term_access);
  EXPECT_THROW(term::integer_from_string("1", 37), bad_term_access);
  EXPECT_EQ(term(7).try_int64(), 7);
  EXPECT_EQ(term(1.0).try_int64(), std::nullopt);
  EXPECT_EQ(term(UINT64_MAX).try_uint64(), UINT64_MAX);
  EXPECT_EQ(term(-1).try_uint64(), std::nullopt);
}

TEST(Term, SharedTermsCanBeCopiedComparedAndHashedFromManyThreadsAtOnce) {
  term shared = tuple("data"_a, list(1, 2.5, term::binary(std::string(500, 'x'))),
                      term::map({{term(1), term(pid::local(3))}}), reference::make());
  size_t expected_hash = shared.hash();
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        term copy = shared;
        term part = term::sub_binary(copy.element(1).tail().tail().head(), size_t(t), 10);
        if (copy != shared || copy.hash() != expected_hash || part.as_binary() != "xxxxxxxxxx" ||
            (copy <=> term(port_id::make("m@h"_a, 1, 0))) == 0)
          ++mismatches;
        if (t == 0 && i % 100 == 0) set_this_node(i % 200 ? "a@h"_a : atoms::nonode_nohost, 0);
      }
    });
  }
  for (auto& th : threads) th.join();
  set_this_node(atoms::nonode_nohost, 0);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Term, ATermInStaticStorageIsDestroyedSafelyAtExit) {
  // Destroyed after this thread's thread-locals (the destructor's work list) are gone; the
  // test binary exiting cleanly under ASan is the check.
  static const term kept = tuple(list(1, 2), term::binary(std::string(100, 'x')));
  EXPECT_TRUE(kept.is_tuple(2));
}
