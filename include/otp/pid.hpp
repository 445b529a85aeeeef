#pragma once
/// \file
/// Process identifiers, references and port identifiers: small value types, like Erlang's.
///
/// A pid names a process on some node. Local pids carry the process number the runtime gave
/// the process; numbers are never reused while the node runs, so a stale pid never reaches a
/// newer process. Remote pids (from distribution) carry the peer's node name and creation.
/// Thread safety: plain values; safe to copy and compare from any thread.
///
/// Order (as OTP 25): pids by (serial, id), then node name, then creation; references and
/// ports by node name, then creation, then their number. A local value's node is this node
/// (see this_node()), so local and remote values interleave as they do in Erlang.

#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "otp/atom.hpp"

namespace otp {

/// This node's name and creation: what local pids, references and ports are compared as when
/// they meet remote ones. nonode@nohost and 0 until the runtime calls set_this_node().
struct node_identity {
  atom name = atoms::nonode_nohost;
  uint32_t creation = 0;
};
node_identity this_node() noexcept;
/// Safe to call from any thread; terms compared concurrently see the old or the new value.
void set_this_node(atom name, uint32_t creation) noexcept;

class pid {
 public:
  /// The null pid: names no process. Sending to it is a no-op.
  constexpr pid() noexcept = default;
  /// A pid of this node with the given process number (below 2^60: a 28-bit ID and a 32-bit
  /// serial, as BEAM's).
  static constexpr pid local(uint64_t number) noexcept {
    return pid(uint32_t(number & 0x0FFF'FFFF), uint32_t(number >> 28), atom(), 0);
  }
  /// A pid of another node (`node` is its name, `creation` its incarnation); `number` is
  /// serial << 28 | id, as for local().
  static constexpr pid remote(atom node, uint64_t number, uint32_t creation) noexcept {
    return pid(uint32_t(number & 0x0FFF'FFFF), uint32_t(number >> 28), node, creation);
  }
  /// A pid from its wire fields. Other implementations may use all 32 bits of the ID (OTP
  /// accepts them), which `number` cannot carry. An empty `node` makes a local pid.
  static constexpr pid from_fields(atom node, uint32_t id, uint32_t serial,
                                   uint32_t creation) noexcept {
    return pid(id, serial, node, node == atom() ? 0 : creation);
  }

  constexpr bool is_null() const noexcept { return id_ == 0 && serial_ == 0 && node_ == atom(); }
  constexpr bool is_local() const noexcept { return node_ == atom(); }
  /// serial << 28 | id (exact unless the ID uses more than 28 bits; see from_fields).
  constexpr uint64_t number() const noexcept { return (uint64_t(serial_) << 28) + id_; }
  /// Node name; the empty atom for local pids (see node_name() of the runtime for ours).
  constexpr atom node() const noexcept { return node_; }
  constexpr uint32_t creation() const noexcept { return creation_; }

  /// The ID and Serial fields Erlang prints and puts on the wire.
  constexpr uint32_t id_field() const noexcept { return id_; }
  constexpr uint32_t serial_field() const noexcept { return serial_; }

  friend constexpr bool operator==(const pid&, const pid&) noexcept = default;
  friend std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept;

 private:
  constexpr pid(uint32_t id, uint32_t serial, atom node, uint32_t creation) noexcept
      : id_(id), serial_(serial), node_(node), creation_(creation) {}
  uint32_t id_ = 0;
  uint32_t serial_ = 0;
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
  /// Most words a reference carries on the wire (OTP 24+ sends up to 5).
  static constexpr size_t max_words = 5;
  /// A reference with 0..max_words ID words (word 0 least significant); extra words are
  /// dropped. An empty `node` makes a local reference.
  static constexpr reference from_words(atom node, uint32_t creation,
                                        std::span<const uint32_t> words) noexcept {
    reference r;
    r.node_ = node;
    r.creation_ = node == atom() ? 0 : creation;
    r.count_ = uint8_t(words.size() < max_words ? words.size() : max_words);
    for (size_t i = 0; i < r.count_; ++i) r.words_[i] = words[i];
    return r;
  }
  constexpr bool is_null() const noexcept {
    for (uint32_t w : words_)
      if (w) return false;
    return true;
  }
  constexpr atom node() const noexcept { return node_; }
  constexpr uint32_t creation() const noexcept { return creation_; }
  /// Word i (0-based, i < max_words); 0 past word_count().
  constexpr uint32_t word(int i) const noexcept { return words_[i]; }
  /// How many ID words the reference carries (3 for make()).
  constexpr size_t word_count() const noexcept { return count_; }

  /// Erlang compares the words as one number, so missing high words count as zeros.
  friend constexpr bool operator==(const reference& a, const reference& b) noexcept {
    if (a.node_ != b.node_ || a.creation_ != b.creation_) return false;
    for (size_t i = 0; i < max_words; ++i)
      if (a.words_[i] != b.words_[i]) return false;
    return true;
  }
  friend std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept;

 private:
  atom node_;
  uint32_t creation_ = 0;
  uint32_t words_[max_words] = {0, 0, 0, 0, 0};
  uint8_t count_ = 3;
};

/// Prints `#Ref<0.W2.W1.W0>` (most significant word first).
std::string to_string(const reference& r);

/// A port identifier (ports to OS processes arrive in a later subsystem).
class port_id {
 public:
  constexpr port_id() noexcept = default;
  /// An empty `node` makes a local port (its creation is then 0).
  static constexpr port_id make(atom node, uint64_t number, uint32_t creation) noexcept {
    port_id p;
    p.node_ = node;
    p.number_ = number;
    p.creation_ = node == atom() ? 0 : creation;
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
    return std::hash<uint64_t>{}((uint64_t(p.serial_field()) << 32 | p.id_field()) *
                                     0x9E3779B97F4A7C15ull ^
                                 p.node().index() ^ uint64_t(p.creation()) << 40);
  }
};
template <>
struct std::hash<otp::reference> {
  size_t operator()(const otp::reference& r) const noexcept {
    // All five words (unused ones are zero), consistent with ==.
    uint64_t x = (uint64_t(r.word(0)) | uint64_t(r.word(1)) << 32) ^ r.word(2) ^
                 (uint64_t(r.word(3)) << 16 | uint64_t(r.word(4)) << 48);
    return std::hash<uint64_t>{}(x * 0x9E3779B97F4A7C15ull ^ r.node().index());
  }
};
