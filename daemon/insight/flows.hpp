// The report's counting sections, filled in one pass over the facts inside the window: the
// appreciation flow, bids, repairs, how conflicts end, boundaries, decisions' blends, money paid,
// cards, phases, weekly appreciation, upcoming dates and who logged what. No pattern rule here.
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/insight/report_types.hpp"
#include "daemon/insight/snapshot.hpp"

namespace tandem::insight {

struct FlowScope {
  std::int32_t since_day = 0;
  std::int32_t until_day = 0;
  std::int32_t today = 0;
  Member reader = kFirst;
  bool include_private = false;
};

// Fills report.appreciation, the counting parts of report.across (bid_flow, repairs, endings,
// boundaries, blends, new_options, money amounts, upcoming_dates), report.logged_by, and the
// phases and cards of every section already in report.dimensions.
void add_flows(const std::vector<Fact>& facts, const FlowScope& scope, Report& report);

// The reader-relative party of a member.
Party party_of(Member m, Member reader);

}  // namespace tandem::insight
