// Shared helpers for the report tests: build a report for a synthetic journal, find shares.
#pragma once

#include <string>

#include "daemon/insight/report.hpp"
#include "daemon/insight/request.hpp"
#include "tests/daemon/insight/journal_builder.hpp"

namespace tandem::insight::testing {

inline Report run(JournalBuilder& j, const std::string& window = "12w") {
  auto o = parse_window(window, "", "", j.today());
  return build_report(j.snapshot(), o.value(), j.today());
}

inline const DimensionSection* section(const Report& r, Dimension d) {
  for (const auto& s : r.dimensions)
    if (s.dimension == d) return &s;
  return nullptr;
}

inline bool has_pattern(const Report& r, Topic t) {
  for (const auto& p : r.patterns)
    if (p.topic == t) return true;
  return false;
}

}  // namespace tandem::insight::testing
