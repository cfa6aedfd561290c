// The statistics behind "a pattern, not an incident": Jeffreys intervals on a share and the
// design's pattern rule over weekly tallies of episodes. Pure; never throws (Boost.Math runs with
// an errno policy, and every input is clamped to the distribution's domain first).
#pragma once

#include <cstdint>
#include <span>

namespace tandem::insight {

struct Interval {
  double low = 0.0;
  double high = 1.0;
};

// The Jeffreys interval at `level` (e.g. 0.95) for x of n: the equal-tailed quantiles of
// Beta(x + 1/2, n - x + 1/2), with low = 0 when x = 0 and high = 1 when x = n. x may be fractional
// (an episode credited half to each partner). n <= 0 gives [0, 1].
Interval jeffreys(double x, double n, double level);

// A fair band on a share, as fractions.
struct Band {
  double low = 0.4;
  double high = 0.6;
};

// The band for an agreed target share (0..1): target +/- 10 points, clamped to [0, 1].
Band agreed_band(double target);

// Episodes of one share question in one ISO week. x is member 1's credit (a "both" or disputed
// episode adds 1/2); w1/wt are weights (effort, cents) for weighted shares.
struct WeekTally {
  std::int32_t week = 0;
  double n = 0;
  double x = 0;
  double w1 = 0;
  double wt = 0;
};

// The rule's thresholds; the defaults are the design's.
struct RuleConfig {
  int min_episodes = 12;
  int min_weeks = 4;
  int max_lookback_weeks = 26;
  int max_more = 200;  // cap on the "about how many more episodes" estimate
};

enum class Reading : std::uint8_t {
  kNotEnoughYet,
  kBalanced,
  kPattern,
  kFairToBoth,
  kSelfReportOnly,
  kOneBusyWeek,
};

struct RuleResult {
  Reading reading = Reading::kNotEnoughYet;
  double n = 0;      // episodes used
  double x = 0;      // member 1's effective count (share * n)
  double share = 0;  // member 1's share (by weight when weighted)
  Interval ci95, ci90;
  int weeks = 0;                // distinct weeks with an episode
  std::int32_t first_week = 0;  // the lookback actually used: [first_week, last_week]
  int lookback_weeks = 0;
  int more_needed = 0;
  bool more_capped = false;
  int more_weeks = 0;
  int side = 0;  // +1: member 1 above the band, -1: below, 0: neither (95%)
};

// Applies the pattern rule. `tallies` must be sorted by week, ascending, one per week, with weeks
// in context periods already left out; only weeks up to `last_week` count. Starts from
// [window_first_week, last_week] and, while fewer than min_episodes episodes or min_weeks weeks
// fall inside, extends back a week at a time until the lookback spans max_lookback_weeks (a window
// already that long is never extended). A pattern needs the 95% interval wholly outside the band
// and, with the busiest week removed, the 90% interval outside on the same side; balanced needs the
// 90% interval inside; anything else is not enough yet, with an estimate of how many more episodes
// at the current share would let the rule tell.
RuleResult apply_rule(std::span<const WeekTally> tallies, std::int32_t window_first_week,
                      std::int32_t last_week, bool weighted, Band band,
                      const RuleConfig& config = {});

// The same rule on exactly [first_week, last_week], no extension: used to re-check a pattern on a
// subset of the episodes with the lookback fixed.
RuleResult apply_rule_fixed(std::span<const WeekTally> tallies, std::int32_t first_week,
                            std::int32_t last_week, bool weighted, Band band,
                            const RuleConfig& config = {});

// How far an interval lies outside a band (0 when it touches or overlaps it).
double distance_outside(Interval ci, Band band);

}  // namespace tandem::insight
