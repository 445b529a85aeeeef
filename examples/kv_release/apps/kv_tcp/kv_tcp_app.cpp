// kv_tcp_app: the kv_tcp application's callback module.
//
//   kv_tcp_sup (rest_for_one)
//    ├── kv_conn_sup       dynamic supervisor: one temporary kv_conn per client
//    └── kv_tcp_listener   the listening socket; reads all clients, feeds their kv_conns
//
// rest_for_one: if kv_conn_sup goes, every connection went with it, so the listener (whose
// sockets belong to those connections) is restarted too; if the listener goes, its links
// end the connections it was reading for, and kv_conn_sup stays.
#include <chrono>

#include <otp/application.hpp>
#include <otp/supervisor.hpp>

#include "listener.hpp"

namespace {

namespace gs = otp::gen_server;
namespace sv = otp::supervisor;
using namespace std::chrono_literals;

sv::child_spec conn_sup() {
  otp::term limit =
      otp::application::get_env(otp::atom("kv_tcp"), otp::atom("max_connections"), otp::term(1000));
  sv::child_spec c;
  c.id = otp::atom("kv_conn_sup");
  c.type = sv::child_type::supervisor;
  c.start = [max = static_cast<size_t>(limit.as_int())] {
    return otp::dynamic_supervisor::start_link(
        {.max_children = max, .name = otp::atom("kv_conn_sup")});
  };
  return c;
}

otp::start_result start(const otp::term& /*start_args*/) {
  sv::spec tree{
      .flags = {.strategy = sv::rest_for_one, .intensity = 5, .period = 10s},
      .children = {conn_sup(), sv::worker<kv_tcp::listener>(
                                   otp::atom("kv_tcp_listener"),
                                   gs::start_options{.name = otp::atom("kv_tcp_listener")})}};
  return sv::start_link(std::move(tree), {.name = otp::atom("kv_tcp_sup")});
}

}  // namespace

OTP_APPLICATION_MODULE(kv_tcp_app, {.start = start});
