#include "daemon/insight/request.hpp"

#include <kj/exception.h>

#include <charconv>
#include <string>

#include "daemon/insight/dates.hpp"

namespace tandem::insight {

Result<ReportOptions> parse_window(std::string_view window, std::string_view since,
                                   std::string_view until, std::int32_t today) {
  ReportOptions o;
  o.until_day = today;
  if (!until.empty()) {
    auto d = parse_iso_date(until);
    if (!d) return Error{Code::kInvalidArgument, "until is not an ISO date"};
    o.until_day = *d;
  }
  if (window.empty()) window = "8w";  // the design's default, extended back by the pattern rule
  o.label = std::string(window);
  if (window == "all") {
    o.all_time = true;
  } else {
    unsigned n = 0;
    const char unit = window.back();
    auto [p, ec] = std::from_chars(window.data(), window.data() + window.size() - 1, n);
    if (ec != std::errc() || p != window.data() + window.size() - 1 || n == 0)
      return Error{Code::kInvalidArgument, "window must look like 30d, 12w, 6m, 1y or all"};
    std::int64_t days = 0;
    switch (unit) {
      case 'd':
        days = n;
        break;
      case 'w':
        days = 7ll * n;
        break;
      case 'm':
        days = (n * 36525ll + 600) / 1200;
        break;  // mean month, rounded
      case 'y':
        days = (n * 36525ll + 50) / 100;
        break;
      default:
        return Error{Code::kInvalidArgument, "window unit must be d, w, m or y"};
    }
    if (days > 520 * 7) return Error{Code::kInvalidArgument, "window is over ten years"};
    // Weeks start on Monday: "12w" is the current ISO week and the 11 before it.
    o.since_day = unit == 'w' ? week_start(week_of(o.until_day) - static_cast<std::int32_t>(n) + 1)
                              : o.until_day - static_cast<std::int32_t>(days) + 1;
  }
  if (!since.empty()) {
    auto d = parse_iso_date(since);
    if (!d) return Error{Code::kInvalidArgument, "since is not an ISO date"};
    o.since_day = *d;
    o.all_time = false;
  }
  if (!o.all_time && o.since_day > o.until_day)
    return Error{Code::kInvalidArgument, "since is after until"};
  return o;
}

Result<ReportOptions> options_from_request(schema::ReportRequest::Reader r, std::int32_t today) {
  std::string window, since, until;
  std::vector<Dimension> dims;
  bool include_private = false;
  bool bad_dimension = false;
  auto failure = kj::runCatchingExceptions([&] {
    window = r.getWindow().cStr();
    since = r.getSince().cStr();
    until = r.getUntil().cStr();
    include_private = r.getIncludePrivate();
    for (auto d : r.getDimensions()) {
      auto v = static_cast<unsigned>(d);
      if (v < 1 || v > kDimensions)
        bad_dimension = true;
      else
        dims.push_back(static_cast<Dimension>(v));
    }
  });
  if (failure != nullptr) return Error{Code::kBadRequest, "unreadable report request"};
  if (bad_dimension) return Error{Code::kInvalidArgument, "unknown dimension in the filter"};
  auto o = parse_window(window, since, until, today);
  if (!o) return o.error();
  o->dimensions = std::move(dims);
  o->include_private = include_private;
  return o;
}

}  // namespace tandem::insight
