#pragma once
// The otpp_global name server (otp/global.hpp), started with distribution.

namespace otp {
class node;
}

namespace otp::dist {

// Starts `otpp_global` on `n` (called at the end of start_distribution). From a thread
// that is not a scheduler it returns once the server is registered.
void start_global(node& n);

}  // namespace otp::dist
