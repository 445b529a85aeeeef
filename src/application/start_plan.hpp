#pragma once
// Which applications a start must start, in which order.

#include <variant>
#include <vector>

#include "node_state.hpp"

namespace otp::application::internal {

/// The applications `target` needs that are not running, dependencies first (depth-first,
/// in the order listed: kernel, `applications`, then the loaded `optional_applications`),
/// ending with `target` itself unless it runs already. Or the error reason, `{App, Why}`:
///  - {Target, not_loaded}
///  - {Dep, {not_loaded, {needed_by, App}}}
///  - {App, {circular_dependencies, [App, ..., App]}}
std::variant<std::vector<descriptor>, term> plan_start(const node_state& s, atom target)
    OTPP_REQUIRES(s.mu);

}  // namespace otp::application::internal
