// Encoding terms to the external term format, byte for byte as erl's term_to_binary/1.
//
// The encoder walks the term with an explicit stack (no recursion), so any depth encodes.
// It chooses the same tags erl does: the smallest integer form, STRING_EXT for proper lists
// of bytes up to 65535 long, LIST_EXT covering the whole spine of other lists, NEW_FLOAT_EXT,
// NEW_PID_EXT, NEWER_REFERENCE_EXT, NEW_PORT_EXT unless the number needs V4_PORT_EXT.

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "box.hpp"
#include "etf_tags.hpp"
#include "otp/etf.hpp"
#include "utf8.hpp"

namespace otp {

namespace et = detail::etf;

namespace {

void put8(std::string& o, uint64_t v) {
  o += char(uint8_t(v));
}
void put16(std::string& o, uint64_t v) {
  put8(o, v >> 8);
  put8(o, v);
}
void put32(std::string& o, uint64_t v) {
  put16(o, v >> 16);
  put16(o, v);
}
void put64(std::string& o, uint64_t v) {
  put32(o, v >> 32);
  put32(o, v);
}

class encoder {
 public:
  encoder(std::string& out, const etf_context& ctx, const etf_encode_options& opts)
      : out_(out), ctx_(ctx), opts_(opts) {
    size_t n = std::min<size_t>(opts.atom_cache.size(), 256);
    for (size_t i = 0; i < n; ++i) cache_.emplace(opts.atom_cache[i].index(), uint8_t(i));
  }

  void encode(const term& root) {
    // A work item is a term to write, or (t == nullptr) the position of a NEW_FUN_EXT size
    // field to fill in once the fun's last free variable is written.
    struct item {
      const term* t;
      size_t patch;
    };
    // The work stack is kept per thread (small terms are encoded by the million).
    static thread_local std::vector<item> shared_work;
    static thread_local bool shared_busy = false;
    std::vector<item> own;
    std::vector<item>& work = shared_busy ? own : shared_work;
    struct release_work {
      std::vector<item>& w;
      bool& busy;
      bool mine;
      ~release_work() {
        w.clear();
        if (mine) busy = false;
      }
    } release{work, shared_busy, !shared_busy};
    shared_busy = true;
    work.push_back({&root, 0});
    while (!work.empty()) {
      item it = work.back();
      work.pop_back();
      if (!it.t) {
        uint64_t size = out_.size() - it.patch;
        for (int i = 0; i < 4; ++i)
          out_[it.patch + size_t(i)] = char(uint8_t(size >> (24 - 8 * i)));
        continue;
      }
      const term& t = *it.t;
      switch (t.type()) {
        case term_type::integer:
          write_integer(t);
          break;
        case term_type::float_: {
          double d = t.as_float();
          uint64_t bits;
          std::memcpy(&bits, &d, sizeof bits);
          put8(out_, et::new_float);
          put64(out_, bits);
          break;
        }
        case term_type::atom:
          write_atom(t.as_atom());
          break;
        case term_type::nil:
          put8(out_, et::nil);
          break;
        case term_type::pid:
          write_pid(t.as_pid());
          break;
        case term_type::port: {
          port_id p = t.as_port();
          bool v4 = p.number() > 0xFFFF'FFFFu;
          put8(out_, v4 ? et::v4_port : et::new_port);
          write_node(p.node());
          if (v4) {
            put64(out_, p.number());
          } else {
            put32(out_, p.number());
          }
          put32(out_, creation_of(p.node(), p.creation()));
          break;
        }
        case term_type::reference: {
          reference r = t.as_reference();
          put8(out_, et::newer_reference);
          put16(out_, r.word_count());
          write_node(r.node());
          put32(out_, creation_of(r.node(), r.creation()));
          for (size_t i = 0; i < r.word_count(); ++i) put32(out_, r.word(int(i)));
          break;
        }
        case term_type::bitstring: {
          auto [bytes, bits] = t.as_bitstring();
          if (bits % 8 == 0) {
            put8(out_, et::binary);
            put32(out_, bytes.size());
          } else {
            put8(out_, et::bit_binary);
            put32(out_, bytes.size());
            put8(out_, bits % 8);
          }
          out_.append(bytes);
          break;
        }
        case term_type::tuple: {
          size_t n = t.tuple_size();
          if (n <= 255) {
            put8(out_, et::small_tuple);
            put8(out_, n);
          } else {
            put8(out_, et::large_tuple);
            put32(out_, n);
          }
          for (size_t i = n; i-- > 0;) work.push_back({&t.element(i), 0});
          break;
        }
        case term_type::map: {
          auto entries = t.map_entries();
          put8(out_, et::map);
          put32(out_, entries.size());
          for (size_t i = entries.size(); i-- > 0;) {
            work.push_back({&entries[i].second, 0});
            work.push_back({&entries[i].first, 0});
          }
          break;
        }
        case term_type::list: {
          if (write_string(t)) break;
          size_t n = 0;
          const term* p = &t;
          for (; p->is_cons(); p = &p->tail()) ++n;
          put8(out_, et::list);
          put32(out_, n);
          size_t mark = work.size();
          work.push_back({p, 0});  // the tail, written last
          for (p = &t; p->is_cons(); p = &p->tail()) work.push_back({&p->head(), 0});
          std::reverse(work.begin() + std::ptrdiff_t(mark) + 1, work.end());
          break;
        }
        case term_type::fun: {
          if (t.is_export_fun()) {
            export_fun_info f = t.as_export_fun();
            put8(out_, et::export_fun);
            write_atom(f.module);
            write_atom(f.function);
            put8(out_, et::small_integer);
            put8(out_, f.arity);
            break;
          }
          local_fun_info f = t.as_local_fun();
          put8(out_, et::new_fun);
          size_t size_at = out_.size();
          put32(out_, 0);  // patched when the fun is complete
          put8(out_, f.arity);
          out_.append(reinterpret_cast<const char*>(f.uniq.data()), f.uniq.size());
          put32(out_, f.index);
          put32(out_, f.free_vars.size());
          write_atom(f.module);
          write_integer(term(f.old_index));
          write_integer(term(f.old_uniq));
          write_pid(f.creator);
          work.push_back({nullptr, size_at});
          // The free variables live in the fun's descriptor, which outlives this walk.
          const term& env = t.boxed()->trailing<term>()->element(1).element(4);
          for (size_t i = env.tuple_size(); i-- > 0;) work.push_back({&env.element(i), 0});
          break;
        }
      }
    }
  }

 private:
  void write_integer(const term& t) {
    if (t.is_small()) {
      int64_t v = t.as_int();
      if (v >= 0 && v <= 255) {
        put8(out_, et::small_integer);
        put8(out_, v);
        return;
      }
      if (v >= INT32_MIN && v <= INT32_MAX) {
        put8(out_, et::integer);
        put32(out_, uint32_t(int32_t(v)));
        return;
      }
      uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
      big(v < 0, &mag, 1);
      return;
    }
    const detail::box* b = t.boxed();
    big(b->flags & 1, detail::bignum_limbs(b), b->count);
  }

  void big(bool negative, const uint64_t* limbs, size_t count) {
    size_t n = count * 8;
    while (n > 0 && uint8_t(limbs[(n - 1) / 8] >> (8 * ((n - 1) % 8))) == 0) --n;
    if (n <= 255) {
      put8(out_, et::small_big);
      put8(out_, n);
    } else {
      put8(out_, et::large_big);
      put32(out_, n);
    }
    put8(out_, negative ? 1 : 0);
    for (size_t i = 0; i < n; ++i) put8(out_, limbs[i / 8] >> (8 * (i % 8)));
  }

  void write_atom(atom a) {
    if (!cache_.empty()) {
      if (auto it = cache_.find(a.index()); it != cache_.end()) {
        put8(out_, et::atom_cache_ref);
        put8(out_, it->second);
        return;
      }
    }
    std::string_view name = a.name();
    if (!opts_.utf8_atoms) {
      // Latin-1 when every character fits, as OTP 25's default encoding.
      std::string latin1;
      bool fits = true;
      for (size_t pos = 0; fits && pos < name.size();) {
        int32_t cp = detail::utf8_decode(name, pos);
        fits = cp >= 0 && cp <= 255;
        latin1 += char(uint8_t(cp));
      }
      if (fits) {
        put8(out_, et::atom_latin1);
        put16(out_, latin1.size());
        out_ += latin1;
        return;
      }
    }
    if (name.size() <= 255) {
      put8(out_, et::small_atom_utf8);
      put8(out_, name.size());
    } else {
      put8(out_, et::atom_utf8);
      put16(out_, name.size());
    }
    out_.append(name);
  }

  void write_node(atom node) { write_atom(node == atom() ? ctx_.node : node); }
  uint32_t creation_of(atom node, uint32_t creation) const {
    return node == atom() ? ctx_.creation : creation;
  }

  void write_pid(const pid& p) {
    put8(out_, et::new_pid);
    write_node(p.node());
    put32(out_, p.id_field());
    put32(out_, p.serial_field());
    put32(out_, creation_of(p.node(), p.creation()));
  }

  // STRING_EXT for a proper list of at most 65535 integers 0..255, as erl.
  bool write_string(const term& t) {
    size_t n = 0;
    const term* p = &t;
    for (; p->is_cons() && n <= 0xFFFF; p = &p->tail(), ++n) {
      const term& h = p->head();
      if (!h.is_small()) return false;
      int64_t v = h.as_int();
      if (v < 0 || v > 255) return false;
    }
    if (!p->is_nil() || n > 0xFFFF) return false;
    put8(out_, et::string);
    put16(out_, n);
    for (p = &t; p->is_cons(); p = &p->tail()) put8(out_, p->head().as_int());
    return true;
  }

  std::string& out_;
  const etf_context& ctx_;
  const etf_encode_options& opts_;
  std::unordered_map<uint32_t, uint8_t> cache_;
};

// erl compresses into a buffer the size of the plain encoding and keeps the plain one when
// zlib's output does not fit: the compressed form (131, 80, size, zlib data) is used only
// when it is no longer than the plain one.
void compress_into(std::string& out, size_t body_at, int level) {
  std::string_view body(out.data() + body_at, out.size() - body_at);
  if (body.size() <= 5) return;
  uLongf cap = uLongf(body.size() - 5);
  std::string z(cap, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(z.data()), &cap,
                     reinterpret_cast<const Bytef*>(body.data()), uLong(body.size()), level);
  if (rc != Z_OK) return;
  z.resize(cap);
  std::string head;
  put8(head, et::compressed);
  put32(head, body.size());
  out.replace(body_at, std::string::npos, head + z);
}

}  // namespace

void term_to_binary(const term& t, std::string& out, const etf_context& ctx,
                    const etf_encode_options& opts) {
  if (opts.version_byte) put8(out, et::version);
  size_t body_at = out.size();
  encoder(out, ctx, opts).encode(t);
  if (opts.compression > 0) compress_into(out, body_at, std::min(opts.compression, 9));
}

std::string term_to_binary(const term& t, const etf_context& ctx, const etf_encode_options& opts) {
  std::string out;
  term_to_binary(t, out, ctx, opts);
  return out;
}

}  // namespace otp
