#pragma once
// The server process behind otp::gen_server (see otp/gen_server.hpp).
//
// Life of a server process:
//  1. First run: register the name, construct S from the start arguments, call S::init()
//     if any, acknowledge the starter (proc_lib::init_ack). Init failures acknowledge
//     {error, R} (or ignore), unlink from the starter and exit: terminate is not called.
//  2. Each run after that handles every message already queued, then asks the runtime to
//     wait without a stack (request_idle): an idle server costs no stack memory.
//  3. While suspended (sys::suspend) only system messages are handled; the rest stay queued.
//  4. It ends on a stop result, sys::terminate / gen_server::stop, an EXIT from its parent
//     (when trapping exits) — each calling terminate — or on a crash in a callback, which
//     also calls terminate and logs the error and crash reports. Killed by an exit signal,
//     it just ends (terminate is not called), as in Erlang.

#include <functional>
#include <memory>
#include <string>
#include <typeinfo>

#include "otp/term_traits.hpp"
#include "otp/timer.hpp"

namespace otp::gen_server::impl {

struct timeout_msg {
  uint64_t seq;
};

template <class S>
struct calls_of {
  using type = types<>;
};
template <class S>
requires requires {
  typename S::calls;
}
struct calls_of<S> {
  using type = typename S::calls;
};
template <class S>
struct casts_of {
  using type = types<>;
};
template <class S>
requires requires {
  typename S::casts;
}
struct casts_of<S> {
  using type = typename S::casts;
};
template <class S>
struct infos_of {
  using type = types<>;
};
template <class S>
requires requires {
  typename S::infos;
}
struct infos_of<S> {
  using type = typename S::infos;
};

template <class T, class List>
struct contains;
template <class T, class... Ts>
struct contains<T, types<Ts...>> : std::bool_constant<(std::is_same_v<T, Ts> || ...)> {};

// Erlang's wire forms of gen_server traffic, as other nodes (and Erlang code) send them.
bool is_erlang_call(const term& t);    // {'$gen_call', {Pid, Tag}, Request}
bool is_erlang_cast(const term& t);    // {'$gen_cast', Msg}
bool is_erlang_system(const term& t);  // {system, {Pid, Tag}, Request}
from erlang_from(const term& pid_and_tag);

// Answers an Erlang-form system message ({system, From, Req} from erl's sys module) with
// the replies sys expects. Returns true when the process must terminate with `*reason`.
bool handle_erlang_system(otp::detail::sys_target& t, otp::detail::sys_state& st, const term& msg, term* reason);

// Non-template helpers (src/behaviours/gen_server.cpp).
void report_termination(const char* server, const term& reason, const char* last_message,
                        const term& state);
void warn_unexpected(const char* server, const any_message& m);
term describe_request(const char* type_name);
term call_where(const server_ref& ref, term request);
term call_where(const server_ref& ref, term request, std::chrono::milliseconds timeout);
[[noreturn]] void bad_message(const char* what, const any_message& m);

template <class S, class... Args>
class server_process final : public otp::detail::process_body, public otp::detail::sys_target {
 public:
  server_process(otp::detail::start_ticket ticket, term ancestry, std::optional<atom> name,
                 bool linked, Args... args)
      : start_(std::make_unique<start_data>(
            start_data{ticket, std::move(ancestry), name, linked, {std::move(args)...}})) {}

  void run() override {
    try {
      if (start_ && !init_server()) return;
      loop();
    } catch (...) {
      if (!terminating_ && s_ && !otp::detail::exiting_by_signal())
        crashed(std::current_exception());
      throw;
    }
  }

  const char* name() const noexcept override {
    static const std::string n = std::string("gen_server ") + otp::detail::ops_holder<S>::name();
    return n.c_str();
  }

  // ---- sys_target ----
  std::any sys_state_copy(const std::type_info& want) override {
    if constexpr (std::is_copy_constructible_v<S>) {
      if (want == typeid(S)) return std::any(*s_);
    }
    return {};
  }
  bool sys_replace_state(std::any& fn) override {
    auto* f = std::any_cast<std::function<void(S&)>>(&fn);
    if (!f) return false;
    (*f)(*s_);
    return true;
  }
  term sys_state_term() override {
    if constexpr (requires(S & s) {
                    { s.to_term() } -> std::convertible_to<term>;
                  }) {
      return s_->to_term();
    } else if constexpr (term_convertible<S>) {
      return otp::to_term(*s_);
    } else {
      return term::binary(otp::detail::ops_holder<S>::name());
    }
  }
  const char* sys_behaviour() const noexcept override { return "gen_server"; }
  const char* sys_callback() const noexcept override { return otp::detail::ops_holder<S>::name(); }
  term sys_code_change(const term& old_vsn, const term& extra) override {
    if constexpr (requires(S & s) { s.code_change(old_vsn, extra); }) {
      using R = decltype(s_->code_change(old_vsn, extra));
      if constexpr (std::is_convertible_v<R, term>) {
        return s_->code_change(old_vsn, extra);
      } else {
        s_->code_change(old_vsn, extra);
      }
    }
    return term(atoms::ok);
  }
  void sys_terminate(const term& reason) override {
    terminating_ = true;
    call_terminate(reason);
  }

 private:
  struct start_data {
    otp::detail::start_ticket ticket;
    term ancestry;
    std::optional<atom> name;
    bool linked;
    std::tuple<Args...> args;
  };

  // ---- init ----

  [[noreturn]] void fail_init(start_result ack, const term& reason) {
    start_data& d = *start_;
    proc_lib::init_ack(d.ticket, std::move(ack));
    if (d.linked) unlink(d.ticket.starter);  // the starter learns it from the ack, not a kill
    s_.reset();
    start_.reset();
    throw exit_exception(reason);
  }

  bool init_server() {
    start_data& d = *start_;
    otp::detail::adopt_ancestry(d.ancestry);
    sys_.parent = d.linked ? d.ticket.starter : self();
    if (d.name) {
      try {
        register_name(*d.name, self());
      } catch (const bad_term_access&) {
        term already = otp::tuple(atom("already_started"), whereis(*d.name));
        fail_init(start_result::error(already), term(atoms::normal));
      }
    }
    init_result r = init_result::ok();
    try {
      s_.emplace(std::make_from_tuple<S>(std::move(d.args)));
      if constexpr (requires(S & s) {
                      { s.init() } -> std::same_as<init_result>;
                    })
        r = s_->init();
    } catch (...) {
      if (otp::detail::exiting_by_signal()) throw;
      term reason = exit_reason_of(std::current_exception());
      otp::detail::report_crash(std::current_exception(), reason);
      fail_init(start_result::error(reason), reason);
    }
    switch (r.what()) {
      case init_result::kind::ignore:
        fail_init(start_result::ignore(), term(atoms::normal));
      case init_result::kind::stop:
        if (!proc_lib::is_normal_exit(r.reason())) proc_lib::crash_report(r.reason(), atom("exit"));
        fail_init(start_result::error(r.reason()), r.reason());
      case init_result::kind::ok:
        break;
    }
    proc_lib::init_ack(d.ticket, start_result::ok(self()));
    start_.reset();
    apply_options(r.options());
    return true;
  }

  // ---- the loop ----

  void loop() {
    for (;;) {
      if (has_cont_) {
        term c = std::move(cont_);
        has_cont_ = false;
        handle_continue(c);
        continue;
      }
      bool handled = sys_.suspended ? receive_system() : receive_one();
      if (!handled) break;
    }
    if (pending_ms_ >= 0) arm_timeout();
    otp::detail::request_idle();  // wait with no stack; run() is called again on a message
  }

  bool receive_system() {
    return receive([this](otp::detail::system_request r) { return on_system(r); },
                   when(erlang_system_guard{}, erlang_system_clause{this}),
                   after(std::chrono::milliseconds(0), [] { return false; }));
  }

  bool receive_one() {
    return receive_all(typename calls_of<S>::type{}, typename casts_of<S>::type{},
                       typename infos_of<S>::type{});
  }

  struct system_clause {
    server_process* s;
    bool operator()(otp::detail::system_request r) const { return s->on_system(r); }
  };
  template <class Q>
  struct call_clause {
    server_process* s;
    bool operator()(call_msg<Q> m) const { return s->on_call(m); }
  };
  template <class M>
  struct cast_clause {
    server_process* s;
    bool operator()(cast_msg<M> m) const { return s->on_cast(m); }
  };
  template <class I>
  struct info_clause {
    server_process* s;
    bool operator()(I m) const { return s->on_info(m); }
  };
  struct parent_guard {
    server_process* s;
    bool operator()(const exit_msg& e) const {
      return e.from == s->sys_.parent && e.from != self();
    }
  };
  struct parent_clause {
    server_process* s;
    bool operator()(exit_msg e) const { return s->stop_now(e.reason); }
  };
  struct timeout_clause {
    server_process* s;
    bool operator()(timeout_msg t) const { return s->on_timeout(t); }
  };
  struct erlang_call_guard {
    bool operator()(const term& t) const { return is_erlang_call(t); }
  };
  struct erlang_call_clause {
    server_process* s;
    bool operator()(term t) const { return s->on_erlang_call(t); }
  };
  struct erlang_cast_guard {
    bool operator()(const term& t) const { return is_erlang_cast(t); }
  };
  struct erlang_cast_clause {
    server_process* s;
    bool operator()(term t) const { return s->on_erlang_cast(t); }
  };
  struct erlang_system_guard {
    bool operator()(const term& t) const { return is_erlang_system(t); }
  };
  struct erlang_system_clause {
    server_process* s;
    bool operator()(term t) const { return s->on_erlang_system(t); }
  };
  struct any_clause {
    server_process* s;
    bool operator()(any_message m) const { return s->on_any(m); }
  };

  template <class... Cs, class... Ks, class... Is>
  bool receive_all(types<Cs...>, types<Ks...>, types<Is...>) {
    return receive(system_clause{this}, call_clause<Cs>{this}..., cast_clause<Ks>{this}...,
                   when(erlang_system_guard{}, erlang_system_clause{this}),
                   when(erlang_call_guard{}, erlang_call_clause{this}),
                   when(erlang_cast_guard{}, erlang_cast_clause{this}),
                   when(parent_guard{this}, parent_clause{this}), timeout_clause{this},
                   info_clause<Is>{this}..., any_clause{this},
                   after(std::chrono::milliseconds(0), [] { return false; }));
  }

  // ---- handlers ----

  bool on_system(otp::detail::system_request& r) {
    otp::detail::handle_system(*this, sys_, r);
    return true;
  }

  // A call that came as a term ({'$gen_call', {Pid, Tag}, Req}: another node, or Erlang).
  bool on_erlang_call(const term& t) {
    if constexpr (contains<term, typename calls_of<S>::type>::value) {
      call_msg<term> m{erlang_from(t[1]), t[2]};
      return on_call(m);
    } else {
      throw exit_exception(otp::tuple(atom("bad_call"), t[2]));
    }
  }

  bool on_erlang_cast(const term& t) {
    if constexpr (contains<term, typename casts_of<S>::type>::value) {
      cast_msg<term> m{t[1]};
      return on_cast(m);
    } else {
      throw exit_exception(otp::tuple(atom("bad_cast"), t[1]));
    }
  }

  bool on_erlang_system(const term& t) {
    term reason;
    if (handle_erlang_system(*this, sys_, t, &reason)) {
      sys_terminate(reason);
      throw exit_exception(reason);
    }
    return true;
  }

  template <class Q>
  bool on_call(call_msg<Q>& m) {
    using R = reply_t<Q>;
    disarm();
    last_ = otp::detail::ops_holder<Q>::name();
    sys_.event(
        [&] { return std::string("got call ") + last_ + " from " + to_string(m.caller.caller); },
        true);
    if constexpr (requires(S & s) { s.handle_call(std::move(m.request), m.caller); }) {
      return finish_call(m.caller, [&] { return s_->handle_call(std::move(m.request), m.caller); });
    } else {
      return finish_call(m.caller, [&] { return s_->handle_call(std::move(m.request)); });
    }
    static_assert(!std::is_void_v<R>, "a request's reply type cannot be void");
  }

  template <class F>
  bool finish_call(const from& f, F&& invoke) {
    auto ret = invoke();
    if constexpr (requires {
                    ret.reply_value();
                    ret.base();
                  }) {
      if (ret.base().stopping()) {  // {stop, R, Reply, S}: terminate runs before the reply (OTP)
        terminating_ = true;
        call_terminate(ret.base().reason());
        if (ret.reply_value()) send_reply(f, std::move(*ret.reply_value()));
        return stop_now(ret.base().reason(), true);
      }
      if (ret.reply_value()) send_reply(f, std::move(*ret.reply_value()));
      return apply(std::move(ret.base()));
    } else {
      send_reply(f, std::move(ret));
      return true;
    }
  }

  template <class R>
  void send_reply(const from& f, R&& value) {
    sys_.event([&] { return std::string("sent reply to ") + to_string(f.caller); }, false);
    reply(f, std::forward<R>(value));
  }

  template <class M>
  bool on_cast(cast_msg<M>& m) {
    disarm();
    last_ = otp::detail::ops_holder<M>::name();
    sys_.event([&] { return std::string("got cast ") + last_; }, true);
    return run_cb([&] { return s_->handle_cast(std::move(m.msg)); });
  }

  template <class I>
  bool on_info(I& m) {
    disarm();
    last_ = otp::detail::ops_holder<I>::name();
    sys_.event([&] { return std::string("got ") + last_; }, true);
    return run_cb([&] { return s_->handle_info(std::move(m)); });
  }

  bool on_timeout(timeout_msg t) {
    if (!timer_ || t.seq != timer_->seq || !timer_->armed)
      return true;  // stale: a message came first
    timer_->armed = false;
    last_ = "timeout";
    sys_.event([] { return std::string("got timeout"); }, true);
    if constexpr (requires(S & s) { s.handle_timeout(); }) {
      return run_cb([&] { return s_->handle_timeout(); });
    } else if constexpr (requires(S & s) { s.handle_info(term(atoms::timeout)); }) {
      return run_cb([&] { return s_->handle_info(term(atoms::timeout)); });
    } else {
      return true;
    }
  }

  bool on_any(any_message& m) {
    switch (m.category()) {
      case otp::detail::msg_category::call:
        bad_message("bad_call", m);
      case otp::detail::msg_category::cast:
        bad_message("bad_cast", m);
      case otp::detail::msg_category::reply:  // a reply to a call we no longer wait for
      case otp::detail::msg_category::system:
        return true;
      case otp::detail::msg_category::plain:
        break;
    }
    disarm();
    last_ = m.type_name();
    sys_.event([&] { return std::string("got ") + last_; }, true);
    if constexpr (requires(S & s) { s.handle_info(std::move(m)); }) {
      return run_cb([&] { return s_->handle_info(std::move(m)); });
    } else {
      warn_unexpected(name(), m);
      return true;
    }
  }

  void handle_continue(const term& c) {
    if constexpr (requires(S & s) { s.handle_continue(c); }) {
      run_cb([&] { return s_->handle_continue(c); });
    } else {
      bad_message_term(c);
    }
  }

  [[noreturn]] void bad_message_term(const term& c) {
    throw exit_exception(otp::tuple(atom("bad_continue"), c));
  }

  // Runs a callback: a void one means noreply; otherwise its result is applied.
  template <class F>
  bool run_cb(F&& f) {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      return true;
    } else {
      return apply(f());
    }
  }

  bool apply(result r) {
    if (r.stopping()) return stop_now(r.reason());
    apply_options(r.options());
    return true;
  }

  void apply_options(const after_action& o) {
    if (o.timeout) pending_ms_ = o.timeout->count();
    if (o.cont) {
      cont_ = *o.cont;
      has_cont_ = true;
    }
    if (o.hibernate) {
      if constexpr (requires(S & s) { s.hibernate(); }) s_->hibernate();  // let it drop caches
    }
  }

  // ---- timeouts ----

  void arm_timeout() {
    if (!timer_) timer_ = std::make_unique<timeout_state>();
    timer_->ref =
        send_after(std::chrono::milliseconds(pending_ms_), self(), timeout_msg{++timer_->seq});
    timer_->armed = true;
    pending_ms_ = -1;
  }

  void disarm() {
    pending_ms_ = -1;
    if (timer_ && timer_->armed) {
      cancel_timer(timer_->ref);
      ++timer_->seq;  // one that already fired is ignored when it arrives
      timer_->armed = false;
    }
  }

  // ---- ending ----

  void call_terminate(const term& reason) {
    if constexpr (requires(S & s) { s.terminate(reason); }) s_->terminate(reason);
  }

  bool stop_now(const term& reason, bool terminated = false) {
    terminating_ = true;
    if (!terminated) call_terminate(reason);
    if (!proc_lib::is_normal_exit(reason)) {
      report_termination(name(), reason, last_, sys_state_term());
      proc_lib::crash_report(reason, atom("exit"));
    }
    throw exit_exception(reason);
  }

  void crashed(std::exception_ptr e) {
    terminating_ = true;
    term reason = exit_reason_of(e);
    try {
      call_terminate(reason);
    } catch (...) {
      reason = exit_reason_of(std::current_exception());
    }
    report_termination(name(), reason, last_, sys_state_term());
    otp::detail::report_crash(e, reason);
  }

  // Only servers that use timeouts pay for this.
  struct timeout_state {
    reference ref;
    uint64_t seq = 0;
    bool armed = false;
  };

  // Kept small: an idle server is this, its control block and nothing else.
  std::unique_ptr<start_data> start_;  // until init is done
  std::optional<S> s_;
  otp::detail::sys_state sys_;
  term cont_;                // {continue, C} pending when has_cont_
  int64_t pending_ms_ = -1;  // a timeout to arm when idle (-1: none)
  std::unique_ptr<timeout_state> timer_;
  const char* last_ = "";
  bool has_cont_ = false;
  bool terminating_ = false;
};

template <class S, class... Args>
start_result start_server(bool link, start_options opts, Args&&... args) {
  reference tag = reference::make();
  otp::detail::start_ticket ticket{self(), tag};
  using B = server_process<S, std::decay_t<Args>...>;
  void* mem = otp::detail::alloc_node(sizeof(B));
  B* b;
  try {
    b = new (mem)
        B(ticket, otp::detail::ancestry_for_child(), opts.name, link, std::forward<Args>(args)...);
  } catch (...) {
    otp::detail::free_node(mem, sizeof(B));
    throw;
  }
  b->alloc_size = uint32_t(sizeof(B));
  auto r = otp::detail::spawn_impl({b, link, true});
  return otp::detail::await_start(r.child, r.monitor, tag, opts.timeout, link);
}

template <class S, class First, class... Rest>
start_result start_dispatch(bool link, First&& first, Rest&&... rest) {
  if constexpr (std::is_same_v<std::decay_t<First>, start_options>) {
    return start_server<S>(link, std::forward<First>(first), std::forward<Rest>(rest)...);
  } else {
    return start_server<S>(link, start_options{}, std::forward<First>(first),
                           std::forward<Rest>(rest)...);
  }
}

template <class S>
start_result start_dispatch(bool link) {
  return start_server<S>(link, start_options{});
}

// What a failed call names in its exit reason; built only on failure.
struct call_description {
  const server_ref* ref;
  term request;      // the request itself when it is a term
  const char* type;  // else its type's name
  std::optional<std::chrono::milliseconds> timeout;
  static term make(const void* ctx) {
    auto* d = static_cast<const call_description*>(ctx);
    term r = d->type ? describe_request(d->type) : d->request;
    return d->timeout ? call_where(*d->ref, r, *d->timeout) : call_where(*d->ref, r);
  }
};

template <class R>
R remote_reply_value(const term& t) {
  if constexpr (std::is_same_v<R, term>) {
    return t;
  } else {
    std::optional<R> v = otp::try_from_term<R>(t);
    if (!v) throw exit_exception(otp::tuple(atom("bad_reply"), t));
    return std::move(*v);
  }
}

template <class Req>
reply_t<Req> do_call(const server_ref& ref, Req&& req,
                     std::optional<std::chrono::milliseconds> timeout) {
  using Q = otp::detail::message_type_t<Req>;
  using R = reply_t<Q>;
  call_description desc{&ref, term(), otp::detail::ops_holder<Q>::name(), timeout};
  if constexpr (std::is_same_v<Q, term>) {
    desc.request = req;
    desc.type = nullptr;
  }
  otp::detail::call_site site{&call_description::make, &desc};
  if (ref.is_remote()) {  // another node: the request and its reply travel as terms
    if constexpr (otp::detail::remote_callable<Q, R>) {
      int64_t ms = timeout ? otp::detail::to_timeout_ms(*timeout) : 5000;
      term request = otp::detail::remote_request_term(Q(std::forward<Req>(req)));
      term reply = otp::detail::remote_call(ref, std::move(request), ms, site);
      return remote_reply_value<R>(reply);
    } else {  // C++-only types cannot leave the node
      throw exit_exception(otp::tuple(atom("no_term_form"), site.where()));
    }
  }
  pid to = ref.resolve();
  if (to.is_null()) otp::detail::call_noproc(site);
  reference tag = otp::detail::begin_call(to, site);
  send(to, call_msg<Q>{from{self(), tag}, Q(std::forward<Req>(req))});
  int64_t ms = timeout ? otp::detail::to_timeout_ms(*timeout) : 5000;
  otp::detail::item_ptr rep(
      otp::detail::finish_call(tag, otp::detail::ops_for<reply_msg<R>>, ms, site));
  return std::move(static_cast<otp::detail::message<reply_msg<R>>*>(rep.p)->value.value);
}

}  // namespace otp::gen_server::impl

namespace otp::gen_server {

template <class S, class... Args>
start_result start_link(Args&&... args) {
  return impl::start_dispatch<S>(true, std::forward<Args>(args)...);
}

template <class S, class... Args>
start_result start(Args&&... args) {
  return impl::start_dispatch<S>(false, std::forward<Args>(args)...);
}

template <class Req>
reply_t<Req> call(const server_ref& ref, Req&& req) {
  return impl::do_call(ref, std::forward<Req>(req), std::nullopt);
}

template <class Req>
reply_t<Req> call(const server_ref& ref, Req&& req, std::chrono::milliseconds timeout) {
  return impl::do_call(ref, std::forward<Req>(req), timeout);
}

}  // namespace otp::gen_server
