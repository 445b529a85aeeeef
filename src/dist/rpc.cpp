// otp/rpc.hpp: the function registry, the outcome terms of rpc and erpc, the `rex`
// service, and rpc::call / rpc::cast towards other nodes (through their rex server).

#include "rpc.hpp"

#include <map>
#include <memory>
#include <shared_mutex>
#include <tuple>

#include "controller.hpp"
#include "otp/dist.hpp"
#include "otp/gen_server.hpp"
#include "otp/logger.hpp"
#include "otp/process.hpp"
#include "otp/rpc.hpp"
#include "runtime/node_impl.hpp"

namespace otp::dist {

namespace {

const atom rex_name("rex");
const atom badrpc("badrpc");

// ---- the registry -------------------------------------------------------------------

constexpr int any_arity = -1;
using key = std::tuple<uint32_t, uint32_t, int>;  // module, function (atom indexes), arity

struct registry {
  std::shared_mutex mu;
  std::map<key, std::shared_ptr<const rpc::handler>> fns;  // guarded by mu
};

registry& functions() {
  static registry* r = new registry();  // never destroyed: processes may outlive statics
  return *r;
}

std::shared_ptr<const rpc::handler> lookup(atom m, atom f, size_t arity) {
  registry& r = functions();
  std::shared_lock lk(r.mu);
  if (arity <= 255) {
    auto it = r.fns.find({m.index(), f.index(), int(arity)});
    if (it != r.fns.end()) return it->second;
  }
  auto it = r.fns.find({m.index(), f.index(), any_arity});
  return it == r.fns.end() ? nullptr : it->second;
}

void add(atom m, atom f, int arity, rpc::handler fn) {
  auto h = std::make_shared<const rpc::handler>(std::move(fn));
  registry& r = functions();
  std::unique_lock lk(r.mu);
  r.fns[{m.index(), f.index(), arity}] = std::move(h);
}

// ---- rex ----------------------------------------------------------------------------

// {call | block_call | cast, M, F, A, GroupLeader} with atoms and a list.
bool is_mfa_request(const term& t, atom kind) {
  return t.is_tuple(5) && t[0].is_atom(kind) && t[1].is_atom() && t[2].is_atom() && t[3].is_list();
}

bool is_gen_call(const term& t) {
  return t.is_tuple(3) && t[0].is_atom(atom("$gen_call")) && t[1].is_tuple(2) && t[1][0].is_pid();
}

// Runs M:F(A) in a new process and hands rex's answer to `answer` (in that process). If the
// process is killed first, the answer is {badrpc, {'EXIT', Reason}}, as rex's DOWN gives.
template <class Answer>
void spawn_worker(controller& c, atom m, atom f, term args, Answer answer) {
  auto body = [m, f, args = std::move(args), answer = std::move(answer)]() {
    rpc_outcome o;
    try {
      o = apply_registered(m, f, args);
    } catch (const exit_exception& e) {
      answer(otp::tuple(badrpc, otp::tuple(atoms::EXIT, e.reason())));
      throw;
    }
    answer(rex_reply(o));
  };
  // Throws std::runtime_error (system_limit) when no process can be made.
  c.node().spawn({detail::make_body(std::move(body))}, nullptr);
}

void handle_rex(controller& c, const term& msg) {
  controller* ctl = &c;
  if (is_gen_call(msg)) {
    const term& req = msg[2];
    if (is_mfa_request(req, atoms::call) || is_mfa_request(req, atom("block_call"))) {
      term from_and_tag = msg[1];
      try {
        spawn_worker(c, req[1].as_atom(), req[2].as_atom(), req[3],
                     [ctl, from_and_tag](term reply) {
                       ctl->reply_gen_call(from_and_tag, std::move(reply));
                     });
      } catch (const std::runtime_error&) {
        c.reply_gen_call(from_and_tag,
                         otp::tuple(badrpc, otp::tuple(atoms::EXIT, atoms::system_limit)));
      }
    }
    return;  // rex ignores other calls (noreply)
  }
  if (msg.is_tuple(2) && msg[0].is_atom(atom("$gen_cast"))) {
    const term& req = msg[1];
    if (!is_mfa_request(req, atoms::cast)) return;
    atom m = req[1].as_atom(), f = req[2].as_atom();
    try {
      spawn_worker(c, m, f, req[3], [m, f](term reply) {
        if (reply.is_tuple(2) && reply[0].is_atom(badrpc))
          logger::warning("rpc: cast of {}:{} failed: {}", m.name(), f.name(), to_string(reply[1]));
      });
    } catch (const std::runtime_error&) {
    }
    return;
  }
  if (!msg.is_tuple(2) || !msg[0].is_pid()) return;
  pid from = msg[0].as_pid();
  const term& req = msg[1];
  term self_node(c.name());
  if (is_mfa_request(req, atoms::call)) {  // hidden C nodes: {From, {call, M, F, A, GL}}
    try {
      spawn_worker(c, req[1].as_atom(), req[2].as_atom(), req[3], [ctl, from](term reply) {
        ctl->send_term(from, otp::tuple(rex_name, std::move(reply)));
      });
    } catch (const std::runtime_error&) {
      c.send_term(
          from,
          otp::tuple(rex_name, otp::tuple(badrpc, otp::tuple(atoms::EXIT, atoms::system_limit))));
    }
  } else if (req.is_atom(atom("features_request"))) {
    c.send_term(from, otp::tuple(atom("features_reply"), self_node, otp::list(atom("erpc"))));
  } else if (req.is_tuple(3) && req[0].is_atom(atom("sbcast")) && req[1].is_atom()) {
    pid to = c.node().names().find(req[1].as_atom());
    if (to.is_null()) {
      c.send_term(from,
                  otp::tuple(rex_name, self_node, otp::tuple(atom("nonexisting_name"), req[1])));
    } else {
      c.send_term(to, req[2]);
      c.send_term(from, otp::tuple(rex_name, self_node, self_node));
    }
  } else if (req.is_tuple(3) && req[0].is_atom(atom("send")) && req[1].is_atom()) {
    pid to = c.node().names().find(req[1].as_atom());
    if (to.is_null()) {
      c.send_term(from,
                  otp::tuple(rex_name, self_node, otp::tuple(atom("nonexisting_name"), req[1])));
    } else {
      c.send_term(to, otp::tuple(from, req[2]));
    }
  }
}

}  // namespace

// ---- outcomes -----------------------------------------------------------------------

rpc_outcome apply_registered(atom module, atom function, const term& args) {
  using kind = rpc_outcome::kind;
  std::vector<term> av;
  const term* t = &args;
  while (t->is_cons()) {
    av.push_back(t->head());
    t = &t->tail();
  }
  if (!t->is_nil())  // apply(M, F, NotAList)
    return {kind::error, term(atoms::badarg),
            otp::list(otp::tuple(atom("erlang"), atom("apply"), otp::list(module, function, args),
                                 term()))};
  auto fn = lookup(module, function, av.size());
  if (!fn)
    return {kind::error, term(atom("undef")),
            otp::list(otp::tuple(module, function, args, term()))};
  term stack = otp::list(otp::tuple(module, function, term(uint64_t(av.size())), term()));
  try {
    return {kind::returned, (*fn)(av), term()};
  } catch (const exit_exception& e) {
    if (detail::exiting_by_signal()) throw;
    return {kind::exited, e.reason(), term()};
  } catch (const term& thrown) {
    return {kind::thrown, thrown, stack};
  } catch (const rpc::error& e) {
    return {kind::error, e.reason(), stack};
  } catch (const bad_term_access&) {
    return {kind::error, term(atoms::badarg), stack};
  } catch (...) {
    return {kind::error, exit_reason_of(std::current_exception()), stack};
  }
}

term rex_reply(const rpc_outcome& o) {
  using kind = rpc_outcome::kind;
  switch (o.how) {
    case kind::returned:
    case kind::thrown:  // rex's `catch Result -> Result`
      return o.value;
    case kind::exited:
      return otp::tuple(badrpc, otp::tuple(atoms::EXIT, o.value));
    case kind::error:
      return otp::tuple(badrpc, otp::tuple(atoms::EXIT, otp::tuple(o.value, o.stack)));
  }
  return o.value;
}

term erpc_exit_reason(const term& ref, const rpc_outcome& o) {
  using kind = rpc_outcome::kind;
  switch (o.how) {
    case kind::returned:
      return otp::tuple(ref, atom("return"), o.value);
    case kind::thrown:
      return otp::tuple(ref, atom("throw"), o.value);
    case kind::exited:
      return otp::tuple(ref, atom("exit"), o.value);
    case kind::error:
      return otp::tuple(ref, atoms::error, o.value, o.stack);
  }
  return term(atoms::normal);
}

term spawn_exit_reason(const rpc_outcome& o) {
  using kind = rpc_outcome::kind;
  switch (o.how) {
    case kind::returned:
      return term(atoms::normal);
    case kind::thrown:
      return otp::tuple(otp::tuple(atoms::nocatch, o.value), o.stack);
    case kind::exited:
      return o.value;
    case kind::error:
      return otp::tuple(o.value, o.stack);
  }
  return term(atoms::normal);
}

void install_rpc(controller& c) {
  controller* ctl = &c;
  c.register_service(rex_name, [ctl](atom, const pid&, term msg) { handle_rex(*ctl, msg); });
}

}  // namespace otp::dist

// ---- the public API -----------------------------------------------------------------

namespace otp::rpc {

void register_function(atom module, atom function, handler fn) {
  dist::add(module, function, dist::any_arity, std::move(fn));
}

void register_function(atom module, atom function, unsigned arity, handler fn) {
  if (arity > 255) throw std::invalid_argument("rpc::register_function: arity over 255");
  dist::add(module, function, int(arity), std::move(fn));
}

bool unregister_function(atom module, atom function) {
  dist::registry& r = dist::functions();
  std::unique_lock lk(r.mu);
  auto lo = r.fns.lower_bound({module.index(), function.index(), dist::any_arity});
  auto hi = r.fns.upper_bound({module.index(), function.index(), 255});
  bool any = lo != hi;
  r.fns.erase(lo, hi);
  return any;
}

bool is_registered(atom module, atom function, unsigned arity) {
  return dist::lookup(module, function, arity) != nullptr;
}

namespace {
bool is_nodedown(const term& r) {  // {{nodedown, Node}, Where}
  return r.is_tuple(2) && r[0].is_tuple(2) && r[0][0].is_atom(atom("nodedown"));
}
}  // namespace

term call(atom node, atom module, atom function, std::vector<term> args,
          std::chrono::milliseconds timeout) {
  term arglist = term::list(std::move(args));
  if (node == node_name())
    return dist::rex_reply(dist::apply_registered(module, function, arglist));
  try {
    return gen_server::call(server_ref(dist::rex_name, node),
                            otp::tuple(atoms::call, module, function, arglist, atom("user")),
                            timeout);
  } catch (const exit_exception& e) {
    if (detail::exiting_by_signal()) throw;
    const term& r = e.reason();
    if (is_nodedown(r)) return otp::tuple(dist::badrpc, atom("nodedown"));
    if (r.is_tuple(2) && r[0].is_atom(atoms::timeout))
      return otp::tuple(dist::badrpc, atoms::timeout);
    return otp::tuple(dist::badrpc, otp::tuple(atoms::EXIT, r));
  }
}

void cast(atom node, atom module, atom function, std::vector<term> args) {
  term arglist = term::list(std::move(args));
  if (node == node_name()) {
    spawn([module, function, arglist] { (void)dist::apply_registered(module, function, arglist); });
    return;
  }
  gen_server::cast(server_ref(dist::rex_name, node),
                   otp::tuple(atoms::cast, module, function, arglist, atom("user")));
}

}  // namespace otp::rpc
