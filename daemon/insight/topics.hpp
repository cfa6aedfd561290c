// The share questions the report asks ("who ..."), mirroring schema::Topic's ordinals, and what a
// pattern on each would flatter: the rule that one partner's own records never raise a pattern in
// their own favour needs to know whose favour that is.
#pragma once

#include <cstdint>

#include "daemon/insight/snapshot.hpp"

namespace tandem::insight {

enum class Topic : std::uint8_t {
  kContributions,
  kEffort,
  kMentalLoad,
  kTurnsToward,
  kBids,
  kInitiates,
  kImportantTalks,
  kRaisesIssues,
  kRepairsFirst,
  kApologisesFirst,
  kYields,
  kBoundariesCrossed,
  kPreferencesPrevail,
  kGoalsSupported,
  kSupportGiven,
  kSharedMoney,
  kDatesRemembered,
  kDatesPlanned,
};
inline constexpr int kTopics = 18;

// True when "M does most of it" reads in M's favour (M carries the work, gives the care, or has
// their boundaries crossed); false when it reads in the other's favour (M's preferences prevail,
// M's goals get the support).
constexpr bool majority_flattered(Topic t) {
  return t != Topic::kPreferencesPrevail && t != Topic::kGoalsSupported;
}

// The dimension whose check-ins speak for a topic across dimensions (schema::Dimension ordinal).
constexpr Dimension topic_dimension(Topic t) {
  switch (t) {
    case Topic::kTurnsToward:
    case Topic::kBids:
    case Topic::kInitiates:
      return 5;  // affection
    case Topic::kImportantTalks:
      return 2;  // listening
    case Topic::kRaisesIssues:
    case Topic::kRepairsFirst:
    case Topic::kApologisesFirst:
    case Topic::kYields:
      return 6;  // conflict
    case Topic::kBoundariesCrossed:
      return 7;
    case Topic::kPreferencesPrevail:
    case Topic::kSharedMoney:
      return 8;  // finances
    case Topic::kGoalsSupported:
      return 4;  // growth
    case Topic::kSupportGiven:
      return 1;
    case Topic::kDatesRemembered:
    case Topic::kDatesPlanned:
      return 9;  // maintenance
    default:
      return 0;
  }
}

}  // namespace tandem::insight
