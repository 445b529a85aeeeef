#pragma once
/// \file
/// `otp::term`: Erlang's data model as a C++ value type.
///
/// A term is one machine word. Small integers, atoms and `[]` live in the word itself;
/// everything else (tuples, lists, binaries, maps, floats, bignums, pids, references, ports,
/// funs) is an immutable, reference-counted heap object the word points to. Copying a term
/// copies the word and bumps a count: structure is shared, never deep-copied. Destroying
/// even a very deep or long term does not recurse on the C stack.
///
/// Thread safety: terms are immutable. Any number of threads may copy, read, compare and
/// destroy terms that share structure (reference counts are atomic). A single `term`
/// variable is not synchronised, like any C++ value.

#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otp/atom.hpp"
#include "otp/pid.hpp"

namespace otp {

/// Term kinds, listed in Erlang's term order (integers and floats are both numbers).
enum class term_type : uint8_t {
  integer,
  float_,
  atom,
  reference,
  fun,
  port,
  pid,
  tuple,
  map,
  nil,
  list,
  bitstring
};

/// Thrown when a term is read as a type it does not have (Erlang's `badarg`).
class bad_term_access : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {
struct box;
}

struct export_fun_info;
struct local_fun_info;

class term {
 public:
  /// `[]` (nil).
  term() noexcept : w_(nil_word) {}
  term(const term& o) noexcept : w_(o.w_) { retain(); }
  term(term&& o) noexcept : w_(std::exchange(o.w_, nil_word)) {}
  term& operator=(const term& o) noexcept;
  term& operator=(term&& o) noexcept;
  ~term() { release(); }

  term(atom a) noexcept : w_((uintptr_t(a.index()) << tag_bits) | atom_tag) {}  // NOLINT
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char>)
      term(I v) {  // NOLINT: integers convert implicitly, as literals in Erlang
    if constexpr (std::is_signed_v<I>) {
      init_integer(int64_t(v));
    } else {
      init_unsigned(uint64_t(v));
    }
  }
  template <class B>
  requires std::same_as<B, bool> term(B b)
  noexcept : term(b ? atoms::true_ : atoms::false_) {}  // NOLINT
  /// Finite doubles only (Erlang has no NaN or infinity); throws bad_term_access otherwise.
  term(double d);            // NOLINT
  term(const pid& p);        // NOLINT
  term(const reference& r);  // NOLINT
  term(const port_id& p);    // NOLINT

  /// A list of the code points of a UTF-8 string (Erlang's "abc"). Throws on invalid UTF-8.
  static term string(std::string_view utf8);
  /// A binary holding these bytes (Erlang's <<"abc">>).
  static term binary(std::string_view bytes);
  /// A bitstring of `bits` bits taken from the front of `bytes`.
  static term bitstring(std::string_view bytes, size_t bits);
  static term tuple(std::initializer_list<term> elems);
  static term tuple(std::vector<term> elems);
  /// A tuple of the terms in `elems`, moved out of it (decoders: no vector is given away).
  static term tuple_moving(std::span<term> elems);
  /// A proper list, or an improper one when `tail` is not `[]`.
  static term list(std::initializer_list<term> elems, term tail = term());
  static term list(std::vector<term> elems, term tail = term());
  static term cons(term head, term tail);
  /// A map; later duplicates of a key replace earlier ones (as #{k => 1, k => 2}).
  static term map(std::initializer_list<std::pair<term, term>> kvs);
  static term map(std::vector<std::pair<term, term>> kvs);
  /// An integer from decimal digits with optional sign, any size.
  static term integer_from_decimal(std::string_view digits);
  /// An integer from digits in `base` (2..36, either letter case) with optional sign and
  /// `_` separators between digits, any size (Erlang's 16#FF is ("FF", 16)).
  static term integer_from_string(std::string_view digits, unsigned base = 10);

  /// Erlang's binary:part(Bin, Pos, Len): `length` bytes of binary `bin` from byte `pos`.
  /// Large binaries (over 64 bytes) share the parent's storage, which the sub-binary keeps
  /// alive; copy with term::binary(sub.as_binary()) to let a big parent go. Throws
  /// bad_term_access when `bin` is not a binary or the range is outside it.
  static term sub_binary(const term& bin, size_t pos, size_t length);

  /// The external fun `fun Module:Function/Arity` (arity 0..255).
  static term export_fun(atom module, atom function, unsigned arity);
  /// A local fun as another node describes it. Opaque here: it cannot be called, but it
  /// round-trips through the external term format and compares as in Erlang.
  static term local_fun(const local_fun_info& info);

  term_type type() const noexcept;
  bool is_integer() const noexcept;
  bool is_small() const noexcept { return (w_ & tag_mask) == small_tag; }
  bool is_float() const noexcept;
  bool is_number() const noexcept { return is_integer() || is_float(); }
  bool is_atom() const noexcept { return (w_ & tag_mask) == atom_tag; }
  bool is_atom(atom a) const noexcept { return *this == term(a); }
  bool is_nil() const noexcept { return w_ == nil_word; }
  bool is_cons() const noexcept;
  /// True for `[]` and for cons cells (as Erlang's is_list/1).
  bool is_list() const noexcept { return is_nil() || is_cons(); }
  bool is_tuple() const noexcept;
  bool is_tuple(size_t arity) const noexcept { return is_tuple() && tuple_size() == arity; }
  bool is_map() const noexcept;
  bool is_binary() const noexcept;     // whole bytes
  bool is_bitstring() const noexcept;  // any number of bits
  bool is_pid() const noexcept;
  bool is_reference() const noexcept;
  bool is_port() const noexcept;
  bool is_fun() const noexcept;
  /// A `fun M:F/A` (is_fun() is also true).
  bool is_export_fun() const noexcept;
  bool is_boolean() const noexcept { return is_atom(atoms::true_) || is_atom(atoms::false_); }

  // Accessors throw bad_term_access when the term has another type.
  atom as_atom() const;
  /// The value as int64_t; throws when not an integer or out of range.
  int64_t as_int() const;
  /// The value when the term is an integer that fits; nullopt otherwise (never throws).
  std::optional<int64_t> try_int64() const noexcept;
  std::optional<uint64_t> try_uint64() const noexcept;
  double as_float() const;
  /// Integers and floats as a double.
  double as_number() const;
  bool as_bool() const;
  pid as_pid() const;
  reference as_reference() const;
  port_id as_port() const;
  /// Bytes of a binary (throws for bitstrings that are not whole bytes).
  std::string_view as_binary() const;
  /// Bits of a bitstring: the bytes and the number of bits used.
  std::pair<std::string_view, size_t> as_bitstring() const;
  /// A list of Unicode code points (or a binary) as UTF-8.
  std::string as_string() const;
  /// The parts of a fun; throw bad_term_access for the other kind of fun.
  export_fun_info as_export_fun() const;
  local_fun_info as_local_fun() const;

  size_t tuple_size() const;
  /// Element `i`, 0-based (Erlang's element(i + 1, T)).
  const term& element(size_t i) const;
  const term& operator[](size_t i) const { return element(i); }
  std::span<const term> elements() const;

  const term& head() const;
  const term& tail() const;
  /// Length of a proper list; throws for improper lists.
  size_t list_length() const;
  /// Elements of a proper list (throws for improper lists).
  std::vector<term> list_elements() const;

  size_t map_size() const;
  /// The value for `key` (exact match, =:=), or nullptr.
  const term* map_find(const term& key) const;
  /// Key/value pairs in map key order.
  std::span<const std::pair<term, term>> map_entries() const;

  /// Exact equality (Erlang's =:=): 1 and 1.0 differ.
  friend bool operator==(const term& a, const term& b) noexcept;
  /// A total order that refines Erlang's term order: equal only when =:=, and where Erlang
  /// sees 1 == 1.0 as equal, the integer sorts first. Use for sorting and ordered containers.
  friend std::strong_ordering operator<=>(const term& a, const term& b) noexcept;
  /// Erlang's arithmetic comparison (==, <, ...): 1 == 1.0 is equivalent.
  friend std::weak_ordering compare(const term& a, const term& b) noexcept;
  /// Consistent with exact equality.
  size_t hash() const noexcept;

  /// Raw word, for the runtime and serializers.
  uintptr_t raw() const noexcept { return w_; }
  const detail::box* boxed() const noexcept;

 private:
  friend struct detail::box;
  explicit term(detail::box* b) noexcept : w_(reinterpret_cast<uintptr_t>(b)) {}
  void init_integer(int64_t v);
  void init_unsigned(uint64_t v);
  void retain() const noexcept;
  void release() noexcept;
  bool is_boxed() const noexcept { return (w_ & tag_mask) == box_tag && w_ != 0; }

  static constexpr unsigned tag_bits = 3;
  static constexpr uintptr_t tag_mask = 7;
  static constexpr uintptr_t box_tag = 0;
  static constexpr uintptr_t small_tag = 1;
  static constexpr uintptr_t atom_tag = 2;
  static constexpr uintptr_t nil_word = 3;

 public:
  /// Small integers (stored in the word) span [small_min, small_max].
  static constexpr int64_t small_min = -(int64_t(1) << 60);
  static constexpr int64_t small_max = (int64_t(1) << 60) - 1;

 private:
  uintptr_t w_;
};

/// The parts of `fun Module:Function/Arity`.
struct export_fun_info {
  atom module;
  atom function;
  unsigned arity = 0;
};

/// The parts of a local fun as NEW_FUN_EXT carries them (see docs/etf.md).
struct local_fun_info {
  atom module;
  unsigned arity = 0;              // 0..255
  std::array<uint8_t, 16> uniq{};  // MD5 of the module's code
  uint32_t index = 0;              // in the module's fun table
  uint32_t old_index = 0;
  uint32_t old_uniq = 0;
  pid creator;                  // the process that created the fun
  std::vector<term> free_vars;  // captured environment
};

/// `otp::tuple(atoms::ok, 42)` builds {ok, 42}.
template <class... Ts>
term tuple(Ts&&... xs) {
  return term::tuple({term(std::forward<Ts>(xs))...});
}
/// `otp::list(1, 2, 3)` builds [1,2,3].
template <class... Ts>
term list(Ts&&... xs) {
  return term::list({term(std::forward<Ts>(xs))...});
}

/// Formats as io_lib:format("~p") does on one line: strings as "abc", atoms quoted when
/// needed, binaries as <<"abc">> or <<1,2>>, maps as #{k => v}.
std::string to_string(const term& t);
std::ostream& operator<<(std::ostream& os, const term& t);

}  // namespace otp

template <>
struct std::hash<otp::term> {
  size_t operator()(const otp::term& t) const noexcept { return t.hash(); }
};
