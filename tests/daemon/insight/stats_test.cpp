#include <catch2/catch.hpp>

#include "daemon/insight/stats.hpp"

using namespace tandem::insight;

namespace {
std::vector<WeekTally> spread(int weeks, double n_per_week, double share) {
  std::vector<WeekTally> t;
  for (int w = 0; w < weeks; ++w) t.push_back({100 + w, n_per_week, n_per_week * share, 0, 0});
  return t;
}
}  // namespace

TEST_CASE("the Jeffreys interval matches Beta(x+1/2, n-x+1/2) quantiles", "[stats]") {
  // Reference values: Beta(17.5, 3.5) quantiles at 0.025 and 0.975, by numerical integration.
  Interval ci = jeffreys(17, 20, 0.95);
  CHECK(ci.low == Approx(0.6514).margin(0.001));
  CHECK(ci.high == Approx(0.9559).margin(0.001));
  // Symmetric around one half.
  Interval a = jeffreys(3, 10, 0.90), b = jeffreys(7, 10, 0.90);
  CHECK(a.low == Approx(1 - b.high));
  // The conventional end points.
  CHECK(jeffreys(0, 12, 0.95).low == 0.0);
  CHECK(jeffreys(12, 12, 0.95).high == 1.0);
  CHECK(jeffreys(0, 0, 0.95).high == 1.0);
}

TEST_CASE("a steady lopsided share over enough weeks is a pattern", "[stats]") {
  auto t = spread(6, 4, 0.9);
  RuleResult r = apply_rule(t, 100, 105, false, {});
  CHECK(r.reading == Reading::kPattern);
  CHECK(r.side == 1);
  CHECK(r.n == 24);
}

TEST_CASE("a 50/50 share with plenty of episodes reads as balanced", "[stats]") {
  auto t = spread(12, 10, 0.5);
  CHECK(apply_rule(t, 100, 111, false, {}).reading == Reading::kBalanced);
}

TEST_CASE("too few episodes or weeks is not enough to tell, with how many more", "[stats]") {
  auto t = spread(2, 3, 0.5);
  RuleResult r = apply_rule(t, 100, 101, false, {});
  CHECK(r.reading == Reading::kNotEnoughYet);
  CHECK(r.more_weeks == 2);
  CHECK(r.more_needed > 6);
  CHECK_FALSE(r.more_capped);
}

TEST_CASE("the window extends back up to 26 weeks to find enough episodes", "[stats]") {
  auto t = spread(20, 1, 1.0);  // weeks 100..119, one episode each, all member 1
  RuleResult r = apply_rule(t, 118, 119, false, {});
  CHECK(r.n >= 12);
  CHECK(r.lookback_weeks == 12);
  RuleResult capped = apply_rule(spread(40, 0.25, 1.0), 138, 139, false, {});
  CHECK(capped.lookback_weeks == 26);
}

TEST_CASE("a lopsided share that rests on one busy week is not a pattern", "[stats]") {
  auto t = spread(8, 2, 0.5);
  t[3].n += 20;
  t[3].x += 20;
  RuleResult r = apply_rule(t, 100, 107, false, {});
  CHECK(r.side == 1);
  CHECK(r.reading == Reading::kOneBusyWeek);
}

TEST_CASE("an agreed target moves the band", "[stats]") {
  auto t = spread(12, 10, 0.7);
  CHECK(apply_rule(t, 100, 111, false, {}).reading == Reading::kPattern);
  CHECK(apply_rule(t, 100, 111, false, agreed_band(0.7)).reading == Reading::kBalanced);
}

TEST_CASE("weighted shares use the weights for the share and episodes for the width", "[stats]") {
  std::vector<WeekTally> t;
  for (int w = 0; w < 6; ++w) t.push_back({100 + w, 4, 2, 90, 100});
  RuleResult r = apply_rule(t, 100, 105, true, {});
  CHECK(r.share == Approx(0.9));
  CHECK(r.n == 24);
  CHECK(r.reading == Reading::kPattern);
}
