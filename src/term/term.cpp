// Construction, access and lifetime of terms.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "box.hpp"
#include "otp/term.hpp"
#include "utf8.hpp"

namespace otp {

using detail::box;
using detail::box_kind;

namespace {

[[noreturn]] void bad(const char* what, const term& t) {
  throw bad_term_access(std::string("badarg: expected ") + what + ", got " + to_string(t));
}

box* as_box(uintptr_t w) noexcept {
  return reinterpret_cast<box*>(w);
}

}  // namespace

// ---- lifetime -------------------------------------------------------------------------

void term::retain() const noexcept {
  if (is_boxed()) as_box(w_)->refs.fetch_add(1, std::memory_order_relaxed);
}

void term::release() noexcept {
  if (!is_boxed()) return;
  box* b = as_box(w_);
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) detail::destroy_box(b);
}

term& term::operator=(const term& o) noexcept {
  o.retain();
  release();
  w_ = o.w_;
  return *this;
}

term& term::operator=(term&& o) noexcept {
  if (this != &o) {
    release();
    w_ = std::exchange(o.w_, nil_word);
  }
  return *this;
}

const detail::box* term::boxed() const noexcept {
  return is_boxed() ? as_box(w_) : nullptr;
}

// ---- numbers --------------------------------------------------------------------------

void term::init_integer(int64_t v) {
  if (v >= small_min && v <= small_max) {
    w_ = (uintptr_t(v) << tag_bits) | small_tag;
    return;
  }
  uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  w_ = nil_word;
  *this = detail::make_integer(v < 0, &mag, 1);
}

void term::init_unsigned(uint64_t v) {
  if (v <= uint64_t(small_max)) {
    w_ = (uintptr_t(v) << tag_bits) | small_tag;
    return;
  }
  w_ = nil_word;
  *this = detail::make_integer(false, &v, 1);
}

term::term(double d) : w_(nil_word) {
  if (!std::isfinite(d)) throw bad_term_access("badarg: floats must be finite");
  *this = box::adopt(detail::make_box<detail::float_box>(0, d));
}

term::term(const pid& p)
    : w_(reinterpret_cast<uintptr_t>(detail::make_box<detail::pid_box>(0, p))) {}
term::term(const reference& r)
    : w_(reinterpret_cast<uintptr_t>(detail::make_box<detail::ref_box>(0, r))) {}
term::term(const port_id& p)
    : w_(reinterpret_cast<uintptr_t>(detail::make_box<detail::port_box>(0, p))) {}

// ---- compound constructors ------------------------------------------------------------

term term::tuple(std::initializer_list<term> elems) {
  auto* b =
      detail::make_box<box>(elems.size() * sizeof(term), box_kind::tuple, uint32_t(elems.size()));
  term* out = b->trailing<term>();
  size_t i = 0;
  for (const term& e : elems) new (&out[i++]) term(e);
  return box::adopt(b);
}

term term::tuple(std::vector<term> elems) { return tuple_moving(elems); }

term term::tuple_moving(std::span<term> elems) {
  auto* b =
      detail::make_box<box>(elems.size() * sizeof(term), box_kind::tuple, uint32_t(elems.size()));
  term* out = b->trailing<term>();
  for (size_t i = 0; i < elems.size(); ++i) new (&out[i]) term(std::move(elems[i]));
  return box::adopt(b);
}

term term::cons(term head, term tail) {
  return box::adopt(detail::make_box<detail::cons_box>(0, std::move(head), std::move(tail)));
}

term term::list(std::initializer_list<term> elems, term tail) {
  return list(std::vector<term>(elems), std::move(tail));
}

term term::list(std::vector<term> elems, term tail) {
  term acc = std::move(tail);
  for (size_t i = elems.size(); i-- > 0;) acc = cons(std::move(elems[i]), std::move(acc));
  return acc;
}

term term::string(std::string_view utf8) {
  std::vector<term> chars;
  chars.reserve(utf8.size());
  size_t pos = 0;
  while (pos < utf8.size()) {
    int32_t cp = detail::utf8_decode(utf8, pos);
    if (cp < 0) throw bad_term_access("badarg: invalid UTF-8 in string");
    chars.emplace_back(cp);
  }
  return list(std::move(chars));
}

term term::binary(std::string_view bytes) {
  return bitstring(bytes, bytes.size() * 8);
}

term term::bitstring(std::string_view bytes, size_t bits) {
  size_t n = (bits + 7) / 8;
  if (n > bytes.size()) throw bad_term_access("badarg: bitstring longer than its bytes");
  constexpr size_t inline_limit = 64;  // like BEAM's heap binaries
  detail::binary_box* b;
  if (n <= inline_limit) {
    b = detail::make_box<detail::binary_box>(n);
    auto* dst = reinterpret_cast<uint8_t*>(b + 1);  // inline bytes follow the box
    if (n) std::memcpy(dst, bytes.data(), n);
    b->data = dst;
  } else {
    b = detail::make_box<detail::binary_box>(0);
    b->buffer = detail::byte_buffer::make(n);
    std::memcpy(b->buffer->bytes(), bytes.data(), n);
    b->data = b->buffer->bytes();
  }
  if (bits % 8) {  // unused low bits of the last byte are zero, so equal bitstrings compare equal
    auto* last = const_cast<uint8_t*>(b->data) + n - 1;
    *last &= uint8_t(0xFF << (8 - bits % 8));
  }
  b->bits = bits;
  return box::adopt(b);
}

term term::map(std::initializer_list<std::pair<term, term>> kvs) {
  return map(std::vector<std::pair<term, term>>(kvs));
}

term term::map(std::vector<std::pair<term, term>> kvs) {
  // Later duplicates win: stable sort by key, keep the last of each run.
  std::stable_sort(kvs.begin(), kvs.end(), [](const auto& a, const auto& b) {
    return detail::map_key_less(a.first, b.first);
  });
  std::vector<std::pair<term, term>> uniq;
  uniq.reserve(kvs.size());
  for (auto& kv : kvs) {
    if (!uniq.empty() && uniq.back().first == kv.first) {
      uniq.back().second = std::move(kv.second);
    } else {
      uniq.push_back(std::move(kv));
    }
  }
  auto* b = detail::make_box<box>(uniq.size() * sizeof(std::pair<term, term>), box_kind::map,
                                  uint32_t(uniq.size()));
  auto* out = b->trailing<std::pair<term, term>>();
  for (size_t i = 0; i < uniq.size(); ++i) new (&out[i]) std::pair<term, term>(std::move(uniq[i]));
  return box::adopt(b);
}

// ---- type tests -----------------------------------------------------------------------

namespace {
bool box_is(const term& t, box_kind k) noexcept {
  const box* b = t.boxed();
  return b && b->kind == k;
}
}  // namespace

bool term::is_integer() const noexcept {
  return is_small() || box_is(*this, box_kind::bignum);
}
bool term::is_float() const noexcept {
  return box_is(*this, box_kind::flonum);
}
bool term::is_cons() const noexcept {
  return box_is(*this, box_kind::cons);
}
bool term::is_tuple() const noexcept {
  return box_is(*this, box_kind::tuple);
}
bool term::is_map() const noexcept {
  return box_is(*this, box_kind::map);
}
bool term::is_bitstring() const noexcept {
  return box_is(*this, box_kind::binary);
}
bool term::is_binary() const noexcept {
  return is_bitstring() && static_cast<const detail::binary_box*>(boxed())->bits % 8 == 0;
}
bool term::is_pid() const noexcept {
  return box_is(*this, box_kind::pid);
}
bool term::is_reference() const noexcept {
  return box_is(*this, box_kind::reference);
}
bool term::is_port() const noexcept {
  return box_is(*this, box_kind::port);
}
bool term::is_fun() const noexcept {
  return box_is(*this, box_kind::fun);
}

term_type term::type() const noexcept {
  if (is_small()) return term_type::integer;
  if (is_atom()) return term_type::atom;
  if (is_nil()) return term_type::nil;
  switch (as_box(w_)->kind) {
    case box_kind::bignum:
      return term_type::integer;
    case box_kind::flonum:
      return term_type::float_;
    case box_kind::tuple:
      return term_type::tuple;
    case box_kind::cons:
      return term_type::list;
    case box_kind::binary:
      return term_type::bitstring;
    case box_kind::map:
      return term_type::map;
    case box_kind::pid:
      return term_type::pid;
    case box_kind::port:
      return term_type::port;
    case box_kind::reference:
      return term_type::reference;
    case box_kind::fun:
      return term_type::fun;
  }
  return term_type::nil;
}

// ---- accessors ------------------------------------------------------------------------

atom term::as_atom() const {
  if (!is_atom()) bad("an atom", *this);
  return atom(detail::atom_index_tag{}, uint32_t(w_ >> tag_bits));
}

int64_t term::as_int() const {
  if (is_small()) return int64_t(w_) >> tag_bits;
  if (!box_is(*this, box_kind::bignum)) bad("an integer", *this);
  const box* b = boxed();
  uint64_t mag = detail::bignum_limbs(b)[0];
  bool neg = b->flags & 1;
  if (b->count == 1) {
    if (!neg && mag <= uint64_t(INT64_MAX)) return int64_t(mag);
    if (neg && mag <= uint64_t(INT64_MAX) + 1) return int64_t(uint64_t(0) - mag);
  }
  throw bad_term_access("badarg: integer does not fit in 64 bits: " + to_string(*this));
}

std::optional<int64_t> term::try_int64() const noexcept {
  if (is_small()) return int64_t(w_) >> tag_bits;
  if (!box_is(*this, box_kind::bignum)) return std::nullopt;
  const box* b = boxed();
  uint64_t mag = detail::bignum_limbs(b)[0];
  bool neg = b->flags & 1;
  if (b->count != 1) return std::nullopt;
  if (!neg && mag <= uint64_t(INT64_MAX)) return int64_t(mag);
  if (neg && mag <= uint64_t(INT64_MAX) + 1) return int64_t(uint64_t(0) - mag);
  return std::nullopt;
}

std::optional<uint64_t> term::try_uint64() const noexcept {
  if (is_small()) {
    int64_t v = int64_t(w_) >> tag_bits;
    if (v < 0) return std::nullopt;
    return uint64_t(v);
  }
  if (!box_is(*this, box_kind::bignum)) return std::nullopt;
  const box* b = boxed();
  if (b->count != 1 || (b->flags & 1)) return std::nullopt;
  return detail::bignum_limbs(b)[0];
}

double term::as_float() const {
  if (!is_float()) bad("a float", *this);
  return static_cast<const detail::float_box*>(boxed())->value;
}

double term::as_number() const {
  if (is_float()) return as_float();
  if (is_small()) return double(int64_t(w_) >> tag_bits);
  if (!is_integer()) bad("a number", *this);
  const box* b = boxed();
  double d = 0;
  for (size_t i = b->count; i-- > 0;)
    d = d * 18446744073709551616.0 + double(detail::bignum_limbs(b)[i]);
  return (b->flags & 1) ? -d : d;
}

bool term::as_bool() const {
  if (is_atom(atoms::true_)) return true;
  if (is_atom(atoms::false_)) return false;
  bad("a boolean", *this);
}

pid term::as_pid() const {
  if (!is_pid()) bad("a pid", *this);
  return static_cast<const detail::pid_box*>(boxed())->value;
}

reference term::as_reference() const {
  if (!is_reference()) bad("a reference", *this);
  return static_cast<const detail::ref_box*>(boxed())->value;
}

port_id term::as_port() const {
  if (!is_port()) bad("a port", *this);
  return static_cast<const detail::port_box*>(boxed())->value;
}

std::string_view term::as_binary() const {
  if (!is_binary()) bad("a binary", *this);
  auto* b = static_cast<const detail::binary_box*>(boxed());
  return {reinterpret_cast<const char*>(b->data), b->byte_size()};
}

std::pair<std::string_view, size_t> term::as_bitstring() const {
  if (!is_bitstring()) bad("a bitstring", *this);
  auto* b = static_cast<const detail::binary_box*>(boxed());
  return {{reinterpret_cast<const char*>(b->data), b->byte_size()}, size_t(b->bits)};
}

std::string term::as_string() const {
  if (is_binary()) return std::string(as_binary());
  std::string out;
  const term* t = this;
  while (t->is_cons()) {
    const term& h = t->head();
    if (!h.is_small() || !detail::utf8_encode(h.as_int(), out)) bad("a string", *this);
    t = &t->tail();
  }
  if (!t->is_nil()) bad("a string", *this);
  return out;
}

size_t term::tuple_size() const {
  if (!is_tuple()) bad("a tuple", *this);
  return boxed()->count;
}

const term& term::element(size_t i) const {
  if (i >= tuple_size()) throw bad_term_access("badarg: tuple index out of range");
  return detail::tuple_elems(boxed())[i];
}

std::span<const term> term::elements() const {
  return {detail::tuple_elems(boxed()), tuple_size()};
}

const term& term::head() const {
  if (!is_cons()) bad("a non-empty list", *this);
  return static_cast<const detail::cons_box*>(boxed())->head;
}

const term& term::tail() const {
  if (!is_cons()) bad("a non-empty list", *this);
  return static_cast<const detail::cons_box*>(boxed())->tail;
}

size_t term::list_length() const {
  size_t n = 0;
  const term* t = this;
  for (; t->is_cons(); t = &t->tail()) ++n;
  if (!t->is_nil()) bad("a proper list", *this);
  return n;
}

std::vector<term> term::list_elements() const {
  std::vector<term> out;
  const term* t = this;
  for (; t->is_cons(); t = &t->tail()) out.push_back(t->head());
  if (!t->is_nil()) bad("a proper list", *this);
  return out;
}

size_t term::map_size() const {
  if (!is_map()) bad("a map", *this);
  return boxed()->count;
}

std::span<const std::pair<term, term>> term::map_entries() const {
  return {detail::map_entries(boxed()), map_size()};
}

const term* term::map_find(const term& key) const {
  auto entries = map_entries();
  auto it = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const auto& kv, const term& k) { return detail::map_key_less(kv.first, k); });
  return (it != entries.end() && it->first == key) ? &it->second : nullptr;
}

}  // namespace otp
