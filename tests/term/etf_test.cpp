// The external term format: the tags we write, the options, and every way bad input fails.

#include "otp/etf.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <initializer_list>
#include <string>

#include "term/fixtures.hpp"

using namespace otp;
using namespace otp::literals;
using otp::test::hex;

namespace {

std::string bytes(std::initializer_list<int> bs) {
  std::string s;
  for (int b : bs) s += char(uint8_t(b));
  return s;
}

std::string with_atom(std::string prefix, std::string_view name) {
  prefix += char(119);
  prefix += char(name.size());
  prefix += name;
  return prefix;
}

etf_error decode_error(const std::string& in, const etf_decode_options& opts = {}) {
  auto r = try_binary_to_term(in, {}, opts);
  EXPECT_FALSE(r) << "decoded " << to_string(r.value);
  return r.error.value_or(etf_error{});
}

}  // namespace

// ---- encoding ------------------------------------------------------------------------------

TEST(EtfEncode, IntegersUseTheSmallestTagErlUses) {
  EXPECT_EQ(hex(term_to_binary(term(0))), "836100");
  EXPECT_EQ(hex(term_to_binary(term(255))), "8361ff");
  EXPECT_EQ(hex(term_to_binary(term(256))), "836200000100");
  EXPECT_EQ(hex(term_to_binary(term(-1))), "8362ffffffff");
  EXPECT_EQ(hex(term_to_binary(term(INT32_MIN))), "836280000000");
  EXPECT_EQ(hex(term_to_binary(term(int64_t(INT32_MAX) + 1))), "836e040000000080");
  EXPECT_EQ(hex(term_to_binary(term(int64_t(INT32_MIN) - 1))), "836e040101000080");
  EXPECT_EQ(hex(term_to_binary(term(UINT64_MAX))), "836e0800ffffffffffffffff");
}

TEST(EtfEncode, ByteListsAreStringsAndOtherListsCoverTheWholeSpine) {
  EXPECT_EQ(hex(term_to_binary(term::string("abc"))), "836b0003616263");
  EXPECT_EQ(hex(term_to_binary(list(256))), "836c0000000162000001006a");
  EXPECT_EQ(hex(term_to_binary(term::list({1, 2}, term(3)))),
            "836c0000000261016102610"
            "3");
  EXPECT_EQ(hex(term_to_binary(term())), "836a");
}

TEST(EtfEncode, AtomsAreUtf8ByDefaultAndLatinOneOnRequest) {
  EXPECT_EQ(hex(term_to_binary(term("ok"_a))),
            "837702"
            "6f6b");
  etf_encode_options latin1;
  latin1.utf8_atoms = false;
  EXPECT_EQ(hex(term_to_binary(term("ok"_a), {}, latin1)), "836400026f6b");
  EXPECT_EQ(hex(term_to_binary(term(atom("é")), {}, latin1)), "83640001e9");
  // Beyond Latin-1 the UTF-8 tags are used either way.
  EXPECT_EQ(hex(term_to_binary(term(atom("日")), {}, latin1)), "837703e697a5");
  // An atom of more than 255 bytes needs ATOM_UTF8_EXT.
  std::string long_name;
  for (int i = 0; i < 100; ++i) long_name += "日";
  std::string enc = term_to_binary(term(atom(long_name)));
  EXPECT_EQ(hex(enc.substr(0, 4)),
            "83760"
            "12c");
  EXPECT_EQ(binary_to_term(enc), term(atom(long_name)));
}

TEST(EtfEncode, LocalPidsRefsAndPortsCarryTheContextNodeAndDecodeBackToLocal) {
  etf_context ctx{atom("n@host"), 7};
  term p(pid::local(5));
  std::string enc = term_to_binary(p, ctx);
  EXPECT_EQ(enc,
            with_atom(bytes({131, 88}), "n@host") + bytes({0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_EQ(binary_to_term(enc, ctx), p);
  // Another node (or another incarnation of this one) sees a remote pid.
  term remote = binary_to_term(enc);
  EXPECT_FALSE(remote.as_pid().is_local());
  EXPECT_EQ(remote.as_pid().node(), atom("n@host"));
  EXPECT_EQ(remote.as_pid().creation(), 7u);
  EXPECT_FALSE(binary_to_term(enc, etf_context{atom("n@host"), 8}).as_pid().is_local());

  term r(reference::make());
  EXPECT_EQ(binary_to_term(term_to_binary(r, ctx), ctx), r);
  term port(port_id::make(atom(), 1, 0));
  EXPECT_EQ(binary_to_term(term_to_binary(port, ctx), ctx), port);
}

TEST(EtfEncode, PortNumbersBeyondThirtyTwoBitsUseV4Ports) {
  term small(port_id::make("a@b"_a, 7, 1)), big(port_id::make("a@b"_a, uint64_t(1) << 40, 1));
  EXPECT_EQ(uint8_t(term_to_binary(small)[1]), 89);
  EXPECT_EQ(uint8_t(term_to_binary(big)[1]), 120);
  EXPECT_EQ(binary_to_term(term_to_binary(big)), big);
}

TEST(EtfEncode, AtomCacheRefsReplaceCachedAtomsAndDecodeWithTheSameCache) {
  atom cache[] = {"ok"_a, "reply"_a};
  etf_encode_options eo;
  eo.atom_cache = cache;
  term t = tuple("reply"_a, "ok"_a, "other"_a);
  std::string enc = term_to_binary(t, {}, eo);
  EXPECT_EQ(hex(enc.substr(0, 7)), "83680352015200");
  etf_decode_options dopt;
  dopt.atom_cache = cache;
  EXPECT_EQ(binary_to_term(enc, {}, dopt), t);
  EXPECT_EQ(decode_error(enc).code, etf_errc::bad_atom_cache_ref);
}

TEST(EtfEncode, WithoutVersionByteForDistributionPayloads) {
  etf_encode_options eo;
  eo.version_byte = false;
  std::string enc = term_to_binary(tuple(1, 2), {}, eo);
  EXPECT_EQ(hex(enc), "680261016102");
  etf_decode_options dopt;
  dopt.version_byte = false;
  EXPECT_EQ(binary_to_term(enc, {}, dopt), tuple(1, 2));
}

TEST(EtfEncode, AppendingEncodesSeveralTermsBackToBackAndPrefixDecodingSplitsThem) {
  std::string out;
  term_to_binary(term(1), out, {});
  term_to_binary("two"_a, out, {});
  etf_decode_options dopt;
  dopt.allow_trailing = true;
  auto first = try_binary_to_term(out, {}, dopt);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value, term(1));
  EXPECT_EQ(first.used, 3u);
  EXPECT_EQ(binary_to_term(std::string_view(out).substr(first.used)), term("two"_a));
}

TEST(EtfEncode, FunsRoundTripOpaquely) {
  term ext = term::export_fun("lists"_a, "map"_a, 2);
  EXPECT_EQ(hex(term_to_binary(ext)), "837177056c6973747377036d61706102");
  local_fun_info f;
  f.module = "zzz"_a;
  f.arity = 1;
  f.uniq[0] = 0xAB;
  f.index = 1;
  f.old_index = 1;
  f.old_uniq = 0x80000000u;  // needs SMALL_BIG_EXT
  f.creator = pid::local(9);
  f.free_vars = {term(1), term::binary("env")};
  term fun = term::local_fun(f);
  term back = binary_to_term(term_to_binary(fun));
  EXPECT_EQ(back, fun);
  EXPECT_EQ(back.as_local_fun().old_uniq, 0x80000000u);
  EXPECT_EQ(back.as_local_fun().free_vars.size(), 2u);
}

TEST(EtfEncode, SubBinariesEncodeAsTheirOwnBytes) {
  std::string big(1000, 'x');
  big[500] = 'y';
  term parent = term::binary(big);
  term part = term::sub_binary(parent, 500, 3);
  EXPECT_EQ(hex(term_to_binary(part)), "836d00000003797878");
}

TEST(EtfEncode, CompressionIsUsedOnlyWhenItShrinksTheTerm) {
  etf_encode_options z;
  z.compression = 9;
  std::string small = term_to_binary(tuple(1, 2), {}, z);
  EXPECT_EQ(uint8_t(small[1]), 104);  // plain
  term big = term::binary(std::string(10000, 'a'));
  std::string packed = term_to_binary(big, {}, z);
  EXPECT_EQ(uint8_t(packed[1]), 80);
  EXPECT_LT(packed.size(), 200u);
  EXPECT_EQ(binary_to_term(packed), big);
}

// ---- decoding: accepted legacy forms --------------------------------------------------------

TEST(EtfDecode, OldTagsOtpStillAcceptsDecode) {
  // ATOM_EXT and SMALL_ATOM_EXT are Latin-1.
  EXPECT_EQ(binary_to_term(bytes({131, 100, 0, 2, 255, 200})), term(atom("ÿÈ")));
  EXPECT_EQ(binary_to_term(bytes({131, 115, 1, 233})), term(atom("é")));
  // FLOAT_EXT: 31 bytes of text.
  std::string f = bytes({131, 99}) + "1.50000000000000000000e+00";
  f.resize(2 + 31, '\0');
  EXPECT_EQ(binary_to_term(f), term(1.5));
  // PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT with 1-byte creations.
  term p = binary_to_term(with_atom(bytes({131, 103}), "a@b") + bytes({0, 0, 0, 5, 0, 0, 0, 0, 1}));
  EXPECT_EQ(p.as_pid().id_field(), 5u);
  EXPECT_EQ(p.as_pid().creation(), 1u);
  term port = binary_to_term(with_atom(bytes({131, 102}), "a@b") + bytes({0, 0, 0, 5, 1}));
  EXPECT_EQ(port.as_port().number(), 5u);
  term r1 = binary_to_term(with_atom(bytes({131, 101}), "a@b") + bytes({0, 0, 0, 5, 1}));
  EXPECT_EQ(r1.as_reference().word_count(), 1u);
  term r3 = binary_to_term(with_atom(bytes({131, 114, 0, 3}), "a@b") +
                           bytes({1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}));
  EXPECT_EQ(r3.as_reference().word(2), 3u);
  EXPECT_EQ(to_string(r3), "#Ref<a@b.3.2.1>");
}

TEST(EtfDecode, OddButValidFormsDecodeAsErlDecodesThem) {
  EXPECT_EQ(binary_to_term(bytes({131, 108, 0, 0, 0, 0, 106})), term());  // empty LIST_EXT
  EXPECT_EQ(binary_to_term(bytes({131, 107, 0, 0})), term());             // empty STRING_EXT
  EXPECT_EQ(binary_to_term(bytes({131, 110, 0, 1})), term(0));            // no digits
  EXPECT_EQ(binary_to_term(bytes({131, 110, 1, 2, 5})), term(-5));        // any sign byte
  EXPECT_EQ(binary_to_term(bytes({131, 110, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0})), term(1));
  EXPECT_EQ(binary_to_term(bytes({131, 77, 0, 0, 0, 1, 3, 255})), term::bitstring("\xE0", 3));
  EXPECT_EQ(binary_to_term(bytes({131, 77, 0, 0, 0, 0, 0})), term::binary(""));
  term pid_wide = binary_to_term(with_atom(bytes({131, 88}), "a@b") +
                                 bytes({255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(pid_wide.as_pid().id_field(), 0xFFFFFFFFu);  // OTP accepts 32-bit IDs
  EXPECT_EQ(hex(term_to_binary(pid_wide)).substr(14, 8), "ffffffff");
}

// ---- decoding: every malformed input fails with what and where --------------------------------

TEST(EtfDecode, EmptyInputAndAWrongVersionByteAreReported) {
  EXPECT_EQ(decode_error("").code, etf_errc::truncated);
  auto e = decode_error(bytes({130, 97, 1}));
  EXPECT_EQ(e.code, etf_errc::bad_version);
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.message.find("130"), std::string::npos);
  EXPECT_EQ(decode_error(bytes({131})).code, etf_errc::truncated);
}

TEST(EtfDecode, DecodingTruncatedInputReportsTheOffset) {
  auto e = decode_error(bytes({131, 104, 2, 97, 1, 98, 0, 0}));
  EXPECT_EQ(e.code, etf_errc::truncated);
  EXPECT_EQ(e.offset, 6u);
  EXPECT_NE(e.message.find("INTEGER_EXT"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("offset 6"), std::string::npos) << e.message;
  try {
    binary_to_term(bytes({131, 104, 2, 97, 1}));
    FAIL();
  } catch (const etf_decode_error& ex) {
    EXPECT_EQ(ex.code(), etf_errc::truncated);
    EXPECT_EQ(ex.offset(), 5u);
  }
}

TEST(EtfDecode, EveryTruncatedPrefixOfEveryCorpusTermFailsCleanly) {
  size_t checked = 0;
  for (auto& row : otp::test::read_tsv("etf_corpus.tsv")) {
    if (row.at(1) == "-" || row.at(1).size() > 4000) continue;
    std::string full = otp::test::unhex(row.at(1));
    for (size_t n = 0; n < full.size(); ++n) {
      auto r = try_binary_to_term(std::string_view(full).substr(0, n));
      ASSERT_FALSE(r) << row.at(0) << " prefix " << n;
      EXPECT_LE(r.error->offset, n) << row.at(0);
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000u);
}

TEST(EtfDecode, UnknownTagsAreRejected) {
  auto e = decode_error(bytes({131, 104, 1, 200}));
  EXPECT_EQ(e.code, etf_errc::unknown_tag);
  EXPECT_EQ(e.offset, 3u);
  EXPECT_EQ(decode_error(bytes({131, 121, 0})).code, etf_errc::unknown_tag);  // LOCAL_EXT
  EXPECT_EQ(decode_error(bytes({131, 68, 0})).code, etf_errc::unknown_tag);   // a dist header
}

TEST(EtfDecode, FloatsMustBeFiniteAndOldFloatTextMustParse) {
  EXPECT_EQ(decode_error(bytes({131, 70, 127, 240, 0, 0, 0, 0, 0, 0})).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 70, 127, 248, 0, 0, 0, 0, 0, 1})).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 70, 0, 0})).code, etf_errc::truncated);
  std::string junk = bytes({131, 99}) + "not a float";
  junk.resize(33, '\0');
  EXPECT_EQ(decode_error(junk).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 99, '1'})).code, etf_errc::truncated);
}

TEST(EtfDecode, BadAtomsAreRejected) {
  EXPECT_EQ(decode_error(bytes({131, 119, 1, 255})).code, etf_errc::bad_atom);         // bad UTF-8
  EXPECT_EQ(decode_error(bytes({131, 119, 2, 0xC0, 0x80})).code, etf_errc::bad_atom);  // overlong
  EXPECT_EQ(decode_error(bytes({131, 119, 3, 0xED, 0xA0, 0x80})).code,
            etf_errc::bad_atom);  // surrogate
  std::string latin(256, 'a');
  EXPECT_EQ(decode_error(bytes({131, 100, 1, 0}) + latin).code, etf_errc::bad_atom);  // 256 chars
  std::string utf8;
  for (int i = 0; i < 256; ++i) utf8 += "é";
  EXPECT_EQ(decode_error(bytes({131, 118, 2, 0}) + utf8).code, etf_errc::bad_atom);
  EXPECT_EQ(decode_error(bytes({131, 119, 5, 'a'})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 118, 0})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 82})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 82, 0})).code, etf_errc::bad_atom_cache_ref);
}

TEST(EtfDecode, SafeModeRefusesAtomsThatDoNotExistYet) {
  etf_decode_options safe;
  safe.existing_atoms_only = true;
  EXPECT_EQ(binary_to_term(bytes({131, 119, 2, 'o', 'k'}), {}, safe), term(atoms::ok));
  std::string fresh = with_atom(bytes({131}), "surely_not_an_atom_yet_4711");
  auto e = decode_error(fresh, safe);
  EXPECT_EQ(e.code, etf_errc::bad_atom);
  bool found = true;
  atom::existing("surely_not_an_atom_yet_4711", found);
  EXPECT_FALSE(found);
}

TEST(EtfDecode, CountsLargerThanTheRemainingInputFailBeforeAllocating) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(decode_error(bytes({131, 105, 255, 255, 255, 255, 97, 1})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 108, 255, 255, 255, 255, 106})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 116, 255, 255, 255, 255})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 109, 255, 255, 255, 255, 0})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 111, 255, 255, 255, 255, 0, 1})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 107, 255, 255, 1})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 104, 3, 97, 1})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 77, 255, 255, 255, 255, 8})).code, etf_errc::truncated);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(EtfDecode, ListsNeedTheirTailAndMapsMustNotRepeatKeys) {
  EXPECT_EQ(decode_error(bytes({131, 108, 0, 0, 0, 1, 97, 1})).code, etf_errc::truncated);
  auto e = decode_error(bytes({131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3}));
  EXPECT_EQ(e.code, etf_errc::duplicate_map_key);
  EXPECT_EQ(e.offset, 1u);
  EXPECT_EQ(decode_error(bytes({131, 116, 0, 0, 0, 1, 97, 1})).code, etf_errc::truncated);
}

TEST(EtfDecode, BitBinariesNeedABitCountThatFitsTheirLastByte) {
  EXPECT_EQ(decode_error(bytes({131, 77, 0, 0, 0, 1, 0, 255})).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 77, 0, 0, 0, 1, 9, 255})).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 77, 0, 0, 0, 0, 3})).code, etf_errc::bad_value);
  EXPECT_EQ(decode_error(bytes({131, 77, 0, 0, 0, 1})).code, etf_errc::truncated);
}

TEST(EtfDecode, PidsPortsAndRefsNeedANodeAtomAndTheirFields) {
  EXPECT_EQ(decode_error(bytes({131, 88, 97, 1})).code, etf_errc::unknown_tag);  // node not an atom
  EXPECT_EQ(decode_error(bytes({131, 88, 119, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})).code,
            etf_errc::bad_value);  // empty node name
  EXPECT_EQ(decode_error(with_atom(bytes({131, 88}), "a@b") + bytes({0, 0, 0, 1})).code,
            etf_errc::truncated);
  EXPECT_EQ(decode_error(with_atom(bytes({131, 89}), "a@b") + bytes({0, 0, 0, 1})).code,
            etf_errc::truncated);
  EXPECT_EQ(decode_error(with_atom(bytes({131, 120}), "a@b") + bytes({0, 0, 0, 1})).code,
            etf_errc::truncated);
  auto six = decode_error(with_atom(bytes({131, 90, 0, 6}), "a@b") + std::string(28, '\0'));
  EXPECT_EQ(six.code, etf_errc::bad_value);
  EXPECT_NE(six.message.find("at most 5"), std::string::npos);
  EXPECT_EQ(decode_error(with_atom(bytes({131, 90, 0, 3}), "a@b") + bytes({0, 0, 0, 1, 0, 0})).code,
            etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 90, 0})).code, etf_errc::truncated);
  // Zero ID words: OTP accepts it, and so do we.
  EXPECT_TRUE(try_binary_to_term(with_atom(bytes({131, 90, 0, 0}), "a@b") + bytes({0, 0, 0, 1})));
}

TEST(EtfDecode, ExportFunsNeedAtomsAndASmallIntegerArity) {
  EXPECT_EQ(decode_error(bytes({131, 113, 97, 1})).code, etf_errc::unknown_tag);
  EXPECT_EQ(
      decode_error(with_atom(with_atom(bytes({131, 113}), "m"), "f") + bytes({98, 0, 0, 0, 1}))
          .code,
      etf_errc::bad_value);
  EXPECT_EQ(decode_error(with_atom(with_atom(bytes({131, 113}), "m"), "f") + bytes({97})).code,
            etf_errc::truncated);
}

TEST(EtfDecode, LocalFunsMustHaveConsistentSizesAndFields) {
  local_fun_info f;
  f.module = "m"_a;
  f.creator = pid::local(1);
  f.free_vars = {term(1)};
  std::string good = term_to_binary(term::local_fun(f));
  ASSERT_TRUE(try_binary_to_term(good));
  std::string bad_size = good;
  bad_size[5] = char(uint8_t(bad_size[5]) + 1);
  auto e = decode_error(bad_size);
  EXPECT_EQ(e.code, etf_errc::bad_value);
  EXPECT_NE(e.message.find("NEW_FUN_EXT"), std::string::npos);
  // OldIndex must be a non-negative integer: replace its SMALL_INTEGER_EXT with an atom.
  size_t old_index_at = 2 + 4 + 1 + 16 + 4 + 4 + 3;
  ASSERT_EQ(uint8_t(good[old_index_at]), 97);
  std::string bad_index =
      good.substr(0, old_index_at) + bytes({119, 0}) + good.substr(old_index_at + 2);
  EXPECT_EQ(decode_error(bad_index).code, etf_errc::bad_value);
  std::string negative = good.substr(0, old_index_at) + bytes({98, 255, 255, 255, 255}) +
                         good.substr(old_index_at + 2);
  EXPECT_EQ(decode_error(negative).code, etf_errc::bad_value);
  // The creator must be a pid.
  size_t pid_at = old_index_at + 2 + 2;
  ASSERT_EQ(uint8_t(good[pid_at]), 88);
  EXPECT_EQ(decode_error(good.substr(0, pid_at) + bytes({97, 1})).code, etf_errc::unknown_tag);
  EXPECT_EQ(decode_error(good.substr(0, 20)).code, etf_errc::truncated);
}

TEST(EtfDecode, CompressedTermsAreCheckedBeforeAndAfterInflating) {
  etf_encode_options z;
  z.compression = 6;
  std::string packed = term_to_binary(term::binary(std::string(5000, 'q')), {}, z);
  ASSERT_EQ(uint8_t(packed[1]), 80);
  ASSERT_TRUE(try_binary_to_term(packed));
  // Corrupt zlib data.
  std::string corrupt = packed;
  corrupt[8] = char(~corrupt[8]);
  EXPECT_EQ(decode_error(corrupt).code, etf_errc::bad_compression);
  // A declared size that differs from what the data inflates to.
  std::string wrong = packed;
  wrong[5] = char(uint8_t(wrong[5]) + 1);
  EXPECT_EQ(decode_error(wrong).code, etf_errc::bad_compression);
  // A size beyond the limit or beyond what the data could hold is refused up front.
  EXPECT_EQ(decode_error(bytes({131, 80, 255, 255, 255, 255, 120, 156})).code,
            etf_errc::bad_compression);
  etf_decode_options small_cap;
  small_cap.max_uncompressed_size = 1000;
  EXPECT_EQ(decode_error(packed, small_cap).code, etf_errc::bad_compression);
  // Truncated header, and tag 80 nested inside a term.
  EXPECT_EQ(decode_error(bytes({131, 80, 0, 0})).code, etf_errc::truncated);
  EXPECT_EQ(decode_error(bytes({131, 104, 1, 80, 0, 0, 0, 1})).code, etf_errc::unknown_tag);
}

TEST(EtfDecode, ErrorsInsideCompressedDataPointIntoTheUncompressedBytes) {
  // A list of one element without its tail: truncated at uncompressed offset 7.
  std::string body = bytes({108, 0, 0, 0, 1, 97, 1});
  uLongf cap = compressBound(uLong(body.size()));
  std::string z(cap, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &cap,
                      reinterpret_cast<const Bytef*>(body.data()), uLong(body.size()), 6),
            Z_OK);
  z.resize(cap);
  std::string enc = bytes({131, 80, 0, 0, 0, int(body.size())}) + z;
  auto e = decode_error(enc);
  EXPECT_EQ(e.code, etf_errc::truncated);
  EXPECT_TRUE(e.in_compressed);
  EXPECT_EQ(e.offset, 7u);
  EXPECT_NE(e.message.find("uncompressed"), std::string::npos) << e.message;
  // Bytes left over inside the compressed data are refused too.
  std::string extra = bytes({106, 106});
  cap = compressBound(2);
  z.assign(cap, '\0');
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(z.data()), &cap,
                      reinterpret_cast<const Bytef*>(extra.data()), 2, 6),
            Z_OK);
  z.resize(cap);
  EXPECT_EQ(decode_error(bytes({131, 80, 0, 0, 0, 2}) + z).code, etf_errc::bad_compression);
}

TEST(EtfDecode, TrailingBytesAreAnErrorUnlessAllowed) {
  auto e = decode_error(bytes({131, 106, 0}));
  EXPECT_EQ(e.code, etf_errc::trailing_data);
  EXPECT_EQ(e.offset, 2u);
  etf_decode_options loose;
  loose.allow_trailing = true;
  auto r = try_binary_to_term(bytes({131, 106, 0}), {}, loose);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.used, 2u);
}

// ---- depth ------------------------------------------------------------------------------------

TEST(EtfDecode, HundredThousandNestedTuplesDecodeEncodeCompareAndPrintWithoutRecursion) {
  constexpr int depth = 100'000;
  std::string enc = bytes({131});
  for (int i = 0; i < depth; ++i) enc += bytes({104, 1});
  enc += bytes({106});
  term t = binary_to_term(enc);
  EXPECT_EQ(term_to_binary(t), enc);
  term u = binary_to_term(enc);
  EXPECT_EQ(t, u);
  EXPECT_EQ(t.hash(), u.hash());
  EXPECT_EQ(to_string(t).size(), size_t(depth) * 2 + 2);
}

TEST(EtfDecode, HundredThousandNestedListsAndMapsDecode) {
  constexpr int depth = 100'000;
  std::string lists = bytes({131});
  for (int i = 0; i < depth; ++i) lists += bytes({108, 0, 0, 0, 1});  // [[[...]]]
  lists += bytes({106});
  for (int i = 0; i < depth; ++i) lists += bytes({106});
  term l = binary_to_term(lists);
  EXPECT_EQ(term_to_binary(l), lists);

  std::string maps = bytes({131});
  for (int i = 0; i < depth; ++i) maps += bytes({116, 0, 0, 0, 1, 97, 1});  // #{1 => #{1 => ...}}
  maps += bytes({106});
  EXPECT_EQ(term_to_binary(binary_to_term(maps)), maps);

  // Maps nested in keys make the key comparisons themselves deep.
  std::string keys = bytes({131});
  for (int i = 0; i < depth; ++i)
    keys += bytes({116, 0, 0, 0, 2, 97, 1, 106});  // #{1 => [], K => []}
  keys += bytes({106});
  for (int i = 0; i < depth; ++i) keys += bytes({106});
  EXPECT_TRUE(try_binary_to_term(keys));
}
