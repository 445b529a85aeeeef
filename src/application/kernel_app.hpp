#pragma once
// The built-in application `kernel` (kernel_app.cpp) and its servers (kernel_servers.cpp).

#include "otp/application.hpp"
#include "otp/dist.hpp"
#include "otp/gen_server.hpp"
#include "otp/logger.hpp"

namespace otp::application::internal {

/// kernel's .app: name kernel, the project's version, mod {kernel, []}.
descriptor kernel_descriptor();
/// Registers the callback module `kernel`.
void register_kernel_module();

/// The `logger` server: applies kernel's `logger_level` at start and answers
/// get_level / {set_level, Level}. Its state (sys::get_status) is [{level, Level}].
class logger_server {
 public:
  using calls = types<term>;
  logger_server();
  gen_server::init_result init();
  term handle_call(const term& request, const from&);
  term to_term() const;
  logger::level level() const noexcept { return level_; }

 private:
  std::optional<term> configured_;  // kernel's logger_level, when set
  logger::level level_;
};

/// The `net_kernel` server: starts distribution at init (on a blocking thread, as
/// start_distribution requires) unless the node is distributed already. Registered as
/// net_kernel, it also answers erl's net_adm:ping ({is_auth, Node} -> yes). Distribution
/// cannot be stopped: it runs until the node shuts down, whatever happens to this server.
class net_kernel_server {
 public:
  using calls = types<term>;
  net_kernel_server(otp::node* n, dist_options opts) : node_(n), opts_(std::move(opts)) {}
  gen_server::init_result init();
  term handle_call(const term& request, const from&);
  term to_term() const;

 private:
  otp::node* node_;
  dist_options opts_;
};

}  // namespace otp::application::internal
