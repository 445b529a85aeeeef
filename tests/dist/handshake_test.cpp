// The handshake state machine: both roles against each other (right and wrong cookies, every
// status), hand-made peers for what a correct peer never sends, byte-exact messages, and
// the rule that nothing lasting (no atom) is made for a peer before its digest checks out.

#include "dist/handshake.hpp"

#include <gtest/gtest.h>

#include "dist/cookie.hpp"
#include "support.hpp"

using namespace otp;
using namespace otp::dist;

namespace {

std::string hexs(std::string_view s) {
  static constexpr char d[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    out += d[uint8_t(c) >> 4];
    out += d[uint8_t(c) & 15];
  }
  return out;
}

std::string be16(uint16_t v) {
  return {char(v >> 8), char(v & 0xFF)};
}
std::string be32(uint32_t v) {
  std::string s;
  for (int sh = 24; sh >= 0; sh -= 8) s += char(uint8_t(v >> sh));
  return s;
}
std::string be64(uint64_t v) {
  return be32(uint32_t(v >> 32)) + be32(uint32_t(v));
}
std::string msg(std::string body) {
  return be16(uint16_t(body.size())) + body;
}

handshake_options opts(std::string name, std::string cookie = "secret", uint32_t creation = 1) {
  handshake_options o;
  o.node_name = std::move(name);
  o.cookie = std::move(cookie);
  o.creation = creation;
  return o;
}

// A fresh name whose atom does not exist yet.
std::string fresh_name(const char* role) {
  return std::string(role) + "_" + otp::test::random_suffix() + "@host";
}

// Moves bytes between the two until neither has anything to send.
void pump(handshake& a, handshake& b) {
  for (int i = 0; i < 20; ++i) {
    std::string ab = a.take_output(), ba = b.take_output();
    if (ab.empty() && ba.empty()) return;
    if (!ab.empty()) b.feed(ab);
    if (!ba.empty()) a.feed(ba);
  }
}

// Like pump, but one byte at a time.
void pump_bytewise(handshake& a, handshake& b) {
  for (int i = 0; i < 20; ++i) {
    std::string ab = a.take_output(), ba = b.take_output();
    if (ab.empty() && ba.empty()) return;
    for (char c : ab) b.feed(std::string_view(&c, 1));
    for (char c : ba) a.feed(std::string_view(&c, 1));
  }
}

const handshake_failed& failure(const handshake& h) {
  static const handshake_failed none{};
  auto* f = std::get_if<handshake_failed>(&h.state());
  EXPECT_TRUE(f) << "the handshake did not fail";
  return f ? *f : none;
}

// The name message an initiator would send.
std::string name_msg(uint64_t flags, uint32_t creation, std::string_view name) {
  return msg("N" + be64(flags) + be32(creation) + be16(uint16_t(name.size())) + std::string(name));
}
// The challenge message an acceptor would send.
std::string challenge_msg(uint64_t flags, uint32_t challenge, uint32_t creation,
                          std::string_view name) {
  return msg("N" + be64(flags) + be32(challenge) + be32(creation) + be16(uint16_t(name.size())) +
             std::string(name));
}

constexpr uint64_t erl_like_flags = default_flags | DFLAG_PUBLISHED;

}  // namespace

TEST(Handshake, TheDigestIsMd5OfTheCookieAndTheDecimalChallengeAsErlComputesIt) {
  // erlang:md5(["COOKIE" | integer_to_list(4294967295)]) and (["abc" | "0"]) in erl 25.
  EXPECT_EQ(hexs(handshake_digest("COOKIE", 4294967295u)), "88C5FCCED016FEE71B36AAE87AC1B1FE");
  EXPECT_EQ(hexs(handshake_digest("abc", 0)), "577571BE4DE9DCCE85A041BA0410F29F");
}

TEST(Handshake, BothRolesCompleteWhenTheCookiesMatch) {
  auto a = handshake::initiate(opts("a@host", "secret", 0x11223344), "b@host");
  auto b = handshake::accept(opts("b@host", "secret", 0x55667788));
  pump(a, b);
  ASSERT_TRUE(a.done()) << failure(a).reason;
  ASSERT_TRUE(b.done()) << failure(b).reason;
  const auto& da = std::get<handshake_done>(a.state());
  const auto& db = std::get<handshake_done>(b.state());
  EXPECT_EQ(da.peer_name, "b@host");
  EXPECT_EQ(da.peer_atom, atom("b@host"));
  EXPECT_EQ(da.peer_creation, 0x55667788u);
  EXPECT_EQ(db.peer_name, "a@host");
  EXPECT_EQ(db.peer_creation, 0x11223344u);
  EXPECT_EQ(da.flags, db.flags);
  EXPECT_EQ(da.flags & DFLAG_PUBLISHED, DFLAG_PUBLISHED);
  EXPECT_FALSE(da.simultaneous);
  EXPECT_FALSE(db.replaces_existing);
}

TEST(Handshake, FeedingOneByteAtATimeCompletesToo) {
  auto a = handshake::initiate(opts("a@host"), "b@host");
  auto b = handshake::accept(opts("b@host"));
  pump_bytewise(a, b);
  EXPECT_TRUE(a.done());
  EXPECT_TRUE(b.done());
}

TEST(Handshake, AWrongCookieIsRefusedWithoutCreatingAnAtom) {
  std::string a_name = fresh_name("a"), b_name = fresh_name("b");
  uint32_t atoms_before = atom::count();
  auto a = handshake::initiate(opts(a_name, "one"), b_name);
  auto b = handshake::accept(opts(b_name, "two"));
  pump(a, b);
  EXPECT_EQ(failure(b).code, handshake_errc::bad_digest);
  EXPECT_NE(failure(b).reason.find(a_name), std::string::npos);
  // The acceptor sent no ack, so the initiator is still waiting (its caller times out or
  // sees the connection close).
  EXPECT_FALSE(a.done());
  EXPECT_FALSE(a.failed());
  EXPECT_EQ(atom::count(), atoms_before);
  bool found = true;
  atom::existing(a_name, found);
  EXPECT_FALSE(found);
}

TEST(Handshake, TheInitiatorChecksTheAcceptorsDigestToo) {
  auto a = handshake::initiate(opts("a@host", "mine"), "b@host");
  (void)a.take_output();
  a.feed(msg("sok"));
  a.feed(challenge_msg(erl_like_flags, 1234, 9, "b@host"));
  std::string reply = a.take_output();
  ASSERT_EQ(reply.size(), 2u + 21u);
  EXPECT_EQ(reply.substr(7), handshake_digest("mine", 1234));
  // An ack made with another cookie.
  uint32_t our_challenge = uint32_t(uint8_t(reply[3])) << 24 | uint32_t(uint8_t(reply[4])) << 16 |
                           uint32_t(uint8_t(reply[5])) << 8 | uint8_t(reply[6]);
  a.feed(msg("a" + handshake_digest("theirs", our_challenge)));
  EXPECT_EQ(failure(a).code, handshake_errc::bad_digest);
}

TEST(Handshake, TheNameMessageIsByteExact) {
  auto a = handshake::initiate(opts("a@h", "c", 0xAABBCCDD), "");
  std::string out = a.take_output();
  uint64_t flags = default_flags | DFLAG_PUBLISHED;
  EXPECT_EQ(out, name_msg(flags, 0xAABBCCDD, "a@h"));
  EXPECT_EQ(flags & (DFLAG_DIST_HDR_ATOM_CACHE | DFLAG_FRAGMENTS), 0u);
  EXPECT_EQ(flags & DFLAG_DIST_MANDATORY_25, DFLAG_DIST_MANDATORY_25);
  for (uint64_t f : {DFLAG_MANDATORY_25_DIGEST, DFLAG_DIST_MONITOR, DFLAG_DIST_MONITOR_NAME,
                     DFLAG_ALIAS, DFLAG_EXIT_PAYLOAD, DFLAG_SPAWN, DFLAG_UNLINK_ID, DFLAG_V4_NC})
    EXPECT_TRUE(flags & f) << flag_names(f);
}

TEST(Handshake, TheAcceptorAnswersOkThenChallengesWithItsFlagsCreationAndName) {
  handshake_options o = opts("b@h", "c", 77);
  o.challenge_source = [] { return 0xCAFEBABE; };
  auto b = handshake::accept(o);
  b.feed(name_msg(erl_like_flags, 5, "a@h"));
  EXPECT_EQ(b.take_output(),
            msg("sok") + challenge_msg(default_flags | DFLAG_PUBLISHED, 0xCAFEBABE, 77, "b@h"));
  b.feed(msg("r" + be32(42) + handshake_digest("c", 0xCAFEBABE)));
  ASSERT_TRUE(b.done()) << failure(b).reason;
  EXPECT_EQ(b.take_output(), msg("a" + handshake_digest("c", 42)));
}

TEST(Handshake, BytesAfterTheLastMessageAreLeftForTheFrameLayer) {
  auto a = handshake::initiate(opts("a@host"), "b@host");
  auto b = handshake::accept(opts("b@host"));
  b.feed(a.take_output());
  a.feed(b.take_output());
  b.feed(a.take_output());
  ASSERT_TRUE(b.done());
  std::string ack = b.take_output();
  a.feed(ack + std::string(4, '\0') + "more");
  ASSERT_TRUE(a.done());
  EXPECT_EQ(a.take_leftover(), std::string(4, '\0') + "more");
  a.feed("later");
  EXPECT_EQ(a.take_leftover(), "later");
}

TEST(Handshake, OkSimultaneousContinuesAndIsReported) {
  auto a = handshake::initiate(opts("z@host"), "b@host");
  auto b = handshake::accept(
      opts("b@host"), [](const std::string& peer) { return resolve_simultaneous("b@host", peer); });
  pump(a, b);
  ASSERT_TRUE(a.done());
  EXPECT_TRUE(std::get<handshake_done>(a.state()).simultaneous);
  EXPECT_TRUE(b.done());
}

TEST(Handshake, NokMeansThePeersOwnAttemptWins) {
  auto a = handshake::initiate(opts("a@host"), "b@host");
  auto b = handshake::accept(
      opts("b@host"), [](const std::string& peer) { return resolve_simultaneous("b@host", peer); });
  pump(a, b);
  EXPECT_EQ(failure(a).code, handshake_errc::nok);
  EXPECT_EQ(failure(b).code, handshake_errc::refused);
}

TEST(Handshake, TheGreaterNameWinsASimultaneousConnect) {
  EXPECT_EQ(resolve_simultaneous("a@h", "b@h"), accept_decision::ok_simultaneous);
  EXPECT_EQ(resolve_simultaneous("b@h", "a@h"), accept_decision::nok);
  EXPECT_EQ(resolve_simultaneous("a@h", "a@i"), accept_decision::ok_simultaneous);
}

TEST(Handshake, NotAllowedIsReportedToTheInitiator) {
  auto a = handshake::initiate(opts("a@host"), "b@host");
  auto b = handshake::accept(opts("b@host"),
                             [](const std::string&) { return accept_decision::not_allowed; });
  pump(a, b);
  EXPECT_EQ(failure(a).code, handshake_errc::not_allowed);
  EXPECT_EQ(failure(b).code, handshake_errc::refused);
}

TEST(Handshake, AliveAnsweredTrueReplacesTheOldConnection) {
  std::string asked;
  auto a = handshake::initiate(opts("a@host"), "b@host", [&](const std::string& peer) {
    asked = peer;
    return true;
  });
  auto b =
      handshake::accept(opts("b@host"), [](const std::string&) { return accept_decision::alive; });
  pump(a, b);
  EXPECT_EQ(asked, "b@host");
  ASSERT_TRUE(a.done());
  ASSERT_TRUE(b.done());
  EXPECT_TRUE(std::get<handshake_done>(b.state()).replaces_existing);
}

TEST(Handshake, AliveAnsweredFalseEndsBothSides) {
  auto a = handshake::initiate(opts("a@host"), "b@host", [](const std::string&) { return false; });
  auto b =
      handshake::accept(opts("b@host"), [](const std::string&) { return accept_decision::alive; });
  pump(a, b);
  EXPECT_EQ(failure(a).code, handshake_errc::alive);
  EXPECT_EQ(failure(b).code, handshake_errc::alive);
}

TEST(Handshake, TheInitiatorRefusesAnAcceptorThatIsNotTheNodeItDialed) {
  auto a = handshake::initiate(opts("a@host"), "b@host");
  auto c = handshake::accept(opts("c@host"));
  pump(a, c);
  EXPECT_EQ(failure(a).code, handshake_errc::unexpected_peer);
}

TEST(Handshake, PeersWithoutTheMandatoryFlagsAreRefusedWithNotAllowed) {
  auto b = handshake::accept(opts("b@host"));
  b.feed(name_msg(DFLAG_PUBLISHED | DFLAG_EXTENDED_REFERENCES, 1, "old@host"));
  EXPECT_EQ(failure(b).code, handshake_errc::missing_flags);
  EXPECT_NE(failure(b).reason.find("DFLAG_HANDSHAKE_23"), std::string::npos);
  EXPECT_EQ(b.take_output(), msg("snot_allowed"));

  auto a = handshake::initiate(opts("a@host"), "b@host");
  a.feed(msg("sok"));
  a.feed(challenge_msg(DFLAG_DIST_MANDATORY_25 & ~DFLAG_MAP_TAG, 1, 1, "b@host"));
  EXPECT_EQ(failure(a).code, handshake_errc::missing_flags);
  EXPECT_NE(failure(a).reason.find("DFLAG_MAP_TAG"), std::string::npos);
}

TEST(Handshake, TheMandatoryDigestFlagStandsForTheWholeSet) {
  auto b = handshake::accept(opts("b@host"));
  b.feed(name_msg(DFLAG_MANDATORY_25_DIGEST, 1, "a@host"));
  EXPECT_FALSE(b.failed()) << failure(b).reason;
  EXPECT_EQ(expand_flags(DFLAG_MANDATORY_25_DIGEST) & DFLAG_DIST_MANDATORY_25,
            DFLAG_DIST_MANDATORY_25);
}

TEST(Handshake, BadPeerNamesAreRefusedAsBytesWithoutAnAtom) {
  uint32_t atoms_before = atom::count();
  std::string suffix = otp::test::random_suffix();
  for (std::string bad :
       {"nohost" + suffix, "a@b@c" + suffix, "@host" + suffix, suffix + "@", "sp ace@" + suffix,
        std::string("nul\0@h", 6) + suffix, "ctl\x01@h" + suffix, "del\x7f@h" + suffix,
        "bad\xff@h" + suffix, "ov\xc0\xaf@h" + suffix, std::string(250, 'x') + "@" + suffix}) {
    auto b = handshake::accept(opts("b@host"));
    b.feed(name_msg(erl_like_flags, 1, bad));
    EXPECT_EQ(failure(b).code, handshake_errc::bad_peer_name) << bad;
    EXPECT_FALSE(b.has_output());
  }
  EXPECT_EQ(atom::count(), atoms_before);
  EXPECT_TRUE(is_valid_node_name("caf\xc3\xa9@h\xc3\xb4te"));
  EXPECT_TRUE(is_valid_node_name(std::string(200, 'n') + "@" + std::string(54, 'h')));
  EXPECT_FALSE(is_valid_node_name(std::string(200, 'n') + "@" + std::string(55, 'h')));
}

TEST(Handshake, OversizeMessagesAreRefusedFromTheirLength) {
  auto b = handshake::accept(opts("b@host"));
  b.feed(be16(2049));
  EXPECT_EQ(failure(b).code, handshake_errc::too_large);
  handshake_options o = opts("b@host");
  o.max_message_size = 100;
  auto c = handshake::accept(o);
  c.feed(name_msg(erl_like_flags, 1, std::string(60, 'x') + "@" + std::string(40, 'y')));
  EXPECT_EQ(failure(c).code, handshake_errc::too_large);
}

TEST(Handshake, MalformedMessagesAreRefused) {
  auto feed_acceptor = [](const std::string& bytes) {
    auto b = handshake::accept(opts("b@host"));
    b.feed(bytes);
    return failure(b).code;
  };
  EXPECT_EQ(feed_acceptor(msg("X")), handshake_errc::malformed);
  EXPECT_EQ(feed_acceptor(be16(0)), handshake_errc::malformed);
  EXPECT_EQ(feed_acceptor(msg("N" + be64(erl_like_flags) + be32(1))), handshake_errc::malformed);
  // The name length runs past the message.
  EXPECT_EQ(feed_acceptor(msg("N" + be64(erl_like_flags) + be32(1) + be16(10) + "a@b")),
            handshake_errc::malformed);
  // The pre-OTP 23 name message.
  EXPECT_EQ(feed_acceptor(msg("n" + be16(5) + be32(uint32_t(erl_like_flags)) + "a@b")),
            handshake_errc::old_handshake);
  // A dynamic name request is refused politely.
  auto b = handshake::accept(opts("b@host"));
  b.feed(name_msg(erl_like_flags | DFLAG_NAME_ME, 1, "host"));
  EXPECT_EQ(failure(b).code, handshake_errc::name_me);
  EXPECT_EQ(b.take_output(), msg("snot_allowed"));

  auto status = [](const std::string& s) {
    auto a = handshake::initiate(opts("a@host"), "b@host");
    a.feed(msg(s));
    return failure(a).code;
  };
  EXPECT_EQ(status("sbogus"), handshake_errc::malformed);
  EXPECT_EQ(status("snamed:"), handshake_errc::malformed);
  EXPECT_EQ(status("xok"), handshake_errc::malformed);
}

TEST(Handshake, ExtraBytesAfterTheNameAreIgnored) {
  auto b = handshake::accept(opts("b@host"));
  b.feed(msg("N" + be64(erl_like_flags) + be32(3) + be16(6) + "a@host" + "future"));
  ASSERT_FALSE(b.failed()) << failure(b).reason;
  EXPECT_EQ(b.take_output().substr(0, 5), msg("sok"));
}

TEST(Handshake, InputAfterAFailureIsIgnored) {
  auto b = handshake::accept(opts("b@host"));
  b.feed(msg("X"));
  ASSERT_TRUE(b.failed());
  b.feed(name_msg(erl_like_flags, 1, "a@host"));
  EXPECT_EQ(failure(b).code, handshake_errc::malformed);
  EXPECT_FALSE(b.has_output());
}

TEST(Handshake, BadOptionsAreRefusedAtConstruction) {
  EXPECT_THROW(handshake::accept(opts("nohost")), std::invalid_argument);
  EXPECT_THROW(handshake::accept(opts("a@h", "")), std::invalid_argument);
  EXPECT_THROW(handshake::accept(opts("a@h", "tab\there")), std::invalid_argument);
  EXPECT_THROW(handshake::initiate(opts("a@h"), "bad name"), std::invalid_argument);
}

TEST(Handshake, FlagNamesAreReadable) {
  EXPECT_EQ(flag_names(DFLAG_PUBLISHED | DFLAG_ALIAS), "DFLAG_PUBLISHED|DFLAG_ALIAS");
  EXPECT_EQ(flag_names(uint64_t(1) << 60), "0x1000000000000000");
  EXPECT_EQ(flag_names(0), "0");
}
