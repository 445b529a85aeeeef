// Control messages: every op round-trips between struct and tuple, tuples have the shape the
// protocol documents, and malformed tuples are refused with a message naming the problem.

#include "dist/control.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace otp;
using namespace otp::dist;
using namespace otp::literals;

namespace {

const atom peer = "peer@host"_a;
const pid p1 = pid::remote(peer, 101, 7);
const pid p2 = pid::local(202);
const reference r1 = reference::from_parts(peer, 7, 1, 2, 3);
const term token = otp::tuple(0, "label"_a, 3, p1, 9);

std::vector<control_message> one_of_each() {
  term msg = otp::tuple("hello"_a, term::binary("otpp"), p2);
  term reason = otp::tuple("shutdown"_a, 1);
  return {
      ctrl::link{p1, p2},
      ctrl::send{p2, msg},
      ctrl::exit{p1, p2, reason},
      ctrl::unlink{p1, p2},
      ctrl::node_link{},
      ctrl::reg_send{p1, "net_kernel"_a, msg},
      ctrl::group_leader{p1, p2},
      ctrl::exit2{p1, p2, atoms::kill},
      ctrl::send_tt{p2, token, msg},
      ctrl::exit_tt{p1, p2, token, reason},
      ctrl::reg_send_tt{p1, "rex"_a, token, msg},
      ctrl::exit2_tt{p1, p2, token, reason},
      ctrl::monitor_p{p1, p2, r1},
      ctrl::demonitor_p{p1, "logger"_a, r1},
      ctrl::monitor_p_exit{"logger"_a, p1, r1, atoms::noproc},
      ctrl::send_sender{p1, p2, msg},
      ctrl::send_sender_tt{p1, p2, token, msg},
      ctrl::payload_exit{p1, p2, reason},
      ctrl::payload_exit_tt{p1, p2, token, reason},
      ctrl::payload_exit2{p1, p2, reason},
      ctrl::payload_exit2_tt{p1, p2, token, reason},
      ctrl::payload_monitor_p_exit{p1, p2, r1, reason},
      ctrl::spawn_request{r1, p1, p1, "lists"_a, "seq"_a, 2, otp::list("link"_a), otp::list(1, 3)},
      ctrl::spawn_request_tt{r1, p1, p1, "erlang"_a, "halt"_a, 0, term(), token, term()},
      ctrl::spawn_reply{r1, p1, spawn_flag_link | spawn_flag_monitor, p2},
      ctrl::spawn_reply_tt{r1, p1, 0, "badarg"_a, token},
      ctrl::alias_send{p1, r1, msg},
      ctrl::alias_send_tt{p1, r1, token, msg},
      ctrl::unlink_id{UINT64_MAX, p1, p2},
      ctrl::unlink_id_ack{1, p2, p1},
  };
}

control_error parse_error(const term& ctl, const term* payload = nullptr) {
  auto r = parse_control(ctl, payload);
  EXPECT_FALSE(r) << "parsed " << to_string(ctl);
  return r ? control_error{} : r.error();
}

}  // namespace

TEST(Control, EveryOpRoundTripsThroughItsTuple) {
  auto all = one_of_each();
  EXPECT_EQ(all.size(), std::variant_size_v<control_message>);
  for (const control_message& m : all) {
    auto [ctl, payload] = build_control(m);
    SCOPED_TRACE(to_string(ctl));
    EXPECT_EQ(ctl[0].as_int(), int(op_of(m)));
    EXPECT_EQ(payload.has_value(), op_has_payload(op_of(m)));
    auto back = parse_control(ctl, payload ? &*payload : nullptr);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(*back == m);
  }
}

TEST(Control, TuplesHaveTheDocumentedShapeWithUnusedFieldsAsEmptyAtoms) {
  auto [reg, msg] = build_control(ctrl::reg_send{p1, "net_kernel"_a, term(42)});
  EXPECT_EQ(reg, otp::tuple(6, p1, atom(), "net_kernel"_a));
  EXPECT_EQ(msg, term(42));
  auto [send, m2] = build_control(ctrl::send{p2, term(1)});
  EXPECT_EQ(send, otp::tuple(2, atom(), p2));
  auto [mon, none] = build_control(ctrl::monitor_p{p1, "rex"_a, r1});
  EXPECT_EQ(mon, otp::tuple(19, p1, "rex"_a, r1));
  EXPECT_FALSE(none);
  auto [spawn, args] =
      build_control(ctrl::spawn_request{r1, p1, p2, "m"_a, "f"_a, 1, term(), otp::list(5)});
  EXPECT_EQ(spawn, otp::tuple(29, r1, p1, p2, otp::tuple("m"_a, "f"_a, 1), term()));
  EXPECT_EQ(args, otp::list(5));
  auto [unl, none2] = build_control(ctrl::unlink_id{UINT64_MAX, p1, p2});
  EXPECT_EQ(unl, otp::tuple(35, UINT64_MAX, p1, p2));
}

TEST(Control, UnusedFieldsAreIgnoredWhateverTheyHold) {
  auto r = parse_control(otp::tuple(6, p1, "whatever"_a, "rex"_a), nullptr);
  EXPECT_FALSE(r);  // REG_SEND without its message
  term m(1);
  auto ok = parse_control(otp::tuple(6, p1, otp::list(1, 2), "rex"_a), &m);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(std::get<ctrl::reg_send>(*ok).to_name, "rex"_a);
}

TEST(Control, OpsWithAPayloadRequireItAndOthersRefuseOne) {
  term m(1);
  EXPECT_NE(parse_error(otp::tuple(2, atom(), p2)).message.find("payload term is missing"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(1, p1, p2), &m).message.find("unexpected payload"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(24, p1, p2)).message.find("PAYLOAD_EXIT"), std::string::npos);
}

TEST(Control, MalformedTuplesAreRefusedWithTheOpAndElementNamed) {
  term m(1);
  EXPECT_EQ(parse_error(term(1)).message.substr(0, 42),
            "a control message must be a non-empty tupl");
  EXPECT_NE(parse_error(term::tuple({})).message.find("non-empty tuple"), std::string::npos);
  EXPECT_NE(parse_error(otp::tuple("link"_a, p1, p2)).message.find("operation number"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(-1, p1, p2)).message.find("operation number"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(9, p1, p2)).message.find("unknown control message operation 9"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(37, p1, p2)).message.find("unknown"), std::string::npos);
  EXPECT_EQ(parse_error(otp::tuple(1, p1)).message,
            "LINK: expected a tuple of 3 elements, got 2: " + to_string(otp::tuple(1, p1)));
  EXPECT_EQ(parse_error(otp::tuple(1, p1, "x"_a)).message,
            "LINK: element 3 (ToPid) is not a pid: x");
  EXPECT_EQ(parse_error(otp::tuple(6, p1, atom(), term::binary("x")), &m).message,
            "REG_SEND: element 4 (ToName) is not an atom: <<\"x\">>");
  EXPECT_NE(parse_error(otp::tuple(19, p1, p2, 5)).message.find("element 4 (Ref)"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(19, p1, 5, r1)).message.find("a pid or an atom"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(35, -1, p1, p2)).message.find("0..2^64-1"), std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(31, r1, p1, int64_t(1) << 40, p2)).message.find("0..2^32-1"),
            std::string::npos);
}

TEST(Control, SpawnRequestsNeedAnMfaProperListsAndAnArgumentList) {
  term args = otp::list(1);
  auto ok = parse_control(otp::tuple(29, r1, p1, p1, otp::tuple("m"_a, "f"_a, 1), term()), &args);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_NE(parse_error(otp::tuple(29, r1, p1, p1, otp::tuple("m"_a, "f"_a), term()), &args)
                .message.find("{Module, Function, Arity}"),
            std::string::npos);
  EXPECT_NE(parse_error(otp::tuple(29, r1, p1, p1, otp::tuple("m"_a, "f"_a, 256), term()), &args)
                .message.find("{Module, Function, Arity}"),
            std::string::npos);
  EXPECT_NE(
      parse_error(otp::tuple(29, r1, p1, p1, otp::tuple("m"_a, "f"_a, 1), term::list({1}, term(2))),
                  &args)
          .message.find("OptList"),
      std::string::npos);
  term improper = term::list({1}, term(2));
  EXPECT_NE(parse_error(otp::tuple(29, r1, p1, p1, otp::tuple("m"_a, "f"_a, 1), term()), &improper)
                .message.find("ArgList"),
            std::string::npos);
}

TEST(Control, MonitorsByNameCarryTheNameAsAnAtom) {
  auto r = parse_control(otp::tuple(19, p1, "global_name_server"_a, r1), nullptr);
  ASSERT_TRUE(r);
  const auto& m = std::get<ctrl::monitor_p>(*r);
  ASSERT_TRUE(std::holds_alternative<atom>(m.to));
  EXPECT_EQ(std::get<atom>(m.to), "global_name_server"_a);
}

TEST(Control, DopNamesFollowTheProtocolDocumentation) {
  EXPECT_STREQ(dop_name(dop::reg_send_tt), "REG_SEND_TT");
  EXPECT_EQ(int(dop::reg_send_tt), 16);
  EXPECT_EQ(int(dop::exit2_tt), 18);
  EXPECT_STREQ(dop_name(dop(9)), "unknown");
}
