// Opaque funs and sub-binaries.
//
// A fun box holds one trailing term, its descriptor, laid out so that comparing and hashing
// descriptors generically gives Erlang's fun order (local funs before external ones; local
// funs by module, old index, old uniq, number of free variables, then the variables;
// external funs by module, function, arity):
//   local:  {0, {Module, OldIndex, OldUniq, NumFree, {FreeVars...}, Arity, Uniq, Index, Pid}}
//   export: {1, {Module, Function, Arity}}

#include <cstring>
#include <string>

#include "box.hpp"
#include "otp/term.hpp"

namespace otp {

using detail::box;
using detail::box_kind;

namespace {

term make_fun(term descriptor) {
  box* b = detail::make_box<box>(sizeof(term), box_kind::fun);
  new (b->trailing<term>()) term(std::move(descriptor));
  return box::adopt(b);
}

const term& descriptor(const term& f) {
  if (!f.is_fun()) throw bad_term_access("badarg: expected a fun, got " + to_string(f));
  return *f.boxed()->trailing<term>();
}

}  // namespace

term term::export_fun(atom module, atom function, unsigned arity) {
  if (arity > 255) throw bad_term_access("badarg: fun arity over 255");
  return make_fun(term::tuple({term(1), term::tuple({term(module), term(function), term(arity)})}));
}

term term::local_fun(const local_fun_info& f) {
  if (f.arity > 255) throw bad_term_access("badarg: fun arity over 255");
  std::string uniq(reinterpret_cast<const char*>(f.uniq.data()), f.uniq.size());
  return make_fun(term::tuple(
      {term(0), term::tuple({term(f.module), term(f.old_index), term(f.old_uniq),
                             term(f.free_vars.size()), term::tuple(f.free_vars), term(f.arity),
                             term::binary(uniq), term(f.index), term(f.creator)})}));
}

bool term::is_export_fun() const noexcept {
  return is_fun() && boxed()->trailing<term>()->element(0).as_int() == 1;
}

export_fun_info term::as_export_fun() const {
  const term& d = descriptor(*this);
  if (d[0].as_int() != 1) throw bad_term_access("badarg: expected an external fun");
  const term& p = d[1];
  return {p[0].as_atom(), p[1].as_atom(), unsigned(p[2].as_int())};
}

local_fun_info term::as_local_fun() const {
  const term& d = descriptor(*this);
  if (d[0].as_int() != 0) throw bad_term_access("badarg: expected a local fun");
  const term& p = d[1];
  local_fun_info f;
  f.module = p[0].as_atom();
  f.old_index = uint32_t(p[1].as_int());
  f.old_uniq = uint32_t(p[2].as_int());
  auto env = p[4].elements();
  f.free_vars.assign(env.begin(), env.end());
  f.arity = unsigned(p[5].as_int());
  std::memcpy(f.uniq.data(), p[6].as_binary().data(), f.uniq.size());
  f.index = uint32_t(p[7].as_int());
  f.creator = p[8].as_pid();
  return f;
}

term term::sub_binary(const term& bin, size_t pos, size_t length) {
  std::string_view bytes = bin.as_binary();
  if (pos > bytes.size() || length > bytes.size() - pos)
    throw bad_term_access("badarg: sub-binary range outside the binary");
  auto* parent = static_cast<const detail::binary_box*>(bin.boxed());
  if (!parent->buffer) return term::binary(bytes.substr(pos, length));  // small: copy
  auto* b = detail::make_box<detail::binary_box>(0);
  parent->buffer->retain();
  b->buffer = parent->buffer;
  b->data = parent->data + pos;
  b->bits = uint64_t(length) * 8;
  return box::adopt(b);
}

}  // namespace otp
