#include "daemon/insight/perception.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "daemon/insight/dates.hpp"

namespace tandem::insight {

std::int8_t tilt(std::uint8_t fairness, Member author, Member toward) {
  static constexpr std::int8_t kTilt[] = {0, 2, 1, 0, -1, -2};
  const std::int8_t t = fairness <= 5 ? kTilt[fairness] : 0;
  return author == toward ? t : static_cast<std::int8_t>(-t);
}

CheckinState read_checkins(std::span<const Fact* const> facts, std::int32_t since_day,
                           std::int32_t until_day, bool include_private) {
  auto counts = [&](const Fact& f) {
    return f.kind == Kind::kCheckin && (f.author == kFirst || f.author == kSecond) &&
           (include_private || f.visibility != Visibility::kPrivate);
  };
  // Periods each member has checked in for: a sealed check-in opens once the other has one.
  std::vector<std::pair<Member, std::int32_t>> periods;
  for (const Fact* f : facts)
    if (counts(*f)) periods.emplace_back(f->author, f->detail().period_week);
  std::sort(periods.begin(), periods.end());
  CheckinState s;
  std::set<std::pair<Member, std::int32_t>> waiting;
  for (const Fact* fp : facts) {
    const Fact& f = *fp;
    if (!counts(f) || f.day > until_day) continue;
    const bool revealed = !f.detail().sealed ||
                          std::binary_search(periods.begin(), periods.end(),
                                             std::pair{other(f.author), f.detail().period_week});
    if (!revealed) {
      if (f.day >= since_day) waiting.insert({f.author, f.detail().period_week});
      continue;
    }
    const Fact*& l = s.latest[f.author - 1];
    if (l == nullptr || f.detail().period_week > l->detail().period_week ||
        (f.detail().period_week == l->detail().period_week && f.day >= l->day))
      l = &f;
  }
  s.waiting.assign(waiting.begin(), waiting.end());
  return s;
}

bool both_call_fair(const CheckinState& s, Dimension d) {
  if (d < 1 || d > kDimensions || !s.latest[0] || !s.latest[1]) return false;
  return s.latest[0]->detail().fairness[d] == 3 && s.latest[1]->detail().fairness[d] == 3;
}

Perception perception_view(const CheckinState& s, Member reader) {
  Perception p;
  const Fact* me = s.latest[reader - 1];
  const Fact* them = s.latest[other(reader) - 1];
  if (me) {
    p.reader_period = format_iso_week(me->detail().period_week);
    p.reader_appreciated = me->detail().appreciated;
    p.reader_loaded = me->detail().loaded;
    p.reader_satisfaction = me->detail().satisfaction;
  }
  if (them) {
    p.partner_period = format_iso_week(them->detail().period_week);
    p.partner_appreciated = them->detail().appreciated;
    p.partner_loaded = them->detail().loaded;
    p.partner_satisfaction = them->detail().satisfaction;
  }
  for (Dimension d = 1; d <= kDimensions; ++d) {
    PerceivedFairness f;
    f.dimension = d;
    f.reader = me ? me->detail().fairness[d] : 0;
    f.partner = them ? them->detail().fairness[d] : 0;
    f.reader_tilt = tilt(f.reader, reader, reader);
    f.partner_tilt = tilt(f.partner, other(reader), reader);
    if (f.reader != 0 && f.partner != 0)
      f.gap = static_cast<std::uint8_t>(std::abs(f.reader_tilt - f.partner_tilt));
    p.dimensions.push_back(f);
  }
  for (auto [m, week] : s.waiting)
    p.sealed.push_back({m == reader ? Party::kMe : Party::kPartner, format_iso_week(week)});
  return p;
}

}  // namespace tandem::insight
