// Frames: ticks, pass-through messages with and without payload, any split of the input,
// batched output, and every way bad input fails (once, for good).

#include "dist/frame.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace otp;
using namespace otp::dist;
using namespace otp::literals;

namespace {

const etf_context us{"us@host"_a, 11};
const etf_context them{"them@host"_a, 22};

std::vector<frame_event> drain(frame_decoder& d) {
  std::vector<frame_event> out;
  while (auto e = d.next()) {
    bool err = std::holds_alternative<frame_error>(*e);
    out.push_back(std::move(*e));
    if (err) break;
  }
  return out;
}

std::string be32(uint32_t v) {
  std::string s;
  for (int sh = 24; sh >= 0; sh -= 8) s += char(uint8_t(v >> sh));
  return s;
}

std::string frame_of(std::string body) {
  return be32(uint32_t(body.size())) + body;
}

frame_error error_for(const std::string& bytes, frame_decoder_options opts = {}) {
  frame_decoder d(opts);
  d.feed(bytes);
  auto ev = drain(d);
  EXPECT_FALSE(ev.empty());
  if (ev.empty() || !std::holds_alternative<frame_error>(ev.back())) {
    ADD_FAILURE() << "no error";
    return {};
  }
  return std::get<frame_error>(ev.back());
}

}  // namespace

TEST(Frames, ATickIsFourZeroBytesAndDecodesAsATick) {
  std::string out;
  frame_encoder::append_tick(out);
  EXPECT_EQ(out, std::string(4, '\0'));
  frame_decoder d;
  d.feed(out + out);
  auto ev = drain(d);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<frame_tick>(ev[0]));
  EXPECT_TRUE(std::holds_alternative<frame_tick>(ev[1]));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Frames, PassThroughFramesCarryAControlTermAndAnOptionalPayload) {
  frame_encoder enc(them);
  std::string out;
  term ctl = otp::tuple(6, pid::local(5), atom(), "rex"_a);
  term msg = otp::tuple("hello"_a, term::binary("world"));
  enc.append(out, ctl, &msg);
  enc.append(out, otp::tuple(1, pid::local(5), pid::local(6)));
  // Length, 'p', then each term with its own version byte.
  EXPECT_EQ(uint8_t(out[4]), 112);
  EXPECT_EQ(uint8_t(out[5]), 131);

  frame_decoder d({.context = us});
  d.feed(out);
  auto ev = drain(d);
  ASSERT_EQ(ev.size(), 2u);
  auto& m1 = std::get<frame_message>(ev[0]);
  // Pids the sender wrote as its own are remote pids of that node here.
  EXPECT_EQ(m1.control, otp::tuple(6, pid::remote("them@host"_a, 5, 22), atom(), "rex"_a));
  ASSERT_TRUE(m1.payload);
  EXPECT_EQ(*m1.payload, msg);
  auto& m2 = std::get<frame_message>(ev[1]);
  EXPECT_FALSE(m2.payload);
}

TEST(Frames, PidsOfTheReceivingNodeDecodeAsLocal) {
  frame_encoder enc(them);
  std::string out;
  enc.append(out, otp::tuple(2, atom(), pid::remote("us@host"_a, 77, 11)));
  frame_decoder d({.context = us});
  d.feed(out);
  auto ev = drain(d);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<frame_message>(ev[0]).control, otp::tuple(2, atom(), pid::local(77)));
}

TEST(Frames, ControlMessagesEncodeThroughBuildControl) {
  frame_encoder enc(us);
  std::string out;
  enc.append(out, ctrl::send_sender{pid::local(1), pid::remote("them@host"_a, 2, 22), term(42)});
  frame_decoder d({.context = us});
  d.feed(out);
  auto ev = drain(d);
  ASSERT_EQ(ev.size(), 1u);
  auto& m = std::get<frame_message>(ev[0]);
  auto parsed = parse_control(m.control, m.payload ? &*m.payload : nullptr);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<ctrl::send_sender>(*parsed).message, term(42));
}

TEST(Frames, FeedingByteByByteGivesTheSameEventsAsOneFeed) {
  frame_encoder enc(them);
  std::string out;
  for (int i = 0; i < 20; ++i) {
    term payload = otp::tuple(i, term::binary(std::string(size_t(i) * 37, 'x')));
    enc.append(out, otp::tuple(22, pid::local(1), pid::local(2)), &payload);
    if (i % 3 == 0) frame_encoder::append_tick(out);
  }
  frame_decoder whole({.context = us});
  whole.feed(out);
  auto expected = drain(whole);
  ASSERT_EQ(expected.size(), 27u);

  frame_decoder d({.context = us});
  std::vector<frame_event> got;
  for (char c : out) {
    d.feed(std::string_view(&c, 1));
    for (auto& e : drain(d)) got.push_back(std::move(e));
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Frames, ManyMessagesAreAppendedToOneBufferForOneWrite) {
  frame_encoder enc(us);
  std::string out = "already queued";
  enc.append(out, otp::tuple(1, pid::local(1), pid::local(2)));
  enc.append(out, otp::tuple(1, pid::local(3), pid::local(4)));
  EXPECT_EQ(out.substr(0, 14), "already queued");
  frame_decoder d({.context = us});
  d.feed(std::string_view(out).substr(14));
  EXPECT_EQ(drain(d).size(), 2u);
}

TEST(Frames, AnOversizeFrameIsRefusedFromItsLengthAlone) {
  frame_decoder_options opts;
  opts.max_frame_size = 1000;
  auto e = error_for(be32(1001), opts);
  EXPECT_EQ(e.code, frame_errc::too_large);
  EXPECT_EQ(e.message, "frame of 1001 bytes is over the limit of 1000");
  // The default limit is 64 MiB.
  EXPECT_EQ(error_for(be32((64u << 20) + 1)).code, frame_errc::too_large);
  frame_decoder d;
  d.feed(be32(64u << 20));
  EXPECT_FALSE(d.next());  // within the limit: waits for the bytes
}

TEST(Frames, GarbageIsRefusedWithTheReason) {
  EXPECT_EQ(error_for(frame_of("x")).code, frame_errc::not_pass_through);
  auto hdr = error_for(frame_of(std::string("\x83\x44\x00", 3)));
  EXPECT_EQ(hdr.code, frame_errc::not_pass_through);
  EXPECT_NE(hdr.message.find("distribution header"), std::string::npos);
  EXPECT_EQ(error_for(frame_of("p")).code, frame_errc::bad_control);
  EXPECT_EQ(error_for(frame_of("p\x83")).code, frame_errc::bad_control);
  EXPECT_EQ(error_for(frame_of("p\x01\x02")).code, frame_errc::bad_control);
  std::string ctl = term_to_binary(otp::tuple(1, 2));
  auto bad_payload = error_for(frame_of("p" + ctl + "\x83\x6b"));
  EXPECT_EQ(bad_payload.code, frame_errc::bad_payload);
  EXPECT_NE(bad_payload.message.find("frame byte"), std::string::npos);
  // Bytes after the payload are not allowed.
  EXPECT_EQ(error_for(frame_of("p" + ctl + term_to_binary(term(1)) + "z")).code,
            frame_errc::bad_payload);
  // A payload without its version byte is not a term here.
  EXPECT_EQ(error_for(frame_of("p" + ctl + "\x61\x01")).code, frame_errc::bad_payload);
}

TEST(Frames, ErrorsAreFinalAndLaterInputIsIgnored) {
  frame_decoder d;
  d.feed(frame_of("x"));
  auto first = d.next();
  ASSERT_TRUE(first && std::holds_alternative<frame_error>(*first));
  EXPECT_TRUE(d.failed());
  d.feed(std::string(4, '\0'));
  auto again = d.next();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Frames, EventsBeforeAnErrorAreDelivered) {
  frame_decoder d;
  d.feed(std::string(4, '\0') + frame_of("x"));
  auto ev = drain(d);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<frame_tick>(ev[0]));
  EXPECT_TRUE(std::holds_alternative<frame_error>(ev[1]));
}

TEST(Frames, UnknownAtomsCanBeRefusedForUntrustedInput) {
  std::string ctl = term_to_binary(otp::tuple(1, 2));
  // SMALL_ATOM_UTF8_EXT with a name no one has interned.
  std::string fresh = "\x83\x77\x14zzq_never_seen_atom1";
  auto e = error_for(frame_of("p" + ctl + fresh), {.existing_atoms_only = true});
  EXPECT_EQ(e.code, frame_errc::bad_payload);
}
