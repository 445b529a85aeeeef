// kernel's servers: logger and net_kernel (see kernel_app.hpp).

#include "kernel_app.hpp"

#include <stdexcept>

namespace otp::application::internal {
namespace {

const atom a_kernel("kernel");
const atom a_level("level");

// An atom naming a logger level (Erlang's `all` is debug here).
std::optional<logger::level> level_of(const term& t) {
  if (!t.is_atom()) return std::nullopt;
  std::string_view name = t.as_atom().name();
  if (name == "all") return logger::level::debug;
  return logger::parse_level(name);
}

}  // namespace

logger_server::logger_server()
    : configured_(get_env(a_kernel, atom("logger_level"))), level_(logger::primary_level()) {}

gen_server::init_result logger_server::init() {
  if (!configured_) return gen_server::ok();
  std::optional<logger::level> l = level_of(*configured_);
  if (!l)
    return gen_server::init_result::stop(otp::tuple(atom("invalid_logger_level"), *configured_));
  logger::set_primary_level(*l);
  level_ = *l;
  return gen_server::ok();
}

term logger_server::handle_call(const term& request, const from&) {
  if (request.is_atom(atom("get_level"))) return term(atom(logger::level_name(level_)));
  if (request.is_tuple(2) && request[0].is_atom(atom("set_level"))) {
    std::optional<logger::level> l = level_of(request[1]);
    if (!l) return otp::tuple(atoms::error, otp::tuple(atom("invalid_level"), request[1]));
    logger::set_primary_level(*l);
    level_ = *l;
    return term(atoms::ok);
  }
  return otp::tuple(atoms::error, otp::tuple(atom("unknown_call"), request));
}

term logger_server::to_term() const {
  return otp::list(otp::tuple(a_level, atom(logger::level_name(level_))));
}

gen_server::init_result net_kernel_server::init() {
  if (is_distributed()) return gen_server::ok();  // started before kernel: nothing to do
  std::string failure;
  // start_distribution must not run on a scheduler thread.
  otp::blocking([&] {
    try {
      start_distribution(*node_, opts_);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (failure.empty()) return gen_server::ok();
  return gen_server::init_result::stop(
      otp::tuple(atom("distribution_failed"), term::binary(failure)));
}

term net_kernel_server::handle_call(const term& request, const from&) {
  if (request.is_tuple(2) && request[0].is_atom(atom("is_auth"))) return term(atom("yes"));
  return otp::tuple(atoms::error, otp::tuple(atom("unknown_call"), request));
}

term net_kernel_server::to_term() const {
  return otp::list(otp::tuple(atom("node"), node_name()));
}

}  // namespace otp::application::internal
