// Perceived fairness: each partner's latest check-in, with mutual reveal. A sealed check-in stays
// hidden until the other partner's check-in for the same period is in the snapshot, and hidden
// answers are never used for anything (not even to soften a pattern), so that nothing in the
// report lets one partner infer the other's sealed answers early.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "daemon/insight/report_types.hpp"
#include "daemon/insight/snapshot.hpp"

namespace tandem::insight {

struct CheckinState {
  // Each member's latest revealed check-in dated on or before the window's end (nullptr when
  // none). Borrowed from the facts passed to read_checkins: valid while they are.
  std::array<const Fact*, 2> latest{};
  // Sealed check-ins still waiting for the other partner, dated inside the window.
  std::vector<std::pair<Member, std::int32_t>> waiting;  // (member, period week)
};

// Reads every check-in among `facts` once (plus once over the periods seen); other kinds are
// skipped. Private check-ins count only when include_private.
CheckinState read_checkins(std::span<const Fact* const> facts, std::int32_t since_day,
                           std::int32_t until_day, bool include_private);

// True when both partners' latest revealed check-ins call `dimension` fair.
bool both_call_fair(const CheckinState& s, Dimension dimension);

// The perception section from the reader's point of view (loggedShare left at -1 for the caller).
Perception perception_view(const CheckinState& s, Member reader);

// A member's answer on one axis for both: +2 very unfair to `toward` .. -2 very unfair to the
// other (0: fair or not answered). `fairness` is a schema::Fairness ordinal said by `author`.
std::int8_t tilt(std::uint8_t fairness, Member author, Member toward);

}  // namespace tandem::insight
