#include "daemon/insight/stats.hpp"

#include <algorithm>
#include <array>
#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

namespace tandem::insight {
namespace {

namespace bp = boost::math::policies;
using NoThrow =
    bp::policy<bp::domain_error<bp::errno_on_error>, bp::overflow_error<bp::errno_on_error>,
               bp::evaluation_error<bp::errno_on_error>, bp::pole_error<bp::errno_on_error>,
               bp::rounding_error<bp::errno_on_error>, bp::promote_double<false>>;

// A small memo, one per thread, of a pure function of a few doubles. Reports ask the same beta
// quantiles and CDFs again and again (the weeks behind a share rarely change between two reports),
// and each is a root search over many evaluations of the incomplete beta function. Keys compare
// bit for bit, so a hit returns exactly what the call would. Sets of four slots, each set
// replacing its slots in turn, so that the few hundred keys of one report rarely evict each
// other. Threads that never build a report never allocate one.
template <std::size_t K, class V, std::size_t kSets>
class PureMemo {
 public:
  template <class F>
  V get(const std::array<double, K>& key, F&& compute) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (double d : key) {
      std::uint64_t b;
      std::memcpy(&b, &d, sizeof b);
      h = (h ^ b) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 29;
    }
    Set& set = sets_[h % kSets];
    for (Slot& s : set.slots)
      if (s.used && std::memcmp(s.key.data(), key.data(), sizeof(double) * K) == 0) return s.value;
    Slot& s = set.slots[set.next];
    set.next = static_cast<std::uint8_t>((set.next + 1) % kWays);
    s.value = compute();
    s.key = key;
    s.used = true;
    return s.value;
  }

 private:
  static constexpr std::size_t kWays = 4;
  struct Slot {
    std::array<double, K> key{};
    V value{};
    bool used = false;
  };
  struct Set {
    std::array<Slot, kWays> slots{};
    std::uint8_t next = 0;
  };
  std::array<Set, kSets> sets_{};
};

bool outside(Interval ci, Band b) {
  return ci.low > b.high || ci.high < b.low;
}
bool inside(Interval ci, Band b) {
  return ci.low >= b.low && ci.high <= b.high;
}
int side_of(Interval ci, Band b) {
  return ci.low > b.high ? 1 : ci.high < b.low ? -1 : 0;
}

struct Sums {
  double n = 0, x = 0, w1 = 0, wt = 0;
  int weeks = 0;
  const WeekTally* busiest = nullptr;
};

Sums sum_range(std::span<const WeekTally> t, std::int32_t first, std::int32_t last) {
  Sums s;
  for (const auto& w : t) {
    if (w.week < first || w.week > last || w.n <= 0) continue;
    s.n += w.n;
    s.x += w.x;
    s.w1 += w.w1;
    s.wt += w.wt;
    ++s.weeks;
    if (s.busiest == nullptr || w.n >= s.busiest->n) s.busiest = &w;
  }
  return s;
}

double share_of(double x, double n, double w1, double wt, bool weighted) {
  if (weighted) return wt > 0 ? std::clamp(w1 / wt, 0.0, 1.0) : 0.5;
  return n > 0 ? std::clamp(x / n, 0.0, 1.0) : 0.5;
}

// Whether the rule would tell at share p over n episodes: the 95% Jeffreys interval wholly
// outside the band, or the 90% one wholly inside. It runs inside a binary search, so it asks the
// beta CDF at the band's two edges instead of computing four quantiles (each a root search of
// many CDF evaluations): for a continuous increasing CDF F, the q-quantile exceeds t exactly when
// F(t) < q. The interval's ends fixed at 0 (x = 0) and 1 (x = n) are kept as jeffreys() has them.
bool decides_uncached(double p, double n, Band band) {
  if (!(n > 0)) return outside(Interval{}, band) || inside(Interval{}, band);
  const double x = std::clamp(p * n, 0.0, n);
  boost::math::beta_distribution<double, NoThrow> d(x + 0.5, n - x + 0.5);
  auto cdf = [&](double t) {
    if (t <= 0) return 0.0;
    if (t >= 1) return 1.0;
    const double v = boost::math::cdf(d, t);
    return std::isfinite(v) ? v : 0.5;
  };
  const double at_low = cdf(band.low), at_high = cdf(band.high);
  const bool low_open = x <= 0, high_open = x >= n;  // low = 0, high = 1
  if ((!low_open && at_high < 0.025) || (!high_open && at_low > 0.975)) return true;
  const bool low_in = low_open ? band.low <= 0 : at_low <= 0.05;
  const bool high_in = high_open ? band.high >= 1 : at_high >= 0.95;
  return low_in && high_in;
}

bool decides(double p, double n, Band band) {
  thread_local std::unique_ptr<PureMemo<4, bool, 512>> memo;
  if (!memo) memo = std::make_unique<PureMemo<4, bool, 512>>();
  return memo->get({p, n, band.low, band.high}, [&] { return decides_uncached(p, n, band); });
}

Interval jeffreys_uncached(double x, double n, double level) {
  if (!(n > 0)) return {};
  x = std::clamp(x, 0.0, n);
  const double alpha = 1.0 - std::clamp(level, 0.0, 0.999999);
  boost::math::beta_distribution<double, NoThrow> d(x + 0.5, n - x + 0.5);
  Interval ci;
  ci.low = x <= 0 ? 0.0 : boost::math::quantile(d, alpha / 2);
  ci.high = x >= n ? 1.0 : boost::math::quantile(d, 1 - alpha / 2);
  if (!std::isfinite(ci.low)) ci.low = 0.0;
  if (!std::isfinite(ci.high)) ci.high = 1.0;
  return ci;
}

RuleResult evaluate(const Sums& s, std::int32_t first, std::int32_t last, bool weighted, Band band,
                    const RuleConfig& c) {
  RuleResult r;
  r.first_week = first;
  r.lookback_weeks = last - first + 1;
  r.n = s.n;
  r.weeks = s.weeks;
  r.share = share_of(s.x, s.n, s.w1, s.wt, weighted);
  r.x = r.share * s.n;
  r.ci95 = jeffreys(r.x, r.n, 0.95);
  r.ci90 = jeffreys(r.x, r.n, 0.90);
  r.side = side_of(r.ci95, band);
  const bool enough = s.n >= c.min_episodes && s.weeks >= c.min_weeks;
  r.more_weeks = std::max(0, c.min_weeks - s.weeks);
  if (enough && r.side != 0) {
    const WeekTally& b = *s.busiest;
    const double n2 = s.n - b.n;
    const double p2 = share_of(s.x - b.x, n2, s.w1 - b.w1, s.wt - b.wt, weighted);
    const Interval rest = jeffreys(p2 * n2, n2, 0.90);
    r.reading = side_of(rest, band) == r.side ? Reading::kPattern : Reading::kOneBusyWeek;
    return r;
  }
  if (enough && inside(r.ci90, band)) {
    r.reading = Reading::kBalanced;
    return r;
  }
  r.reading = Reading::kNotEnoughYet;
  // The smallest n' at the current share for which the rule would tell (intervals shrink as n
  // grows, so "decides" is monotone in n' and a binary search finds it).
  double lo = std::max(s.n + (enough ? 1 : 0), static_cast<double>(c.min_episodes));
  double hi = s.n + c.max_more;
  if (lo > hi) lo = hi;
  if (!decides(r.share, hi, band)) {
    r.more_needed = c.max_more;
    r.more_capped = true;
    return r;
  }
  while (lo < hi) {
    const double mid = std::floor((lo + hi) / 2);
    if (decides(r.share, mid, band))
      hi = mid;
    else
      lo = mid + 1;
  }
  r.more_needed = static_cast<int>(std::max(0.0, lo - s.n));
  return r;
}

}  // namespace

Interval jeffreys(double x, double n, double level) {
  thread_local std::unique_ptr<PureMemo<3, Interval, 256>> memo;
  if (!memo) memo = std::make_unique<PureMemo<3, Interval, 256>>();
  return memo->get({x, n, level}, [&] { return jeffreys_uncached(x, n, level); });
}

Band agreed_band(double target) {
  target = std::clamp(target, 0.0, 1.0);
  return {std::max(0.0, target - 0.10), std::min(1.0, target + 0.10)};
}

double distance_outside(Interval ci, Band band) {
  if (ci.low > band.high) return ci.low - band.high;
  if (ci.high < band.low) return band.low - ci.high;
  return 0.0;
}

RuleResult apply_rule(std::span<const WeekTally> tallies, std::int32_t window_first_week,
                      std::int32_t last_week, bool weighted, Band band, const RuleConfig& c) {
  std::int32_t first = std::min(window_first_week, last_week);
  Sums s = sum_range(tallies, first, last_week);
  // Walk back one calendar week at a time; tallies are sorted, so keep an index into them.
  auto it = std::lower_bound(tallies.begin(), tallies.end(), first,
                             [](const WeekTally& t, std::int32_t w) { return t.week < w; });
  while ((s.n < c.min_episodes || s.weeks < c.min_weeks) &&
         last_week - first + 1 < c.max_lookback_weeks) {
    --first;
    if (it != tallies.begin() && std::prev(it)->week == first) {
      --it;
      if (it->n > 0) {
        s.n += it->n;
        s.x += it->x;
        s.w1 += it->w1;
        s.wt += it->wt;
        ++s.weeks;
        if (s.busiest == nullptr || it->n > s.busiest->n) s.busiest = &*it;
      }
    }
  }
  return evaluate(s, first, last_week, weighted, band, c);
}

RuleResult apply_rule_fixed(std::span<const WeekTally> tallies, std::int32_t first_week,
                            std::int32_t last_week, bool weighted, Band band, const RuleConfig& c) {
  return evaluate(sum_range(tallies, first_week, last_week), first_week, last_week, weighted, band,
                  c);
}

}  // namespace tandem::insight
