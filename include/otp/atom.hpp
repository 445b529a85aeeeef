#pragma once
/// \file
/// Atoms: interned names, compared by identity, ordered by text (as in Erlang).
///
/// Thread safety: `atom` is a trivially copyable value; creating atoms and reading their
/// names is safe from any thread. The atom table is global to the OS process and never
/// shrinks (as in BEAM); it holds at most `atom::max_count` atoms of at most 255 characters.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace otp {

// Atoms the runtime itself uses. They are interned first, in this order, so each has a
// fixed index and can be a compile-time constant (`atoms::ok`).
#define OTPP_BUILTIN_ATOMS(X)                                                                     \
  X(empty_, "")                                                                                   \
  X(ok, "ok")                                                                                     \
  X(error, "error")                                                                               \
  X(true_, "true")                                                                                \
  X(false_, "false") X(undefined, "undefined") X(normal, "normal") X(kill, "kill")                \
      X(killed, "killed") X(noproc, "noproc") X(noconnection, "noconnection")                     \
          X(shutdown, "shutdown") X(EXIT, "EXIT") X(DOWN, "DOWN") X(process, "process")           \
              X(timeout, "timeout") X(infinity, "infinity") X(badarg, "badarg") X(                \
                  system_limit, "system_limit") X(nonode_nohost, "nonode@nohost")                 \
                  X(cpp_exception, "cpp_exception") X(running, "running") X(runnable, "runnable") \
                      X(waiting, "waiting") X(exiting, "exiting") X(suspended, "suspended")       \
                          X(message_queue_len, "message_queue_len") X(links, "links")             \
                              X(monitors, "monitors") X(monitored_by, "monitored_by")             \
                                  X(registered_name, "registered_name") X(status, "status")       \
                                      X(memory, "memory") X(current_function, "current_function") \
                                          X(trap_exit, "trap_exit") X(badarith, "badarith")       \
                                              X(badmatch, "badmatch")                             \
                                                  X(function_clause, "function_clause")           \
                                                      X(nocatch, "nocatch")                       \
                                                          X(timeout_value, "timeout_value")       \
                                                              X(call, "call") X(cast, "cast")     \
                                                                  X(info, "info") X(stop, "stop") \
                                                                      X(reply, "reply")           \
                                                                          X(noreply, "noreply")   \
                                                                              X(ignore, "ignore")

class atom;
namespace detail {
struct atom_index_tag {};
}  // namespace detail

class atom {
 public:
  /// The atom '' (empty name).
  constexpr atom() noexcept = default;
  /// Interns `name` (UTF-8). Throws std::length_error over 255 characters and
  /// std::runtime_error ("system_limit") when the table is full.
  explicit atom(std::string_view name);
  explicit atom(const char* name) : atom(std::string_view(name)) {}
  explicit atom(const std::string& name) : atom(std::string_view(name)) {}
  constexpr atom(detail::atom_index_tag, uint32_t index) noexcept : index_(index) {}

  /// Returns the atom if it already exists, without creating it (like
  /// binary_to_existing_atom/1); `found` is false otherwise.
  static atom existing(std::string_view name, bool& found);

  std::string_view name() const noexcept;
  constexpr uint32_t index() const noexcept { return index_; }

  static constexpr uint32_t max_count = 1u << 20;  // BEAM's default atom limit
  static constexpr size_t max_length = 255;        // characters (code points)
  /// Number of atoms interned so far.
  static uint32_t count() noexcept;

  friend constexpr bool operator==(atom a, atom b) noexcept { return a.index_ == b.index_; }
  /// Erlang orders atoms by their text, code point by code point.
  friend std::strong_ordering operator<=>(atom a, atom b) noexcept;

 private:
  uint32_t index_ = 0;
};

namespace atoms {
namespace detail_ {
enum : uint32_t {
#define OTPP_ATOM_ENUM(id, text) id,
  OTPP_BUILTIN_ATOMS(OTPP_ATOM_ENUM)
#undef OTPP_ATOM_ENUM
      builtin_count
};
}  // namespace detail_
#define OTPP_ATOM_CONST(id, text) \
  inline constexpr atom id{::otp::detail::atom_index_tag{}, detail_::id};
OTPP_BUILTIN_ATOMS(OTPP_ATOM_CONST)
#undef OTPP_ATOM_CONST
}  // namespace atoms

inline namespace literals {
/// `"ok"_a` interns an atom.
inline atom operator""_a(const char* s, size_t n) {
  return atom(std::string_view(s, n));
}
}  // namespace literals

/// Prints the atom as Erlang does: quoted when it is not a bare atom (`'hello world'`).
std::string to_string(atom a);

}  // namespace otp

template <>
struct std::hash<otp::atom> {
  size_t operator()(otp::atom a) const noexcept { return std::hash<uint32_t>{}(a.index()); }
};
