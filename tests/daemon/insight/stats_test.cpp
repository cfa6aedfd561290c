#include <catch2/catch.hpp>

#include <cmath>

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

TEST_CASE("'about N more episodes' is the least N at which the intervals would tell", "[stats]") {
  // The estimate is searched with the beta CDF at the band's edges; here it is checked against
  // the rule's own words, with the interval quantiles: at n + N the 95% interval is wholly outside
  // the band or the 90% one wholly inside it, and at n + N - 1 neither (unless that is below the
  // least n the search starts from).
  auto tells = [](double share, double n, Band band) {
    const Interval c95 = jeffreys(share * n, n, 0.95), c90 = jeffreys(share * n, n, 0.90);
    return c95.low > band.high || c95.high < band.low ||
           (c90.low >= band.low && c90.high <= band.high);
  };
  int checked = 0;
  for (double share : {0.0, 0.1, 0.25, 0.33, 0.38, 0.45, 0.5, 0.55, 0.64, 0.7, 0.9, 1.0}) {
    for (int weeks : {1, 3, 5}) {
      for (double per_week : {0.5, 1.0, 2.0, 3.5}) {
        for (Band band : {Band{}, agreed_band(0.3), agreed_band(0.05), agreed_band(0.95)}) {
          auto t = spread(weeks, per_week, share);
          RuleResult r = apply_rule(t, 100, 100 + weeks - 1, false, band);
          if (r.reading != Reading::kNotEnoughYet || r.more_capped) continue;
          // The search runs over whole numbers of episodes; N is counted from the fractional n.
          const double at = std::ceil(r.n + r.more_needed);
          const double floor_n = std::max(r.n + (r.n >= 12 && weeks >= 4 ? 1 : 0), 12.0);
          INFO("share " << share << " n " << r.n << " band " << band.low << ".." << band.high
                        << " more " << r.more_needed);
          CHECK(tells(r.share, at, band));
          if (at - 1 >= floor_n) CHECK_FALSE(tells(r.share, at - 1, band));
          ++checked;
        }
      }
    }
  }
  CHECK(checked > 100);
}
