// From a report request (the API's ReportRequest) to ReportOptions, in one place.
#pragma once

#include <string_view>

#include "daemon/base/result.hpp"
#include "daemon/insight/report.hpp"
#include "proto/report.capnp.h"

namespace tandem::insight {

// Reads a window ("30d", "12w", "6m", "1y", "all"; empty means "8w") and optional ISO dates
// (since overrides the window's start; until defaults to today). Fails with kInvalidArgument on an
// unknown window, a bad date, a count of 0 or over 520 weeks' worth, or since after until.
Result<ReportOptions> parse_window(std::string_view window, std::string_view since,
                                   std::string_view until, std::int32_t today);

// The whole request: window and dates as above, the dimension filter (unset and unknown
// dimensions fail with kInvalidArgument) and includePrivate. `request` is read during the call
// only; capnp exceptions on a malformed message are caught and returned as kBadRequest.
Result<ReportOptions> options_from_request(schema::ReportRequest::Reader request,
                                           std::int32_t today);

}  // namespace tandem::insight
