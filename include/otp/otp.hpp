#pragma once
/// \file
/// Everything but the logger (which brings in fmt): `#include <otp/otp.hpp>`.

#include "otp/application.hpp"
#include "otp/atom.hpp"
#include "otp/exit.hpp"
#include "otp/gen_server.hpp"
#include "otp/init.hpp"
#include "otp/node.hpp"
#include "otp/pid.hpp"
#include "otp/proc_lib.hpp"
#include "otp/process.hpp"
#include "otp/receive.hpp"
#include "otp/supervisor.hpp"
#include "otp/sys.hpp"
#include "otp/term.hpp"
#include "otp/timer.hpp"
