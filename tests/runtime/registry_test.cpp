// Registered names.

#include "fixture.hpp"

using namespace otp;
using namespace otp_test;

TEST_F(RuntimeTest, ARegisteredNameFindsTheProcessAndReceivesMessages) {
  node.run([] {
    pid me = self();
    pid p = spawn([me] { send(me, receive<int>() + 1); });
    register_name(atom("adder"), p);
    EXPECT_EQ(whereis(atom("adder")), p);
    send(atom("adder"), 41);
    EXPECT_EQ(receive<int>(), 42);
  });
}

TEST_F(RuntimeTest, ANameIsHeldByOneProcessOnly) {
  node.run([] {
    register_name(atom("solo"), self());
    pid other = spawn([] { receive<int>(); });
    EXPECT_THROW(register_name(atom("solo"), other), bad_term_access);
    EXPECT_THROW(register_name(atom("second_name"), self()), bad_term_access);  // one name each
    send(other, 1);
  });
}

TEST_F(RuntimeTest, ANameIsReleasedWhenItsProcessExits) {
  node.run([] {
    pid p = spawn([] { receive<int>(); });
    register_name(atom("short_lived"), p);
    reference r = monitor(p);
    send(p, 1);
    receive(when([&](const down_msg& d) { return d.ref == r; }, [](down_msg) {}));
    EXPECT_TRUE(whereis(atom("short_lived")).is_null());
    register_name(atom("short_lived"), self());  // free again
    EXPECT_EQ(whereis(atom("short_lived")), self());
  });
}

TEST_F(RuntimeTest, UnregisterRemovesTheNameAndFailsForUnknownNames) {
  node.run([] {
    register_name(atom("temp"), self());
    unregister(atom("temp"));
    EXPECT_TRUE(whereis(atom("temp")).is_null());
    EXPECT_THROW(unregister(atom("temp")), bad_term_access);
  });
}

TEST_F(RuntimeTest, ADeadProcessCannotBeRegistered) {
  node.run([] {
    pid p = spawn([] {});
    exit_reason_of(p);
    EXPECT_THROW(register_name(atom("ghost"), p), bad_term_access);
  });
}

TEST_F(RuntimeTest, RegisteredListsAllNames) {
  node.run([] {
    register_name(atom("listed"), self());
    auto names = registered();
    EXPECT_NE(std::find(names.begin(), names.end(), atom("listed")), names.end());
  });
}
