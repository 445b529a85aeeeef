// Decoding the external term format from untrusted bytes.
//
// Safety rules this file keeps:
//  - Every read is preceded by a check of the bytes left (`need`), so nothing reads past the
//    input.
//  - No recursion: compound terms open a frame on an explicit stack; finished values travel
//    up the stack. Any nesting depth decodes on a small C stack.
//  - Nothing is reserved from a count in the input. Each element takes at least one input
//    byte, so a count larger than the bytes left is rejected at once, and memory grows only
//    with what was actually decoded. A compressed term's declared size is checked against a
//    cap and against zlib's best possible ratio before anything is allocated.
//  - Errors carry a code, the byte offset, and a sentence naming the tag and the problem.

#include <array>
#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "box.hpp"
#include "etf_tags.hpp"
#include "otp/etf.hpp"
#include "utf8.hpp"

namespace otp {

namespace et = detail::etf;

namespace {

const char* tag_name(uint8_t t) {
  switch (t) {
    case et::compressed:
      return "compressed term";
    case et::atom_cache_ref:
      return "ATOM_CACHE_REF";
    case et::small_integer:
      return "SMALL_INTEGER_EXT";
    case et::integer:
      return "INTEGER_EXT";
    case et::float_old:
      return "FLOAT_EXT";
    case et::new_float:
      return "NEW_FLOAT_EXT";
    case et::atom_latin1:
      return "ATOM_EXT";
    case et::small_atom_latin1:
      return "SMALL_ATOM_EXT";
    case et::atom_utf8:
      return "ATOM_UTF8_EXT";
    case et::small_atom_utf8:
      return "SMALL_ATOM_UTF8_EXT";
    case et::reference_old:
      return "REFERENCE_EXT";
    case et::port_old:
      return "PORT_EXT";
    case et::pid_old:
      return "PID_EXT";
    case et::small_tuple:
      return "SMALL_TUPLE_EXT";
    case et::large_tuple:
      return "LARGE_TUPLE_EXT";
    case et::nil:
      return "NIL_EXT";
    case et::string:
      return "STRING_EXT";
    case et::list:
      return "LIST_EXT";
    case et::binary:
      return "BINARY_EXT";
    case et::small_big:
      return "SMALL_BIG_EXT";
    case et::large_big:
      return "LARGE_BIG_EXT";
    case et::new_fun:
      return "NEW_FUN_EXT";
    case et::export_fun:
      return "EXPORT_EXT";
    case et::new_reference:
      return "NEW_REFERENCE_EXT";
    case et::map:
      return "MAP_EXT";
    case et::bit_binary:
      return "BIT_BINARY_EXT";
    case et::new_pid:
      return "NEW_PID_EXT";
    case et::new_port:
      return "NEW_PORT_EXT";
    case et::newer_reference:
      return "NEWER_REFERENCE_EXT";
    case et::v4_port:
      return "V4_PORT_EXT";
    default:
      return "tag";
  }
}

// The header of a NEW_FUN_EXT whose free variables are still being decoded.
struct fun_header {
  local_fun_info info;
  uint32_t size = 0;   // the Size field: bytes from the field itself to the fun's end
  size_t size_at = 0;  // offset of the Size field
};

struct frame {
  enum kind_t : uint8_t { tuple, list, map, fun } kind;
  size_t need;   // values still to come
  size_t start;  // offset of the tag, for errors
  size_t base;   // where its values start on the value stack
  std::unique_ptr<fun_header> fun_hdr;
};

// The decoder's stacks, kept per thread so that decoding many small terms (a distribution
// connection's messages) allocates only the terms themselves. `busy` guards against a
// decoder starting while another one on the thread uses them (it then uses its own).
struct decode_scratch {
  std::vector<frame> frames;
  std::vector<term> values;
  bool busy = false;
};
thread_local decode_scratch scratch;

class decoder {
 public:
  decoder(std::string_view in, const etf_context& ctx, const etf_decode_options& opts,
          bool in_compressed)
      : p_(reinterpret_cast<const uint8_t*>(in.data())),
        n_(in.size()),
        ctx_(ctx),
        opts_(opts),
        in_compressed_(in_compressed) {}

  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }
  etf_error& error() { return err_; }
  size_t left() const { return n_ - pos_; }

  // Decodes one term from the current position.
  bool run(term& result);

  bool fail(etf_errc code, size_t at, std::string msg) {
    err_.code = code;
    err_.offset = at;
    err_.in_compressed = in_compressed_;
    err_.message = msg + " at offset " + std::to_string(at) +
                   (in_compressed_ ? " of the uncompressed data" : "");
    return false;
  }

  bool need(size_t k, uint8_t tag, const char* what) {
    if (left() >= k) return true;
    return fail(etf_errc::truncated, pos_,
                std::string("truncated input: ") + tag_name(tag) + " needs " + std::to_string(k) +
                    " more byte" + (k == 1 ? "" : "s") + " for " + what + ", " +
                    std::to_string(left()) + " left,");
  }

  uint64_t get(size_t bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = v << 8 | p_[pos_++];
    return v;
  }

  const uint8_t* data() const { return p_; }

 private:
  bool read_atom(atom& out, uint8_t context_tag, const char* what);
  bool make_atom(std::string_view bytes, bool latin1, size_t at, atom& out);
  bool read_node(atom& node, uint8_t tag);
  bool read_small_uint(uint64_t& out, uint8_t context_tag, const char* what);
  bool read_pid(pid& out, uint8_t context_tag);
  atom local_or(atom node, uint32_t creation) const {
    return node == ctx_.node && creation == ctx_.creation ? atom() : node;
  }
  bool count_fits(uint64_t count, uint64_t per_item, uint8_t tag, size_t at) {
    if (count <= left() / per_item) return true;
    return fail(etf_errc::truncated, at,
                std::string("truncated input: ") + tag_name(tag) + " declares " +
                    std::to_string(count) + " elements but only " + std::to_string(left()) +
                    " bytes follow,");
  }
  bool decode_big(uint8_t tag, term& out);
  bool finish(frame& f, std::span<term> items, term& out);

  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  const etf_context& ctx_;
  const etf_decode_options& opts_;
  bool in_compressed_;
  etf_error err_;
};

// Recently decoded atoms, per thread: a distribution connection decodes the same few atoms
// (node names in every pid, message tags) over and over, and this skips the atom table's
// lock and hash. An entry is trusted only after comparing the text.
struct atom_cache_entry {
  uint64_t hash = 0;
  atom value;
  bool used = false;
};
thread_local std::array<atom_cache_entry, 256> recent_atoms;

uint64_t text_hash(std::string_view s) noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool decoder::make_atom(std::string_view bytes, bool latin1, size_t at, atom& out) {
  std::string converted;
  std::string_view utf8 = bytes;
  size_t chars = 0;
  if (latin1) {
    bool ascii = true;
    for (unsigned char c : bytes) ascii = ascii && c < 0x80;
    if (!ascii) {
      for (unsigned char c : bytes) detail::utf8_encode(c, converted);
      utf8 = converted;
    }
    chars = bytes.size();
  } else {
    for (size_t pos = 0; pos < bytes.size(); ++chars) {
      if (detail::utf8_decode(bytes, pos) < 0)
        return fail(etf_errc::bad_atom, at, "atom text is not valid UTF-8");
    }
  }
  const uint64_t h = text_hash(utf8);
  atom_cache_entry& slot = recent_atoms[h & 255];
  if (slot.used && slot.hash == h && slot.value.name() == utf8) {
    out = slot.value;  // an existing atom: fine in safe mode too
    return true;
  }
  if (chars > atom::max_length)
    return fail(etf_errc::bad_atom, at,
                "atom of " + std::to_string(chars) + " characters (at most 255)");
  if (opts_.existing_atoms_only) {
    bool found = false;
    out = atom::existing(utf8, found);
    if (!found)
      return fail(etf_errc::bad_atom, at, "atom '" + std::string(utf8) + "' does not exist (safe mode)");
    slot = {h, out, true};
    return true;
  }
  try {
    out = atom(utf8);
    slot = {h, out, true};
  } catch (const std::length_error&) {
    return fail(etf_errc::bad_atom, at, "atom too long");
  } catch (const std::runtime_error&) {
    return fail(etf_errc::bad_atom, at, "atom table full");
  }
  return true;
}

bool decoder::read_atom(atom& out, uint8_t context_tag, const char* what) {
  size_t at = pos_;
  if (!need(1, context_tag, what)) return false;
  uint8_t tag = p_[pos_++];
  size_t len;
  switch (tag) {
    case et::atom_cache_ref: {
      if (!need(1, tag, "the cache index")) return false;
      size_t i = p_[pos_++];
      if (i >= opts_.atom_cache.size())
        return fail(etf_errc::bad_atom_cache_ref, at,
                    "ATOM_CACHE_REF index " + std::to_string(i) + " outside the atom cache of " +
                        std::to_string(opts_.atom_cache.size()) + " entries");
      out = opts_.atom_cache[i];
      return true;
    }
    case et::atom_latin1:
    case et::atom_utf8:
      if (!need(2, tag, "the length")) return false;
      len = size_t(get(2));
      break;
    case et::small_atom_latin1:
    case et::small_atom_utf8:
      if (!need(1, tag, "the length")) return false;
      len = p_[pos_++];
      break;
    default:
      return fail(etf_errc::unknown_tag, at,
                  std::string(tag_name(context_tag)) + " expects an atom for " + what +
                      ", found tag " + std::to_string(tag));
  }
  if (!need(len, tag, "the atom text")) return false;
  std::string_view text(reinterpret_cast<const char*>(p_ + pos_), len);
  pos_ += len;
  return make_atom(text, tag == et::atom_latin1 || tag == et::small_atom_latin1, at, out);
}

bool decoder::read_node(atom& node, uint8_t tag) {
  size_t at = pos_;
  if (!read_atom(node, tag, "the node name")) return false;
  if (node == atom())
    return fail(etf_errc::bad_value, at, std::string(tag_name(tag)) + " has an empty node name");
  return true;
}

// An integer that NEW_FUN_EXT carries as a term (OldIndex, OldUniq): 0..2^32-1.
bool decoder::read_small_uint(uint64_t& out, uint8_t context_tag, const char* what) {
  size_t at = pos_;
  if (!need(1, context_tag, what)) return false;
  uint8_t tag = p_[pos_++];
  switch (tag) {
    case et::small_integer:
      if (!need(1, tag, "the value")) return false;
      out = p_[pos_++];
      return true;
    case et::integer: {
      if (!need(4, tag, "the value")) return false;
      auto v = int32_t(uint32_t(get(4)));
      if (v < 0) break;
      out = uint64_t(v);
      return true;
    }
    case et::small_big: {
      if (!need(2, tag, "the header")) return false;
      size_t n = p_[pos_++];
      uint8_t sign = p_[pos_++];
      if (!need(n, tag, "the digits")) return false;
      out = 0;
      bool fits = sign == 0;
      for (size_t i = 0; i < n; ++i) {
        uint8_t d = p_[pos_ + i];
        if (i >= 4 && d) fits = false;
        if (i < 4) out |= uint64_t(d) << (8 * i);
      }
      pos_ += n;
      if (!fits) break;
      return true;
    }
    default:
      break;
  }
  return fail(etf_errc::bad_value, at,
              std::string(tag_name(context_tag)) + " expects an integer 0..4294967295 for " + what);
}

bool decoder::read_pid(pid& out, uint8_t context_tag) {
  size_t at = pos_;
  if (!need(1, context_tag, "the creator pid")) return false;
  uint8_t tag = p_[pos_++];
  if (tag != et::new_pid && tag != et::pid_old)
    return fail(
        etf_errc::unknown_tag, at,
        std::string(tag_name(context_tag)) + " expects a pid, found tag " + std::to_string(tag));
  atom node;
  if (!read_node(node, tag)) return false;
  size_t cr = tag == et::new_pid ? 4 : 1;
  if (!need(8 + cr, tag, "ID, serial and creation")) return false;
  auto id = uint32_t(get(4));
  auto serial = uint32_t(get(4));
  auto creation = uint32_t(get(cr));
  out = pid::from_fields(local_or(node, creation), id, serial, creation);
  return true;
}

bool decoder::decode_big(uint8_t tag, term& out) {
  size_t hdr = tag == et::small_big ? 1 : 4;
  if (!need(hdr + 1, tag, "the length and sign")) return false;
  size_t n = size_t(get(hdr));
  uint8_t sign = p_[pos_++];
  if (!need(n, tag, "the digits")) return false;
  std::vector<uint64_t> limbs((n + 7) / 8, 0);
  for (size_t i = 0; i < n; ++i) limbs[i / 8] |= uint64_t(p_[pos_ + i]) << (8 * (i % 8));
  pos_ += n;
  out = detail::make_integer(sign != 0, limbs.data(), limbs.size());
  return true;
}

bool decoder::finish(frame& f, std::span<term> items, term& out) {
  switch (f.kind) {
    case frame::tuple:
      out = term::tuple_moving(items);
      return true;
    case frame::list: {
      term acc = std::move(items.back());  // the tail
      for (size_t i = items.size() - 1; i-- > 0;) acc = term::cons(std::move(items[i]), std::move(acc));
      out = std::move(acc);
      return true;
    }
    case frame::map: {
      std::vector<std::pair<term, term>> kvs;
      kvs.reserve(items.size() / 2);
      for (size_t i = 0; i + 1 < items.size(); i += 2)
        kvs.emplace_back(std::move(items[i]), std::move(items[i + 1]));
      size_t n = kvs.size();
      out = term::map(std::move(kvs));
      if (out.map_size() != n)
        return fail(etf_errc::duplicate_map_key, f.start, "MAP_EXT repeats a key");
      return true;
    }
    case frame::fun: {
      fun_header& h = *f.fun_hdr;
      if (pos_ - h.size_at != h.size)
        return fail(etf_errc::bad_value, f.start,
                    "NEW_FUN_EXT says it is " + std::to_string(h.size) + " bytes long but is " +
                        std::to_string(pos_ - h.size_at) + ",");
      h.info.free_vars.assign(std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
      out = term::local_fun(h.info);
      return true;
    }
  }
  return false;
}

bool decoder::run(term& result) {
  decode_scratch own;
  decode_scratch& sc = scratch.busy ? own : scratch;
  sc.busy = true;
  std::vector<frame>& stack = sc.frames;
  std::vector<term>& values = sc.values;
  struct release_scratch {
    decode_scratch& sc;
    ~release_scratch() {
      sc.frames.clear();
      sc.values.clear();  // values of a failed decode go now, not with the next one
      sc.busy = false;
    }
  } release{sc};
  for (;;) {
    term value;
    size_t at = pos_;
    if (!need(1, 0, "the next term")) {
      err_.message = "truncated input: a term is missing at offset " + std::to_string(at) +
                     (in_compressed_ ? " of the uncompressed data" : "");
      return false;
    }
    uint8_t tag = p_[pos_];
    bool opened = false;  // a frame was pushed; its elements come next
    switch (tag) {
      case et::small_integer:
        ++pos_;
        if (!need(1, tag, "the value")) return false;
        value = term(p_[pos_++]);
        break;
      case et::integer:
        ++pos_;
        if (!need(4, tag, "the value")) return false;
        value = term(int32_t(uint32_t(get(4))));
        break;
      case et::small_big:
      case et::large_big:
        ++pos_;
        if (!decode_big(tag, value)) return false;
        break;
      case et::new_float: {
        ++pos_;
        if (!need(8, tag, "the IEEE double")) return false;
        uint64_t bits = get(8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) return fail(etf_errc::bad_value, at, "NEW_FLOAT_EXT is not finite");
        value = term(d);
        break;
      }
      case et::float_old: {
        ++pos_;
        if (!need(31, tag, "the float text")) return false;
        const char* s = reinterpret_cast<const char*>(p_ + pos_);
        size_t len = 0;
        while (len < 31 && s[len] != '\0') ++len;
        double d = 0;
        auto [end, ec] = std::from_chars(s, s + len, d);
        pos_ += 31;
        if (ec != std::errc() || end != s + len || len == 0 || !std::isfinite(d))
          return fail(etf_errc::bad_value, at, "FLOAT_EXT text is not a finite float");
        value = term(d);
        break;
      }
      case et::atom_cache_ref:
      case et::atom_latin1:
      case et::small_atom_latin1:
      case et::atom_utf8:
      case et::small_atom_utf8: {
        atom a;
        if (!read_atom(a, tag, "the atom")) return false;
        value = term(a);
        break;
      }
      case et::nil:
        ++pos_;
        break;
      case et::string: {
        ++pos_;
        if (!need(2, tag, "the length")) return false;
        size_t len = size_t(get(2));
        if (!need(len, tag, "the characters")) return false;
        for (size_t i = len; i-- > 0;) value = term::cons(term(p_[pos_ + i]), std::move(value));
        pos_ += len;
        break;
      }
      case et::binary: {
        ++pos_;
        if (!need(4, tag, "the length")) return false;
        size_t len = size_t(get(4));
        if (!need(len, tag, "the bytes")) return false;
        value = term::binary({reinterpret_cast<const char*>(p_ + pos_), len});
        pos_ += len;
        break;
      }
      case et::bit_binary: {
        ++pos_;
        if (!need(5, tag, "the length and bit count")) return false;
        size_t len = size_t(get(4));
        unsigned bits = p_[pos_++];
        if (len == 0 ? bits != 0 : (bits < 1 || bits > 8))
          return fail(etf_errc::bad_value, at,
                      "BIT_BINARY_EXT uses " + std::to_string(bits) + " bits of its last byte (" +
                          (len ? "1..8" : "0 for no bytes") + ")");
        if (!need(len, tag, "the bytes")) return false;
        value = term::bitstring({reinterpret_cast<const char*>(p_ + pos_), len},
                                len ? (len - 1) * 8 + bits : 0);
        pos_ += len;
        break;
      }
      case et::small_tuple:
      case et::large_tuple: {
        ++pos_;
        size_t hdr = tag == et::small_tuple ? 1 : 4;
        if (!need(hdr, tag, "the arity")) return false;
        size_t n = size_t(get(hdr));
        if (n == 0) {
          value = term::tuple({});
          break;
        }
        if (!count_fits(n, 1, tag, at)) return false;
        stack.push_back({frame::tuple, n, at, values.size(), nullptr});
        opened = true;
        break;
      }
      case et::list: {
        ++pos_;
        if (!need(4, tag, "the length")) return false;
        uint64_t n = get(4);
        if (!count_fits(n + 1, 1, tag, at)) return false;
        stack.push_back({frame::list, size_t(n) + 1, at, values.size(), nullptr});
        opened = true;
        break;
      }
      case et::map: {
        ++pos_;
        if (!need(4, tag, "the arity")) return false;
        uint64_t n = get(4);
        if (n == 0) {
          value = term::map({});
          break;
        }
        if (!count_fits(n, 2, tag, at)) return false;
        stack.push_back({frame::map, size_t(n) * 2, at, values.size(), nullptr});
        opened = true;
        break;
      }
      case et::new_pid:
      case et::pid_old: {
        pid p;
        if (!read_pid(p, tag)) return false;
        value = term(p);
        break;
      }
      case et::new_port:
      case et::v4_port:
      case et::port_old: {
        ++pos_;
        atom node;
        if (!read_node(node, tag)) return false;
        size_t idb = tag == et::v4_port ? 8 : 4, crb = tag == et::port_old ? 1 : 4;
        if (!need(idb + crb, tag, "the ID and creation")) return false;
        uint64_t id = get(idb);
        auto creation = uint32_t(get(crb));
        value = term(port_id::make(local_or(node, creation), id, creation));
        break;
      }
      case et::newer_reference:
      case et::new_reference:
      case et::reference_old: {
        ++pos_;
        size_t words = 1;
        if (tag != et::reference_old) {
          if (!need(2, tag, "the length")) return false;
          words = size_t(get(2));
          if (words > reference::max_words)
            return fail(etf_errc::bad_value, at,
                        std::string(tag_name(tag)) + " has " + std::to_string(words) +
                            " ID words (at most 5)");
        }
        atom node;
        if (!read_node(node, tag)) return false;
        uint32_t creation = 0;
        uint32_t ids[reference::max_words] = {};
        if (tag == et::reference_old) {
          if (!need(5, tag, "the ID and creation")) return false;
          ids[0] = uint32_t(get(4));
          creation = uint32_t(get(1));
        } else {
          size_t crb = tag == et::newer_reference ? 4 : 1;
          if (!need(crb + 4 * words, tag, "the creation and ID words")) return false;
          creation = uint32_t(get(crb));
          for (size_t i = 0; i < words; ++i) ids[i] = uint32_t(get(4));
        }
        value = term(reference::from_words(local_or(node, creation), creation, {ids, words}));
        break;
      }
      case et::export_fun: {
        ++pos_;
        atom m, f;
        if (!read_atom(m, tag, "the module") || !read_atom(f, tag, "the function")) return false;
        size_t arity_at = pos_;
        if (!need(2, tag, "the arity")) return false;
        if (p_[pos_] != et::small_integer)
          return fail(etf_errc::bad_value, arity_at, "EXPORT_EXT arity is not a SMALL_INTEGER_EXT");
        pos_ += 1;
        value = term::export_fun(m, f, p_[pos_++]);
        break;
      }
      case et::new_fun: {
        ++pos_;
        auto h = std::make_unique<fun_header>();
        h->size_at = pos_;
        if (!need(4 + 1 + 16 + 4 + 4, tag, "the header")) return false;
        h->size = uint32_t(get(4));
        h->info.arity = p_[pos_++];
        std::memcpy(h->info.uniq.data(), p_ + pos_, 16);
        pos_ += 16;
        h->info.index = uint32_t(get(4));
        uint64_t num_free = get(4);
        uint64_t old_index = 0, old_uniq = 0;
        if (!read_atom(h->info.module, tag, "the module") ||
            !read_small_uint(old_index, tag, "OldIndex") ||
            !read_small_uint(old_uniq, tag, "OldUniq") || !read_pid(h->info.creator, tag))
          return false;
        h->info.old_index = uint32_t(old_index);
        h->info.old_uniq = uint32_t(old_uniq);
        if (!count_fits(num_free, 1, tag, at)) return false;
        frame fr{frame::fun, size_t(num_free), at, values.size(), std::move(h)};
        if (num_free == 0) {
          if (!finish(fr, {}, value)) return false;
          break;
        }
        stack.push_back(std::move(fr));
        opened = true;
        break;
      }
      case et::compressed:
        return fail(etf_errc::unknown_tag, at,
                    "a compressed term (tag 80) may only appear right after the version byte,");
      default:
        return fail(etf_errc::unknown_tag, at, "unknown tag " + std::to_string(tag));
    }
    if (opened) continue;
    // Hand the finished value to the enclosing frames, completing those it fills.
    for (;;) {
      if (stack.empty()) {
        result = std::move(value);
        return true;
      }
      frame& f = stack.back();
      values.push_back(std::move(value));
      if (--f.need > 0) break;
      if (!finish(f, std::span<term>(values).subspan(f.base), value)) return false;
      values.resize(f.base);
      stack.pop_back();
    }
  }
}

// Inflates the compressed form whose size field starts at `pos` and decodes what it holds.
bool decode_compressed(decoder& d, std::string_view in, const etf_context& ctx,
                       const etf_decode_options& opts, term& out) {
  size_t at = d.pos();
  d.seek(at + 1);
  if (!d.need(4, et::compressed, "the uncompressed size")) return false;
  uint64_t size = d.get(4);
  size_t zpos = d.pos();
  size_t zlen = in.size() - zpos;
  // Deflate cannot shrink data more than about 1032:1, so a larger claim is a lie.
  if (size > opts.max_uncompressed_size || size > uint64_t(zlen) * 1032 + 64)
    return d.fail(etf_errc::bad_compression, at,
                  "compressed term declares " + std::to_string(size) + " bytes, more than " +
                      (size > opts.max_uncompressed_size ? "the limit" : "its data can hold"));
  std::string buf(size_t(size), '\0');
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return d.fail(etf_errc::out_of_memory, at, "zlib failed to start");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + zpos));
  zs.avail_in = uInt(std::min<size_t>(zlen, UINT32_MAX));
  zs.next_out = reinterpret_cast<Bytef*>(buf.data());
  zs.avail_out = uInt(size);
  int rc = inflate(&zs, Z_FINISH);
  size_t produced = zs.total_out, consumed = zs.total_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != size)
    return d.fail(
        etf_errc::bad_compression, at,
        rc == Z_STREAM_END || rc == Z_BUF_ERROR
            ? "compressed data does not inflate to the declared " + std::to_string(size) + " bytes"
            : std::string("compressed data is corrupt (") + (zs.msg ? zs.msg : "zlib") + ")");
  decoder inner(buf, ctx, opts, true);
  if (!inner.run(out)) {
    d.error() = inner.error();
    return false;
  }
  if (inner.left() != 0) {
    return d.fail(
        etf_errc::bad_compression, at,
        "compressed data holds " + std::to_string(inner.left()) + " bytes after the term,");
  }
  d.seek(zpos + consumed);
  return true;
}

}  // namespace

etf_decode_result try_binary_to_term(std::string_view bytes, const etf_context& ctx,
                                     const etf_decode_options& opts) noexcept {
  etf_decode_result r;
  try {
    decoder d(bytes, ctx, opts, false);
    bool ok = true;
    if (opts.version_byte) {
      if (bytes.empty()) {
        ok = d.fail(etf_errc::truncated, 0, "empty input: no version byte");
      } else if (uint8_t(bytes[0]) != et::version) {
        ok = d.fail(etf_errc::bad_version, 0,
                    "version byte is " + std::to_string(uint8_t(bytes[0])) + ", not 131,");
      } else {
        d.seek(1);
      }
    }
    if (ok) {
      if (d.left() > 0 && d.data()[d.pos()] == et::compressed) {
        ok = decode_compressed(d, bytes, ctx, opts, r.value);
      } else {
        ok = d.run(r.value);
      }
    }
    if (ok && !opts.allow_trailing && d.left() != 0)
      ok = d.fail(etf_errc::trailing_data, d.pos(),
                  std::to_string(d.left()) + (d.left() == 1 ? " byte follows" : " bytes follow") +
                      " the term");
    if (!ok) {
      r.value = term();
      r.error = std::move(d.error());
      return r;
    }
    r.used = d.pos();
  } catch (const std::bad_alloc&) {
    r.value = term();
    r.error = etf_error{etf_errc::out_of_memory, 0, false, "out of memory while decoding"};
  } catch (const std::exception& e) {
    r.value = term();
    r.error = etf_error{etf_errc::bad_value, 0, false, e.what()};
  }
  return r;
}

term binary_to_term(std::string_view bytes, const etf_context& ctx,
                    const etf_decode_options& opts) {
  etf_decode_result r = try_binary_to_term(bytes, ctx, opts);
  if (r.error) throw etf_decode_error(std::move(*r.error));
  return std::move(r.value);
}

}  // namespace otp
