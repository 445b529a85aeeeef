// kv_store_app: the kv_store application's callback module.
//
//   kv_store_sup (one_for_one)
//    ├── kv_stats   operation counters
//    └── kv_store   the data; casts each operation to kv_stats
//
// kv_stats starts first so the store's casts find it; one_for_one because neither needs
// the other restarted with it (a lost count is fine, lost data is the store's own).
#include <chrono>

#include <otp/application.hpp>
#include <otp/supervisor.hpp>

#include "kv_rpc.hpp"
#include "stats.hpp"
#include "store.hpp"

namespace {

namespace gs = otp::gen_server;
namespace sv = otp::supervisor;
using namespace std::chrono_literals;

otp::start_result start(const otp::term& /*start_args*/) {
  sv::spec tree{
      // More than 5 crashes in 10 s and the supervisor gives up; kv_store then ends, and
      // as a permanent application it takes the node down: a broken store is not served.
      .flags = {.strategy = sv::one_for_one, .intensity = 5, .period = 10s},
      .children = {sv::worker<kv::stats>(otp::atom("kv_stats"),
                                         gs::start_options{.name = otp::atom("kv_stats")}),
                   sv::worker<kv::store>(otp::atom("kv_store"),
                                         gs::start_options{.name = otp::atom("kv_store")})}};
  otp::start_result r = sv::start_link(std::move(tree), {.name = otp::atom("kv_store_sup")});
  if (r.is_ok()) kv::register_rpc();
  return r;
}

}  // namespace

OTP_APPLICATION_MODULE(kv_store_app, {
                                         .start = start,
                                         .prep_stop =
                                             [] {
                                               kv::unregister_rpc();
                                             },  // no new calls into a tree being stopped
                                     });
