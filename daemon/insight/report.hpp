// The reciprocity report: snapshot + options + today -> a plain Report. Pure: no I/O, no clock
// (today is an input), no randomness; linear in the number of facts, or in the facts appended
// since the last report when the caller keeps a ReportMemo (the result is the same either way).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/insight/episodes.hpp"
#include "daemon/insight/flows.hpp"
#include "daemon/insight/report_types.hpp"
#include "daemon/insight/snapshot.hpp"
#include "daemon/insight/stats.hpp"

namespace tandem::insight {

struct ReportOptions {
  std::string label = "12w";          // the window as asked for, for display
  std::int32_t since_day = 0;         // inclusive; ignored when all_time
  std::int32_t until_day = 0;         // inclusive
  bool all_time = false;              // since = the earliest fact (at most 520 weeks back)
  std::vector<Dimension> dimensions;  // sections to include; empty: all nine
  bool include_private = false;       // count the reader's private entries
  RuleConfig rule;                    // the design's thresholds by default
  int max_patterns = 3;
  Band band;  // the fair band when nothing was agreed
};

// The facts of a growing list whose kind is read_apart(), kept between reports like TallyMemo,
// and the earliest day of any fact.
class ApartIndex {
 public:
  // Pointers into `facts`, in their order; first_day: the earliest day (`none` when no facts).
  std::vector<const Fact*> update(const std::vector<Fact>& facts, std::int32_t& first_day,
                                  std::int32_t none);
  void reset() { *this = ApartIndex(); }

 private:
  std::vector<std::uint32_t> index_;
  FactsSeen seen_;
  bool any_ = false;
  std::int32_t first_day_ = 0;
};

// What build_report may keep from one call to the next over a snapshot whose facts are only
// appended to (the daemon keeps one beside its snapshot): the weekly tallies, the flows' counts
// and where the facts read apart are, so that a report after a few new entries reads those
// entries, not the whole journal. reset() whenever facts already in the snapshot were changed,
// removed or reordered.
struct ReportMemo {
  TallyMemo tallies;
  FlowMemo flows;
  ApartIndex apart;
  void reset() {
    tallies.reset();
    flows.reset();
    apart.reset();
  }
};

// Builds the report for `snapshot.reader`. Borrows `snapshot` for the call only; the Report owns
// everything it holds. Never fails: facts outside the window are ignored, unknown values are read
// as "not given", and every section is present (empty when there is nothing to show). With a
// memo, the same report as without one (borrowed for the call; see ReportMemo).
Report build_report(const Snapshot& snapshot, const ReportOptions& options, std::int32_t today,
                    ReportMemo* memo = nullptr);

}  // namespace tandem::insight
