#pragma once
// The process-global table of application callback modules (register_module).

#include <optional>

#include "otp/application.hpp"

namespace otp::application::internal {

/// The callbacks registered as `module`, copied out (the table may change meanwhile).
std::optional<callbacks> find_module(atom module);

}  // namespace otp::application::internal
