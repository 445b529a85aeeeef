// Converting C++ values and user structs to and from terms.

#include "otp/term_traits.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "otp/etf.hpp"

using namespace otp;
using namespace otp::literals;

namespace {
struct point {
  int x = 0;
  int y = 0;
  bool operator==(const point&) const = default;
};
struct user {
  std::string name;
  std::vector<std::string> roles;
  std::optional<int> age;
  bool operator==(const user&) const = default;
};
}  // namespace

template <>
struct otp::term_traits<point> : otp::record_traits<point, "point", &point::x, &point::y> {};
template <>
struct otp::term_traits<user>
    : otp::map_traits<user, otp::field<"name", &user::name>, otp::field<"roles", &user::roles>,
                      otp::field<"age", &user::age>> {};

TEST(TermTraits, ScalarsMapToTheirErlangCounterparts) {
  EXPECT_EQ(to_term(42), term(42));
  EXPECT_EQ(to_term(true), term(atoms::true_));
  EXPECT_EQ(to_term(2.5), term(2.5));
  EXPECT_EQ(to_term(std::string("hi")), term::binary("hi"));
  EXPECT_EQ(to_term("hi"), term::binary("hi"));
  EXPECT_EQ(from_term<int>(term(42)), 42);
  EXPECT_EQ(from_term<double>(term(2)), 2.0);  // integers read as floats
  EXPECT_EQ(from_term<std::string>(term::string("héllo")), "héllo");
  EXPECT_EQ(from_term<std::string>(term::binary("raw")), "raw");
  EXPECT_EQ(from_term<atom>(term(atoms::ok)), atoms::ok);
}

TEST(TermTraits, IntegersAreRangeChecked) {
  EXPECT_FALSE(try_from_term<int8_t>(term(200)));
  EXPECT_EQ(try_from_term<uint8_t>(term(200)), uint8_t(200));
  EXPECT_FALSE(try_from_term<uint32_t>(term(-1)));
  EXPECT_EQ(try_from_term<uint64_t>(term(UINT64_MAX)), UINT64_MAX);
  EXPECT_FALSE(try_from_term<int64_t>(term(UINT64_MAX)));
  EXPECT_EQ(try_from_term<int64_t>(term(INT64_MIN)), INT64_MIN);
  EXPECT_FALSE(try_from_term<int>(term(1.0)));
  EXPECT_THROW(from_term<int>(term(atoms::ok)), bad_term_access);
}

TEST(TermTraits, ContainersBecomeListsMapsAndTuples) {
  std::vector<int> v{1, 2, 3};
  EXPECT_EQ(to_string(to_term(v)), "[1,2,3]");
  EXPECT_EQ(from_term<std::vector<int>>(to_term(v)), v);
  std::map<std::string, int> m{{"a", 1}, {"b", 2}};
  EXPECT_EQ(to_string(to_term(m)), "#{<<\"a\">> => 1,<<\"b\">> => 2}");
  EXPECT_EQ((from_term<std::map<std::string, int>>(to_term(m))), m);
  std::unordered_map<int, bool> um{{1, true}};
  EXPECT_EQ((from_term<std::unordered_map<int, bool>>(to_term(um))), um);
  auto tup = std::make_tuple(atoms::ok, 7, std::string("x"));
  EXPECT_EQ(to_string(to_term(tup)), "{ok,7,<<\"x\">>}");
  EXPECT_EQ((from_term<std::tuple<atom, int, std::string>>(to_term(tup))), tup);
  EXPECT_EQ((from_term<std::pair<int, int>>(tuple(1, 2))), std::make_pair(1, 2));
  EXPECT_FALSE((try_from_term<std::vector<int>>(term::list({1}, term(2)))));  // improper
  EXPECT_FALSE((try_from_term<std::vector<int>>(list(1, atoms::ok))));
}

TEST(TermTraits, OptionalIsUndefinedOrTheValue) {
  EXPECT_EQ(to_term(std::optional<int>()), term(atoms::undefined));
  EXPECT_EQ(to_term(std::optional<int>(3)), term(3));
  EXPECT_EQ(from_term<std::optional<int>>(term(atoms::undefined)), std::nullopt);
  EXPECT_EQ(from_term<std::optional<int>>(term(3)), 3);
  EXPECT_FALSE(try_from_term<std::optional<int>>(term(atoms::ok)));
}

TEST(TermTraits, RecordTraitsMapAStructToATaggedTuple) {
  point p{3, -4};
  term t = to_term(p);
  EXPECT_EQ(to_string(t), "{point,3,-4}");
  EXPECT_EQ(from_term<point>(t), p);
  EXPECT_FALSE(try_from_term<point>(tuple("other"_a, 1, 2)));
  EXPECT_FALSE(try_from_term<point>(tuple("point"_a, 1)));
  EXPECT_FALSE(try_from_term<point>(tuple("point"_a, 1, atoms::ok)));
}

TEST(TermTraits, MapTraitsMapAStructToAMapAndToleratesMissingOptionals) {
  user u{"ada", {"admin"}, 36};
  term t = to_term(u);
  EXPECT_EQ(to_string(t), "#{age => 36,name => <<\"ada\">>,roles => [<<\"admin\">>]}");
  EXPECT_EQ(from_term<user>(t), u);
  term no_age = term::map({{term("name"_a), term::binary("bob")}, {term("roles"_a), term()}});
  EXPECT_EQ(from_term<user>(no_age), (user{"bob", {}, std::nullopt}));
  term no_name = term::map({{term("roles"_a), term()}});
  EXPECT_FALSE(try_from_term<user>(no_name));
}

TEST(TermTraits, TypedMessagesSurviveTheExternalFormat) {
  user u{"ada", {"admin", "dev"}, std::nullopt};
  std::string wire = term_to_binary(to_term(std::make_pair(point{1, 2}, u)));
  auto back = from_term<std::pair<point, user>>(binary_to_term(wire));
  EXPECT_EQ(back.first, (point{1, 2}));
  EXPECT_EQ(back.second, u);
}
