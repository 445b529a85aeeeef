// ~/.erlang.cookie: created like erl (mode 0400, uppercase letters), read with erl's rules,
// and interchangeable with erl in both directions.

#include "dist/cookie.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "support.hpp"

using namespace otp::dist;
using otp::test::temp_dir;

namespace {

std::string cookie_path(const temp_dir& d) {
  return d.path + "/.erlang.cookie";
}

void write_cookie(const temp_dir& d, const std::string& contents, mode_t mode) {
  std::string p = cookie_path(d);
  ::chmod(p.c_str(), 0600);
  {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << contents;
  }
  ::chmod(p.c_str(), mode);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const cookie_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Cookie, AMissingFileIsCreatedWithUppercaseLettersAndMode0400) {
  temp_dir home;
  std::string c = read_or_create_cookie(home.path);
  EXPECT_EQ(c.size(), generated_cookie_length);
  for (char ch : c) EXPECT_TRUE(ch >= 'A' && ch <= 'Z') << c;
  struct stat st {};
  ASSERT_EQ(::stat(cookie_path(home).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  // No temporary file is left behind.
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(home.path)) (void)e, ++files;
  EXPECT_EQ(files, 1u);
  // Read back, the same cookie.
  EXPECT_EQ(read_or_create_cookie(home.path), c);
}

TEST(Cookie, GeneratedCookiesCarryAtLeast128BitsAndDiffer) {
  // 26^28 > 2^131.
  EXPECT_GE(generated_cookie_length * 4.7, 128.0);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(generate_cookie());
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Cookie, AnExistingCookieIsReadWithTrailingNewlinesDropped) {
  temp_dir home;
  write_cookie(home, "MYCOOKIE\r\n\n", 0400);
  EXPECT_EQ(read_or_create_cookie(home.path), "MYCOOKIE");
  write_cookie(home, "MYCOOKIE", 0600);
  EXPECT_EQ(read_or_create_cookie(home.path), "MYCOOKIE");
}

TEST(Cookie, SpacesInsideAndAroundAreKeptAsErlKeepsThem) {
  // erl 25: '  abc\n' gives '  abc', 'abc  \n' gives 'abc  '.
  EXPECT_EQ(parse_cookie_file("  abc\n"), "  abc");
  EXPECT_EQ(parse_cookie_file("abc  \n"), "abc  ");
  EXPECT_EQ(parse_cookie_file("a b\n \n"), "a b");
}

TEST(Cookie, BadContentsAreRefusedWithErlsMessages) {
  EXPECT_EQ(error_of([] { parse_cookie_file(""); }), "Too short cookie string");
  EXPECT_EQ(error_of([] { parse_cookie_file("\n"); }), "Too short cookie string");
  EXPECT_EQ(error_of([] { parse_cookie_file("abc\ndef"); }), "Bad characters in cookie");
  EXPECT_EQ(error_of([] { parse_cookie_file("a\tb"); }), "Bad characters in cookie");
  EXPECT_EQ(error_of([] { parse_cookie_file("caf\xc3\xa9"); }), "Bad characters in cookie");
}

TEST(Cookie, AFileOthersCanReadIsRefusedAsErlRefusesIt) {
  temp_dir home;
  for (mode_t mode : {0440, 0404, 0444, 0640, 0410, 0401}) {
    write_cookie(home, "abc", mode);
    EXPECT_EQ(error_of([&] { read_or_create_cookie(home.path); }),
              "Cookie file " + cookie_path(home) + " must be accessible by owner only")
        << std::oct << mode;
  }
  for (mode_t mode : {0400, 0600, 0700}) {
    write_cookie(home, "abc", mode);
    EXPECT_EQ(read_or_create_cookie(home.path), "abc") << std::oct << mode;
  }
}

TEST(Cookie, ACookieFileAtAnyPathIsReadWithTheSameChecksAndNeverCreated) {
  temp_dir home;
  EXPECT_EQ(read_cookie_file(cookie_path(home)), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(cookie_path(home)));
  write_cookie(home, "abc\n", 0400);
  EXPECT_EQ(read_cookie_file(cookie_path(home)), "abc");
  write_cookie(home, "abc", 0640);
  EXPECT_EQ(error_of([&] { read_cookie_file(cookie_path(home)); }),
            "Cookie file " + cookie_path(home) + " must be accessible by owner only");
}

TEST(Cookie, ADirectoryInPlaceOfTheFileIsRefused) {
  temp_dir home;
  std::filesystem::create_directory(cookie_path(home));
  EXPECT_NE(error_of([&] { read_or_create_cookie(home.path); }).find("is of type directory"),
            std::string::npos);
  EXPECT_EQ(error_of([] { read_or_create_cookie(""); }), "No home for cookie file");
  EXPECT_NE(error_of([] {
              read_or_create_cookie("/nonexistent/dir/for/otpp");
            }).find("Failed to create cookie file"),
            std::string::npos);
}

TEST(Cookie, ValidationAcceptsPrintableAsciiUpTo255Characters) {
  EXPECT_TRUE(is_valid_cookie("a"));
  EXPECT_TRUE(is_valid_cookie(" with spaces ~"));
  EXPECT_TRUE(is_valid_cookie(std::string(255, 'x')));
  EXPECT_FALSE(is_valid_cookie(""));
  EXPECT_FALSE(is_valid_cookie(std::string(256, 'x')));
  EXPECT_FALSE(is_valid_cookie("new\nline"));
  EXPECT_FALSE(is_valid_cookie("caf\xc3\xa9"));
  EXPECT_THROW(validate_cookie("a\tb"), cookie_error);
  EXPECT_NO_THROW(validate_cookie("ok"));
}

TEST(Cookie, ErlUsesTheCookieFileWeCreateAndWeReadTheOneErlCreates) {
  if (otp::test::find_executable("erl").empty()) GTEST_SKIP() << "erl is not installed";
  // A distributed erl that neither listens nor needs epmd, just to have auth read the file.
  auto erl_cookie = [](const std::string& home) {
    otp::test::child_process erl(
        {"erl", "-noshell", "-sname", "cookie_" + otp::test::random_suffix() + "@localhost",
         "-dist_listen", "false", "-start_epmd", "false", "-eval",
         "io:format(\"cookie=~s~n\", [erlang:get_cookie()]), halt()."},
        {{"HOME", home}, {"ERL_EPMD_PORT", "1"}});
    return erl.read_line(std::chrono::seconds(30)).value_or("(no output)");
  };
  temp_dir ours;
  std::string c = read_or_create_cookie(ours.path);
  EXPECT_EQ(erl_cookie(ours.path), "cookie=" + c);

  temp_dir theirs;
  std::string erls = erl_cookie(theirs.path);
  EXPECT_EQ(erls, "cookie=" + read_or_create_cookie(theirs.path));
  EXPECT_EQ(erls.size(), 7u + 20u);  // erl writes 20 letters
}
