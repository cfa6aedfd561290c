// The plain Report into its wire form (proto/report.capnp). Field for field; no logic.
#pragma once

#include "daemon/insight/report_types.hpp"
#include "proto/report.capnp.h"

namespace tandem::insight {

// Writes `report` into `out` (which must be freshly initialised: lists are initialised here).
// Allocates in out's message; cannot fail short of capnp running out of memory, which throws as
// capnp always does (the API layer catches it at its coroutine root).
void to_capnp(const Report& report, schema::Report::Builder out);

}  // namespace tandem::insight
