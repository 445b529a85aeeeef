// Control tuples <-> control_message (see control.hpp for the table).

#include "dist/control.hpp"

#include <string>
#include <type_traits>

namespace otp::dist {

namespace {

// The first characters of a term's text, for error messages about untrusted input.
std::string brief(const term& t) {
  std::string s = to_string(t);
  if (s.size() > 80) {
    s.resize(77);
    s += "...";
  }
  return s;
}

term proc_term(const proc_ref& p) {
  return std::visit([](const auto& v) { return term(v); }, p);
}

// Reads the elements of one control tuple; the first problem found is kept and later reads
// return placeholders, so a parse function reads all fields and checks once at the end.
class reader {
 public:
  reader(const term& t, const char* name) : t_(t), name_(name) {}

  pid get_pid(size_t i, const char* field) {
    const term& e = at(i);
    if (!e.is_pid()) return fail(i, field, "a pid", e), pid();
    return e.as_pid();
  }
  atom get_atom(size_t i, const char* field) {
    const term& e = at(i);
    if (!e.is_atom()) return fail(i, field, "an atom", e), atom();
    return e.as_atom();
  }
  reference get_ref(size_t i, const char* field) {
    const term& e = at(i);
    if (!e.is_reference()) return fail(i, field, "a reference", e), reference();
    return e.as_reference();
  }
  proc_ref get_proc(size_t i, const char* field) {
    const term& e = at(i);
    if (e.is_pid()) return e.as_pid();
    if (e.is_atom()) return e.as_atom();
    return fail(i, field, "a pid or an atom", e), proc_ref();
  }
  uint64_t get_u64(size_t i, const char* field) {
    const term& e = at(i);
    auto v = e.is_integer() ? e.try_uint64() : std::nullopt;
    if (!v) return fail(i, field, "an integer in 0..2^64-1", e), 0;
    return *v;
  }
  uint32_t get_u32(size_t i, const char* field) {
    const term& e = at(i);
    auto v = e.is_integer() ? e.try_uint64() : std::nullopt;
    if (!v || *v > UINT32_MAX) return fail(i, field, "an integer in 0..2^32-1", e), 0;
    return uint32_t(*v);
  }
  term get_list(size_t i, const char* field) {
    const term& e = at(i);
    if (!is_proper_list(e)) return fail(i, field, "a proper list", e), term();
    return e;
  }
  const term& get(size_t i) { return at(i); }

  // {Module, Function, Arity}
  void get_mfa(size_t i, atom& m, atom& f, uint32_t& a) {
    const term& e = at(i);
    if (!e.is_tuple(3) || !e[0].is_atom() || !e[1].is_atom() || !e[2].is_small() ||
        e[2].as_int() < 0 || e[2].as_int() > 255) {
      fail(i, "{Module, Function, Arity}", "a tuple {atom, atom, 0..255}", e);
      return;
    }
    m = e[0].as_atom();
    f = e[1].as_atom();
    a = uint32_t(e[2].as_int());
  }

  static bool is_proper_list(const term& t) {
    term cur = t;
    while (cur.is_cons()) {
      term next = cur.tail();
      cur = std::move(next);
    }
    return cur.is_nil();
  }

  bool ok() const { return !error_; }
  control_error take_error() { return std::move(*error_); }

 private:
  const term& at(size_t i) const { return t_[i]; }
  void fail(size_t i, const char* field, const char* want, const term& got) {
    if (error_) return;
    error_ = control_error{std::string(name_) + ": element " + std::to_string(i + 1) + " (" +
                           field + ") is not " + want + ": " + brief(got)};
  }

  const term& t_;
  const char* name_;
  std::optional<control_error> error_;
};

template <class M>
constexpr size_t arity_of() {
  using namespace ctrl;
  if constexpr (std::is_same_v<M, node_link>)
    return 1;
  else if constexpr (std::is_same_v<M, link> || std::is_same_v<M, unlink> ||
                     std::is_same_v<M, group_leader> || std::is_same_v<M, send> ||
                     std::is_same_v<M, send_sender> || std::is_same_v<M, payload_exit> ||
                     std::is_same_v<M, payload_exit2> || std::is_same_v<M, alias_send>)
    return 3;
  else if constexpr (std::is_same_v<M, exit> || std::is_same_v<M, exit2> ||
                     std::is_same_v<M, reg_send> || std::is_same_v<M, send_tt> ||
                     std::is_same_v<M, monitor_p> || std::is_same_v<M, demonitor_p> ||
                     std::is_same_v<M, send_sender_tt> || std::is_same_v<M, payload_exit_tt> ||
                     std::is_same_v<M, payload_exit2_tt> ||
                     std::is_same_v<M, payload_monitor_p_exit> ||
                     std::is_same_v<M, alias_send_tt> || std::is_same_v<M, unlink_id> ||
                     std::is_same_v<M, unlink_id_ack>)
    return 4;
  else if constexpr (std::is_same_v<M, exit_tt> || std::is_same_v<M, exit2_tt> ||
                     std::is_same_v<M, reg_send_tt> || std::is_same_v<M, monitor_p_exit> ||
                     std::is_same_v<M, spawn_reply>)
    return 5;
  else if constexpr (std::is_same_v<M, spawn_request> || std::is_same_v<M, spawn_reply_tt>)
    return 6;
  else if constexpr (std::is_same_v<M, spawn_request_tt>)
    return 7;
}

// Reads the fields of M from the tuple (its arity already checked) and the payload (present
// exactly when M has one).
template <class M>
M read_fields(reader& r, const term* payload) {
  using namespace ctrl;
  M m{};
  if constexpr (std::is_same_v<M, link> || std::is_same_v<M, unlink> ||
                std::is_same_v<M, group_leader>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
  } else if constexpr (std::is_same_v<M, send>) {
    m.to = r.get_pid(2, "ToPid");
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, exit> || std::is_same_v<M, exit2>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.reason = r.get(3);
  } else if constexpr (std::is_same_v<M, node_link>) {
    (void)r;
  } else if constexpr (std::is_same_v<M, reg_send>) {
    m.from = r.get_pid(1, "FromPid");
    m.to_name = r.get_atom(3, "ToName");
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, send_tt>) {
    m.to = r.get_pid(2, "ToPid");
    m.token = r.get(3);
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, exit_tt> || std::is_same_v<M, exit2_tt>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.token = r.get(3);
    m.reason = r.get(4);
  } else if constexpr (std::is_same_v<M, reg_send_tt>) {
    m.from = r.get_pid(1, "FromPid");
    m.to_name = r.get_atom(3, "ToName");
    m.token = r.get(4);
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, monitor_p> || std::is_same_v<M, demonitor_p>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_proc(2, "ToProc");
    m.ref = r.get_ref(3, "Ref");
  } else if constexpr (std::is_same_v<M, monitor_p_exit>) {
    m.from = r.get_proc(1, "FromProc");
    m.to = r.get_pid(2, "ToPid");
    m.ref = r.get_ref(3, "Ref");
    m.reason = r.get(4);
  } else if constexpr (std::is_same_v<M, send_sender>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, send_sender_tt>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.token = r.get(3);
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, payload_exit> || std::is_same_v<M, payload_exit2>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.reason = *payload;
  } else if constexpr (std::is_same_v<M, payload_exit_tt> || std::is_same_v<M, payload_exit2_tt>) {
    m.from = r.get_pid(1, "FromPid");
    m.to = r.get_pid(2, "ToPid");
    m.token = r.get(3);
    m.reason = *payload;
  } else if constexpr (std::is_same_v<M, payload_monitor_p_exit>) {
    m.from = r.get_proc(1, "FromProc");
    m.to = r.get_pid(2, "ToPid");
    m.ref = r.get_ref(3, "Ref");
    m.reason = *payload;
  } else if constexpr (std::is_same_v<M, spawn_request> || std::is_same_v<M, spawn_request_tt>) {
    m.req_id = r.get_ref(1, "ReqId");
    m.from = r.get_pid(2, "From");
    m.group_leader = r.get_pid(3, "GroupLeader");
    r.get_mfa(4, m.module, m.function, m.arity);
    m.options = r.get_list(5, "OptList");
    if constexpr (std::is_same_v<M, spawn_request_tt>) m.token = r.get(6);
    m.args = *payload;
  } else if constexpr (std::is_same_v<M, spawn_reply> || std::is_same_v<M, spawn_reply_tt>) {
    m.req_id = r.get_ref(1, "ReqId");
    m.to = r.get_pid(2, "To");
    m.flags = r.get_u32(3, "Flags");
    m.result = r.get_proc(4, "Result");
    if constexpr (std::is_same_v<M, spawn_reply_tt>) m.token = r.get(5);
  } else if constexpr (std::is_same_v<M, alias_send>) {
    m.from = r.get_pid(1, "FromPid");
    m.alias = r.get_ref(2, "Alias");
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, alias_send_tt>) {
    m.from = r.get_pid(1, "FromPid");
    m.alias = r.get_ref(2, "Alias");
    m.token = r.get(3);
    m.message = *payload;
  } else if constexpr (std::is_same_v<M, unlink_id> || std::is_same_v<M, unlink_id_ack>) {
    m.id = r.get_u64(1, "Id");
    m.from = r.get_pid(2, "FromPid");
    m.to = r.get_pid(3, "ToPid");
  } else {
    static_assert(sizeof(M) == 0, "unhandled control message");
  }
  return m;
}

template <class M>
control_result<control_message> parse_as(const term& t, const term* payload) {
  const char* name = dop_name(M::op);
  constexpr size_t arity = arity_of<M>();
  if (t.tuple_size() != arity)
    return control_error{std::string(name) + ": expected a tuple of " + std::to_string(arity) +
                         " elements, got " + std::to_string(t.tuple_size()) + ": " + brief(t)};
  if (M::has_payload && !payload)
    return control_error{std::string(name) + ": the payload term is missing"};
  if (!M::has_payload && payload)
    return control_error{std::string(name) + ": unexpected payload term after the control tuple"};
  reader r(t, name);
  M m = read_fields<M>(r, payload);
  if constexpr (std::is_same_v<M, ctrl::spawn_request> ||
                std::is_same_v<M, ctrl::spawn_request_tt>) {
    if (r.ok() && !reader::is_proper_list(m.args))
      return control_error{std::string(name) +
                           ": the payload (ArgList) is not a proper list: " + brief(m.args)};
  }
  if (!r.ok()) return r.take_error();
  return control_message(std::move(m));
}

template <class M>
std::pair<term, std::optional<term>> build_as(const M& m) {
  using namespace ctrl;
  const term op{int(M::op)};
  const term unused{atom{}};  // ''
  if constexpr (std::is_same_v<M, link> || std::is_same_v<M, unlink> ||
                std::is_same_v<M, group_leader>)
    return {term::tuple({op, m.from, m.to}), std::nullopt};
  else if constexpr (std::is_same_v<M, send>)
    return {term::tuple({op, unused, m.to}), m.message};
  else if constexpr (std::is_same_v<M, exit> || std::is_same_v<M, exit2>)
    return {term::tuple({op, m.from, m.to, m.reason}), std::nullopt};
  else if constexpr (std::is_same_v<M, node_link>)
    return {term::tuple({op}), std::nullopt};
  else if constexpr (std::is_same_v<M, reg_send>)
    return {term::tuple({op, m.from, unused, m.to_name}), m.message};
  else if constexpr (std::is_same_v<M, send_tt>)
    return {term::tuple({op, unused, m.to, m.token}), m.message};
  else if constexpr (std::is_same_v<M, exit_tt> || std::is_same_v<M, exit2_tt>)
    return {term::tuple({op, m.from, m.to, m.token, m.reason}), std::nullopt};
  else if constexpr (std::is_same_v<M, reg_send_tt>)
    return {term::tuple({op, m.from, unused, m.to_name, m.token}), m.message};
  else if constexpr (std::is_same_v<M, monitor_p> || std::is_same_v<M, demonitor_p>)
    return {term::tuple({op, m.from, proc_term(m.to), m.ref}), std::nullopt};
  else if constexpr (std::is_same_v<M, monitor_p_exit>)
    return {term::tuple({op, proc_term(m.from), m.to, m.ref, m.reason}), std::nullopt};
  else if constexpr (std::is_same_v<M, send_sender>)
    return {term::tuple({op, m.from, m.to}), m.message};
  else if constexpr (std::is_same_v<M, send_sender_tt>)
    return {term::tuple({op, m.from, m.to, m.token}), m.message};
  else if constexpr (std::is_same_v<M, payload_exit> || std::is_same_v<M, payload_exit2>)
    return {term::tuple({op, m.from, m.to}), m.reason};
  else if constexpr (std::is_same_v<M, payload_exit_tt> || std::is_same_v<M, payload_exit2_tt>)
    return {term::tuple({op, m.from, m.to, m.token}), m.reason};
  else if constexpr (std::is_same_v<M, payload_monitor_p_exit>)
    return {term::tuple({op, proc_term(m.from), m.to, m.ref}), m.reason};
  else if constexpr (std::is_same_v<M, spawn_request>)
    return {term::tuple({op, m.req_id, m.from, m.group_leader,
                         term::tuple({m.module, m.function, term(m.arity)}), m.options}),
            m.args};
  else if constexpr (std::is_same_v<M, spawn_request_tt>)
    return {term::tuple({op, m.req_id, m.from, m.group_leader,
                         term::tuple({m.module, m.function, term(m.arity)}), m.options, m.token}),
            m.args};
  else if constexpr (std::is_same_v<M, spawn_reply>)
    return {term::tuple({op, m.req_id, m.to, term(m.flags), proc_term(m.result)}), std::nullopt};
  else if constexpr (std::is_same_v<M, spawn_reply_tt>)
    return {term::tuple({op, m.req_id, m.to, term(m.flags), proc_term(m.result), m.token}),
            std::nullopt};
  else if constexpr (std::is_same_v<M, alias_send>)
    return {term::tuple({op, m.from, m.alias}), m.message};
  else if constexpr (std::is_same_v<M, alias_send_tt>)
    return {term::tuple({op, m.from, m.alias, m.token}), m.message};
  else if constexpr (std::is_same_v<M, unlink_id> || std::is_same_v<M, unlink_id_ack>)
    return {term::tuple({op, term(m.id), m.from, m.to}), std::nullopt};
  else
    static_assert(sizeof(M) == 0, "unhandled control message");
}

// The alternative of control_message whose op is `op`, as an index; -1 when none.
template <size_t I = 0>
int index_of(dop op) noexcept {
  if constexpr (I == std::variant_size_v<control_message>) {
    return -1;
  } else {
    if (std::variant_alternative_t<I, control_message>::op == op) return int(I);
    return index_of<I + 1>(op);
  }
}

template <size_t I = 0>
control_result<control_message> parse_index(size_t i, const term& t, const term* payload) {
  if constexpr (I == std::variant_size_v<control_message>) {
    return control_error{"unknown control message"};
  } else {
    if (i == I) return parse_as<std::variant_alternative_t<I, control_message>>(t, payload);
    return parse_index<I + 1>(i, t, payload);
  }
}

}  // namespace

const char* dop_name(dop op) noexcept {
  switch (op) {
    case dop::link:
      return "LINK";
    case dop::send:
      return "SEND";
    case dop::exit:
      return "EXIT";
    case dop::unlink:
      return "UNLINK";
    case dop::node_link:
      return "NODE_LINK";
    case dop::reg_send:
      return "REG_SEND";
    case dop::group_leader:
      return "GROUP_LEADER";
    case dop::exit2:
      return "EXIT2";
    case dop::send_tt:
      return "SEND_TT";
    case dop::exit_tt:
      return "EXIT_TT";
    case dop::reg_send_tt:
      return "REG_SEND_TT";
    case dop::exit2_tt:
      return "EXIT2_TT";
    case dop::monitor_p:
      return "MONITOR_P";
    case dop::demonitor_p:
      return "DEMONITOR_P";
    case dop::monitor_p_exit:
      return "MONITOR_P_EXIT";
    case dop::send_sender:
      return "SEND_SENDER";
    case dop::send_sender_tt:
      return "SEND_SENDER_TT";
    case dop::payload_exit:
      return "PAYLOAD_EXIT";
    case dop::payload_exit_tt:
      return "PAYLOAD_EXIT_TT";
    case dop::payload_exit2:
      return "PAYLOAD_EXIT2";
    case dop::payload_exit2_tt:
      return "PAYLOAD_EXIT2_TT";
    case dop::payload_monitor_p_exit:
      return "PAYLOAD_MONITOR_P_EXIT";
    case dop::spawn_request:
      return "SPAWN_REQUEST";
    case dop::spawn_request_tt:
      return "SPAWN_REQUEST_TT";
    case dop::spawn_reply:
      return "SPAWN_REPLY";
    case dop::spawn_reply_tt:
      return "SPAWN_REPLY_TT";
    case dop::alias_send:
      return "ALIAS_SEND";
    case dop::alias_send_tt:
      return "ALIAS_SEND_TT";
    case dop::unlink_id:
      return "UNLINK_ID";
    case dop::unlink_id_ack:
      return "UNLINK_ID_ACK";
  }
  return "unknown";
}

dop op_of(const control_message& m) noexcept {
  return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::op; }, m);
}

bool op_has_payload(dop op) noexcept {
  switch (op) {
    case dop::send:
    case dop::reg_send:
    case dop::send_tt:
    case dop::reg_send_tt:
    case dop::send_sender:
    case dop::send_sender_tt:
    case dop::payload_exit:
    case dop::payload_exit_tt:
    case dop::payload_exit2:
    case dop::payload_exit2_tt:
    case dop::payload_monitor_p_exit:
    case dop::spawn_request:
    case dop::spawn_request_tt:
    case dop::alias_send:
    case dop::alias_send_tt:
      return true;
    default:
      return false;
  }
}

control_result<control_message> parse_control(const term& control, const term* payload) {
  if (!control.is_tuple() || control.tuple_size() == 0)
    return control_error{"a control message must be a non-empty tuple, got " + brief(control)};
  const term& op_term = control[0];
  auto op = op_term.is_small() ? op_term.try_int64() : std::nullopt;
  if (!op || *op < 0 || *op > 255)
    return control_error{"a control message must start with an operation number, got " +
                         brief(control)};
  int index = index_of(dop(uint8_t(*op)));
  if (index < 0)
    return control_error{"unknown control message operation " + std::to_string(*op) + ": " +
                         brief(control)};
  return parse_index(size_t(index), control, payload);
}

std::pair<term, std::optional<term>> build_control(const control_message& m) {
  return std::visit([](const auto& v) { return build_as(v); }, m);
}

}  // namespace otp::dist
