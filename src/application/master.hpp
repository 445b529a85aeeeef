#pragma once
// The application master: one process per running application that has a callback module
// (Erlang's application_master). See master.cpp for its protocol with the controller.

#include "otp/application.hpp"

namespace otp::application::internal {

struct master_args {
  atom app;
  atom module;
  term start_args;
  callbacks cb;
  pid controller;
};

// Master -> controller, once, after the start callback returned.
struct master_started {
  pid master;
  pid top;
};
struct master_failed {
  pid master;
  term reason;  // {Reason, {Mod, start, [normal, Args]}} or {bad_return, ...}
};
// Controller -> master: stop the application (prep_stop, the tree, stop), then end normally.
struct master_stop {};

/// The body of a master process (spawned linked to the controller).
void master_main(master_args a);

/// `{Mod, start, [normal, Args]}`, as Erlang's start errors name the call.
term start_call(atom module, const term& args);

}  // namespace otp::application::internal
