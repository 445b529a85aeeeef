// The erl-made corpus: every term erl encoded decodes, re-encodes to the same bytes (plain,
// Latin-1 atoms and compressed), and prints as erl's ~p printed it.

#include <gtest/gtest.h>

#include "otp/etf.hpp"
#include "otp/term_parse.hpp"
#include "term/fixtures.hpp"

using namespace otp;
using otp::test::hex;
using otp::test::unhex;

namespace {

struct corpus_entry {
  std::string name, etf, etf_latin1, etf_compressed, printed, unordered;
};

std::vector<corpus_entry> corpus() {
  std::vector<corpus_entry> out;
  for (auto& f : otp::test::read_tsv("etf_corpus.tsv")) {
    corpus_entry e{f.at(0), f.at(1), f.at(2), f.at(3), f.at(4), f.size() > 5 ? f[5] : ""};
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

TEST(EtfCorpus, EveryTermErlEncodedDecodesAndReencodesByteForByte) {
  auto entries = corpus();
  ASSERT_GT(entries.size(), 300u);
  for (auto& e : entries) {
    if (e.etf == "-") continue;
    auto r = try_binary_to_term(unhex(e.etf));
    ASSERT_TRUE(r) << e.name << ": " << r.error->message;
    EXPECT_EQ(hex(term_to_binary(r.value)), e.etf) << e.name << ": " << to_string(r.value);
  }
}

TEST(EtfCorpus, LatinOneAtomEncodingMatchesOtp25Default) {
  etf_encode_options latin1;
  latin1.utf8_atoms = false;
  for (auto& e : corpus()) {
    if (e.etf_latin1 == "-") continue;
    term t = binary_to_term(unhex(e.etf_latin1));
    EXPECT_EQ(t, binary_to_term(unhex(e.etf))) << e.name;
    EXPECT_EQ(hex(term_to_binary(t, {}, latin1)), e.etf_latin1) << e.name;
  }
}

TEST(EtfCorpus, CompressedEncodingMatchesErlIncludingWhenNotToCompress) {
  etf_encode_options z;
  z.compression = 6;  // erl's [compressed]
  for (auto& e : corpus()) {
    if (e.etf_compressed == "-") continue;
    term t = binary_to_term(unhex(e.etf_compressed));
    EXPECT_EQ(t, binary_to_term(unhex(e.etf))) << e.name;
    EXPECT_EQ(hex(term_to_binary(t, {}, z)), e.etf_compressed) << e.name;
  }
}

TEST(EtfCorpus, MapsOverThirtyTwoKeysDecodeToTheSameTermInKeyOrder) {
  for (auto& e : corpus()) {
    if (e.unordered.empty()) continue;
    term t = binary_to_term(unhex(e.unordered));
    // Ours is in key order; decoding it gives the same map.
    EXPECT_EQ(binary_to_term(term_to_binary(t)), t) << e.name;
  }
}

TEST(EtfCorpus, PrintsEveryTermAsErlsTildeP) {
  for (auto& e : corpus()) {
    if (e.printed == "-") continue;
    term t = binary_to_term(unhex(e.etf));
    EXPECT_EQ(to_string(t), e.printed) << e.name;
  }
}

TEST(EtfCorpus, PrintedFormsOfReadableTermsParseBackToTheSameTerm) {
  for (auto& e : corpus()) {
    if (e.printed == "-") continue;
    term t = binary_to_term(unhex(e.etf));
    auto r = try_parse_term(e.printed);
    if (!r) {
      // Only pids, references, ports and local funs have no readable form.
      EXPECT_TRUE(e.printed.find('<') != std::string::npos ||
                  e.printed.find("#Fun") != std::string::npos ||
                  e.printed.find("#Ref") != std::string::npos ||
                  e.printed.find("#Port") != std::string::npos)
          << e.name << ": " << r.error->message;
      continue;
    }
    EXPECT_EQ(r.value, t) << e.name << ": " << e.printed;
  }
}

TEST(EtfCorpus, FloatsPrintInErlsShortestFormAndRoundTrip) {
  auto rows = otp::test::read_tsv("floats.tsv");
  ASSERT_EQ(rows.size(), 2000u);
  for (auto& f : rows) {
    term t = binary_to_term(unhex(f.at(0)));
    EXPECT_EQ(to_string(t), f.at(1));
    EXPECT_EQ(hex(term_to_binary(t)), f.at(0));
    EXPECT_EQ(parse_term(f.at(1)), t) << f.at(1);
  }
}

TEST(EtfCorpus, ConsultReadsTheSameTermsAsErlsFileConsult) {
  auto expected = otp::test::read_tsv("consult_expected.tsv");
  auto terms = consult_file(otp::test::fixture_path("consult_input.txt"));
  ASSERT_EQ(terms.size(), expected.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    term want = binary_to_term(unhex(expected[i].at(0)));
    EXPECT_EQ(terms[i], want) << "term " << i << ": got " << to_string(terms[i]) << ", erl read "
                              << to_string(want);
  }
}
