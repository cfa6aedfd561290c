// The peer listener's rate-limited log is the shared one in base (the local API server uses it
// too).
#pragma once

#include "daemon/base/log_limiter.hpp"

namespace tandem::wire {

using LogLimiter = tandem::LogLimiter;

}  // namespace tandem::wire
