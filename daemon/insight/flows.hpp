// The report's counting sections, filled in one pass over the facts inside the window: the
// appreciation flow, bids, repairs, how conflicts end, boundaries, decisions' blends, money paid,
// cards, phases, weekly appreciation, upcoming dates and who logged what. No pattern rule here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
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

// The flows' counts kept between reports over one growing list of facts, like TallyMemo: a call
// with the same scope (today aside) and the same thanks reads only the facts appended since the
// last one. The owner must call reset() whenever facts already read were changed, removed or
// reordered.
class FlowMemo {
 public:
  FlowMemo();
  ~FlowMemo();
  FlowMemo(FlowMemo&&) noexcept;
  FlowMemo& operator=(FlowMemo&&) noexcept;
  void reset();
  // How many facts the last add_flows with this memo read.
  std::size_t last_read() const { return last_read_; }

 private:
  friend void add_flows(const std::vector<Fact>&, std::span<const Fact* const>, const FlowScope&,
                        Report&, FlowMemo*);
  struct State;
  std::unique_ptr<State> state_;
  std::size_t last_read_ = 0;
};

// Fills report.appreciation, the counting parts of report.across (bid_flow, repairs, endings,
// boundaries, blends, new_options, money amounts, upcoming_dates), report.logged_by, and the
// phases and cards of every section already in report.dimensions. `apart` holds the facts of
// `facts` whose kind is read_apart(), in the same order. With a memo, the same result as without
// (borrowed for the call). Borrows everything for the call only.
void add_flows(const std::vector<Fact>& facts, std::span<const Fact* const> apart,
               const FlowScope& scope, Report& report, FlowMemo* memo = nullptr);

// The reader-relative party of a member.
Party party_of(Member m, Member reader);

}  // namespace tandem::insight
