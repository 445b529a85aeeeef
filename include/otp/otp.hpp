#pragma once
/// \file
/// Everything: `#include <otp/otp.hpp>`.

#include "otp/atom.hpp"
#include "otp/exit.hpp"
#include "otp/node.hpp"
#include "otp/pid.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/term.hpp"
#include "otp/timer.hpp"
