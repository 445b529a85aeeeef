#pragma once
/// \file
/// Process identifiers, references and port identifiers: small value types, like Erlang's.
///
/// A pid names a process on some node. Local pids carry the process number the runtime gave
/// the process; numbers are never reused while the node runs, so a stale pid never reaches a
/// newer process. Remote pids (from distribution) carry the peer's node name and creation.
/// Thread safety: plain values; safe to copy and compare from any thread.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

#include "otp/atom.hpp"

namespace otp {

class pid {
 public:
  /// The null pid: names no process. Sending to it is a no-op.
  constexpr pid() noexcept = default;
  /// A pid of this node with the given process number.
  static constexpr pid local(uint64_t number) noexcept { return pid(number, atom(), 0); }
  /// A pid of another node (`node` is its name, `creation` its incarnation).
  static constexpr pid remote(atom node, uint64_t number, uint32_t creation) noexcept {
    return pid(number, node, creation);
  }

  constexpr bool is_null() const noexcept { return number_ == 0 && node_ == atom(); }
  constexpr bool is_local() const noexcept { return node_ == atom(); }
  constexpr uint64_t number() const noexcept { return number_; }
  /// Node name; the empty atom for local pids (see node_name() of the runtime for ours).
  constexpr atom node() const noexcept { return node_; }
  constexpr uint32_t creation() const noexcept { return creation_; }

  /// The ID and Serial fields Erlang prints and puts on the wire (28-bit ID, then serial).
  constexpr uint32_t id_field() const noexcept { return uint32_t(number_ & 0x0FFF'FFFF); }
  constexpr uint32_t serial_field() const noexcept { return uint32_t(number_ >> 28); }

  friend constexpr bool operator==(const pid&, const pid&) noexcept = default;
  friend std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept;

 private:
  constexpr pid(uint64_t n, atom node, uint32_t creation) noexcept
      : number_(n), node_(node), creation_(creation) {}
  uint64_t number_ = 0;
  atom node_;
  uint32_t creation_ = 0;
};

/// Prints `<0.N.S>` for local pids and `<node.N.S>` for remote ones.
std::string to_string(const pid& p);

/// A unique reference (`make_ref()`), used to tag monitors, timers and call replies.
class reference {
 public:
  constexpr reference() noexcept = default;
  /// A new reference, unique within this OS process for its lifetime.
  static reference make();
  static constexpr reference from_parts(atom node, uint32_t creation, uint32_t w0, uint32_t w1,
                                        uint32_t w2) noexcept {
    reference r;
    r.node_ = node;
    r.creation_ = creation;
    r.words_[0] = w0;
    r.words_[1] = w1;
    r.words_[2] = w2;
    return r;
  }
  constexpr bool is_null() const noexcept { return words_[0] == 0 && words_[1] == 0 && words_[2] == 0; }
  constexpr atom node() const noexcept { return node_; }
  constexpr uint32_t creation() const noexcept { return creation_; }
  constexpr uint32_t word(int i) const noexcept { return words_[i]; }

  friend constexpr bool operator==(const reference&, const reference&) noexcept = default;
  friend std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept;

 private:
  atom node_;
  uint32_t creation_ = 0;
  uint32_t words_[3] = {0, 0, 0};
};

/// Prints `#Ref<0.W2.W1.W0>`.
std::string to_string(const reference& r);

/// A port identifier (ports to OS processes arrive in a later subsystem).
class port_id {
 public:
  constexpr port_id() noexcept = default;
  static constexpr port_id make(atom node, uint64_t number, uint32_t creation) noexcept {
    port_id p;
    p.node_ = node;
    p.number_ = number;
    p.creation_ = creation;
    return p;
  }
  constexpr atom node() const noexcept { return node_; }
  constexpr uint64_t number() const noexcept { return number_; }
  constexpr uint32_t creation() const noexcept { return creation_; }
  friend constexpr bool operator==(const port_id&, const port_id&) noexcept = default;
  friend std::strong_ordering operator<=>(const port_id& a, const port_id& b) noexcept;

 private:
  uint64_t number_ = 0;
  atom node_;
  uint32_t creation_ = 0;
};

/// Prints `#Port<0.N>`.
std::string to_string(const port_id& p);

}  // namespace otp

template <>
struct std::hash<otp::pid> {
  size_t operator()(const otp::pid& p) const noexcept {
    return std::hash<uint64_t>{}(p.number() * 0x9E3779B97F4A7C15ull ^ p.node().index());
  }
};
template <>
struct std::hash<otp::reference> {
  size_t operator()(const otp::reference& r) const noexcept {
    uint64_t x = (uint64_t(r.word(0)) | uint64_t(r.word(1)) << 32) ^ r.word(2);
    return std::hash<uint64_t>{}(x * 0x9E3779B97F4A7C15ull);
  }
};
