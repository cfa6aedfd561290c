#include "daemon/insight/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "daemon/insight/dates.hpp"
#include "daemon/insight/episodes.hpp"
#include "daemon/insight/flows.hpp"
#include "daemon/insight/perception.hpp"
#include "daemon/insight/wording.hpp"

namespace tandem::insight {
namespace {

constexpr std::int32_t kMaxAllTimeWeeks = 520;

// Everything evaluate() needs besides the question itself.
struct Context {
  const ReportOptions& opt;
  Member reader;
  std::int32_t window_first_week, last_week;
  std::vector<bool> context_week;  // indexed by week - base_week
  std::int32_t base_week;
  const CheckinState& checkins;
  std::map<std::string, double> agreed;  // area -> member 1's agreed share, 0..1

  bool is_context(std::int32_t w) const {
    const auto i = w - base_week;
    return i >= 0 && i < static_cast<std::int32_t>(context_week.size()) && context_week[i];
  }
  std::vector<WeekTally> usable(const std::vector<WeekTally>& t) const {
    std::vector<WeekTally> out;
    out.reserve(t.size());
    for (const auto& w : t)
      if (!is_context(w.week)) out.push_back(w);
    return out;
  }
};

Interval flip(Interval i) {
  return {1.0 - i.high, 1.0 - i.low};
}

struct Evaluated {
  ShareView view;
  RuleResult rule;
};

Evaluated evaluate(const Question& q, bool weighted, Topic topic, const Context& c) {
  Band band = c.opt.band;
  bool from_agreement = false;
  const std::string key = q.topic == Topic::kSharedMoney ? q.area : dimension_name(q.dimension);
  if (auto it = c.agreed.find(key); it != c.agreed.end() && q.topic != Topic::kMentalLoad) {
    band = agreed_band(it->second);
    from_agreement = true;
  }
  const auto tallies = c.usable(q.all);
  Evaluated e;
  RuleResult& r = e.rule;
  r = apply_rule(tallies, c.window_first_week, c.last_week, weighted, band, c.opt.rule);
  if (r.reading == Reading::kPattern) {
    const Dimension fd =
        q.dimension != 0 && topic != Topic::kSharedMoney ? q.dimension : topic_dimension(topic);
    const Member m = r.side > 0 ? kFirst : kSecond;
    const auto rest = c.usable(q.without_self[m - 1]);
    const RuleResult r2 =
        apply_rule_fixed(rest, r.first_week, c.last_week, weighted, band, c.opt.rule);
    // "Alone": what the other partner logged must lean the same way beyond the band, and be
    // more than a token (a quarter of the episodes, at least 4).
    const bool corroborated =
        r2.n >= std::max(4.0, r.n / 4) && (r.side > 0 ? r2.share > band.high : r2.share < band.low);
    if (both_call_fair(c.checkins, fd)) {
      r.reading = Reading::kFairToBoth;
    } else if (!corroborated) {
      r.reading = Reading::kSelfReportOnly;
    }
  }
  ShareView& v = e.view;
  v.topic = topic;
  v.dimension = q.dimension;
  v.area = q.area;
  double x = 0, n = 0, w1 = 0, wt = 0;
  std::uint32_t logged[2] = {0, 0};
  for (std::size_t i = 0; i < q.all.size(); ++i) {
    const auto& w = q.all[i];
    if (w.week < r.first_week || w.week > c.last_week || c.is_context(w.week)) continue;
    x += w.x;
    n += w.n;
    w1 += w.w1;
    wt += w.wt;
    logged[0] += q.logged[i][0];
    logged[1] += q.logged[i][1];
  }
  for (std::int32_t w = r.first_week; w <= c.last_week; ++w) v.excluded_weeks += c.is_context(w);
  const bool first = c.reader == kFirst;
  const double m1 = weighted ? w1 : x, m2 = weighted ? wt - w1 : n - x;
  v.reader = first ? m1 : m2;
  v.partner = first ? m2 : m1;
  v.episodes = static_cast<std::uint32_t>(r.n);
  v.weeks = static_cast<std::uint32_t>(r.weeks);
  v.lookback_weeks = static_cast<std::uint32_t>(r.lookback_weeks);
  v.share = first ? r.share : 1.0 - r.share;
  v.interval95 = first ? r.ci95 : flip(r.ci95);
  v.interval90 = first ? r.ci90 : flip(r.ci90);
  v.band_low = first ? band.low : 1.0 - band.high;
  v.band_high = first ? band.high : 1.0 - band.low;
  v.band_from_agreement = from_agreement;
  v.reading = r.reading;
  v.more_needed = static_cast<std::uint32_t>(r.more_needed);
  v.more_needed_capped = r.more_capped;
  v.more_weeks_needed = static_cast<std::uint32_t>(r.more_weeks);
  v.logged_by_reader = logged[c.reader - 1];
  v.logged_by_partner = logged[other(c.reader) - 1];
  return e;
}

// Collects a pattern (or a line for notYet) from one evaluated share.
struct Findings {
  std::vector<PatternView> patterns;
  std::vector<UnclearView> unclear;
};

void consider(const Evaluated& e, const std::array<std::string, 2>& names, Member reader,
              Findings& out) {
  const ShareView& v = e.view;
  if (v.reading == Reading::kBalanced || v.episodes == 0) return;
  if (v.reading != Reading::kPattern) {
    out.unclear.push_back({v.topic, v.dimension, v.area, v.reading, v.episodes, v.more_needed,
                           v.more_weeks_needed, word_unclear(v)});
    return;
  }
  const Member m = e.rule.side > 0 ? kFirst : kSecond;
  const bool is_reader = m == reader;
  PatternFacts f;
  f.topic = v.topic;
  f.dimension = v.dimension;
  f.area = v.area;
  f.who = names[m - 1];
  f.other = names[other(m) - 1];
  f.count = is_reader ? v.reader : v.partner;
  if (v.topic == Topic::kSharedMoney) f.count = v.episodes * (is_reader ? v.share : 1 - v.share);
  f.share = is_reader ? v.share : 1.0 - v.share;
  const Interval who_ci = is_reader ? v.interval95 : flip(v.interval95);
  f.low = who_ci.low;
  f.high = who_ci.high;
  f.band_low = is_reader ? v.band_low : 1.0 - v.band_high;
  f.band_high = is_reader ? v.band_high : 1.0 - v.band_low;
  f.band_from_agreement = v.band_from_agreement;
  f.episodes = v.episodes;
  f.weeks = v.weeks;
  f.lookback_weeks = v.lookback_weeks;
  f.logged_by_who = is_reader ? v.logged_by_reader : v.logged_by_partner;
  f.logged_by_other = is_reader ? v.logged_by_partner : v.logged_by_reader;
  PatternView p;
  p.topic = v.topic;
  p.dimension = v.dimension;
  p.area = v.area;
  p.who = is_reader ? Party::kMe : Party::kPartner;
  p.who_name = f.who;
  p.share = f.share;
  p.low = f.low;
  p.high = f.high;
  p.episodes = v.episodes;
  p.weeks = v.weeks;
  p.lookback_weeks = v.lookback_weeks;
  p.distance = distance_outside(who_ci, {f.band_low, f.band_high});
  word_pattern(f, p);
  out.patterns.push_back(std::move(p));
}

}  // namespace

std::vector<const Fact*> ApartIndex::update(const std::vector<Fact>& facts, std::int32_t& first_day,
                                            std::int32_t none) {
  if (!seen_.still_prefix(facts)) *this = ApartIndex();
  for (std::size_t i = seen_.count; i < facts.size(); ++i) {
    if (read_apart(facts[i].kind)) index_.push_back(static_cast<std::uint32_t>(i));
    first_day_ = any_ ? std::min(first_day_, facts[i].day) : facts[i].day;
    any_ = true;
  }
  seen_.mark(facts);
  first_day = any_ ? first_day_ : none;
  std::vector<const Fact*> out;
  out.reserve(index_.size());
  for (std::uint32_t i : index_) out.push_back(&facts[i]);
  return out;
}

Report build_report(const Snapshot& snap, const ReportOptions& opt, std::int32_t today,
                    ReportMemo* memo) {
  Report rep;
  const Member reader = snap.reader == kSecond ? kSecond : kFirst;
  std::array<std::string, 2> names = snap.names;
  if (names[reader - 1].empty()) names[reader - 1] = "You";
  if (names[other(reader) - 1].empty()) names[other(reader) - 1] = "Your partner";
  rep.reader_name = names[reader - 1];
  rep.partner_name = names[other(reader) - 1];

  // 1. The window, and how far back the rule may look.
  const std::int32_t until = opt.until_day != 0 ? opt.until_day : today;
  std::int32_t first_day = until;
  ApartIndex local;
  const std::vector<const Fact*> apart =
      (memo ? memo->apart : local).update(snap.facts, first_day, until);
  std::int32_t since = opt.since_day;
  if (opt.all_time) since = std::min(until, first_day);
  since = std::clamp(since, week_start(week_of(until) - kMaxAllTimeWeeks + 1), until);
  const std::int32_t last_week = week_of(until);
  const std::int32_t window_first_week = week_of(since);
  const std::int32_t base_week =
      std::min(window_first_week, last_week - opt.rule.max_lookback_weeks + 1);
  rep.window = {opt.label,
                format_iso_date(since),
                format_iso_date(until),
                format_iso_date(today),
                static_cast<std::uint32_t>(last_week - window_first_week + 1),
                {}};

  // 2. Context periods and agreements.
  std::vector<bool> context_week(last_week - base_week + 1, false);
  std::map<std::string, double> agreed;
  std::map<std::string, std::int32_t> agreed_day;
  for (const Fact* fp : apart) {
    const Fact& f = *fp;
    if (f.visibility == Visibility::kPrivate && !opt.include_private) continue;
    if (f.kind == Kind::kContext) {
      for (std::int32_t w = std::max(week_of(f.detail().from_day), base_week);
           w <= std::min(week_of(f.detail().until_day), last_week); ++w)
        context_week[w - base_week] = true;
      if (f.detail().until_day >= since && f.detail().from_day <= until)
        rep.window.contexts.push_back({f.detail().text, format_iso_date(f.detail().from_day),
                                       format_iso_date(f.detail().until_day)});
    } else if (f.kind == Kind::kAgreement && f.day <= until) {
      auto [it, fresh] = agreed_day.try_emplace(f.detail().text, f.day);
      if (fresh || f.day >= it->second) {
        it->second = f.day;
        const double mine = f.detail().agreed_percent / 100.0;
        agreed[f.detail().text] = f.author == kFirst ? mine : 1.0 - mine;
      }
    }
  }
  const CheckinState checkins = read_checkins(apart, since, until, opt.include_private);
  const Context full{opt,          reader,    window_first_week, last_week,
                     context_week, base_week, checkins,          std::move(agreed)};

  // 3. Every share question, then the rule on each.
  const TallyScope scope{std::min(since, week_start(base_week)), until, opt.include_private};
  const Questions qs = memo ? memo->tallies.tally(snap.facts, scope) : tally(snap.facts, scope);
  std::vector<std::pair<Evaluated, ShareView*>> candidates;
  std::vector<Dimension> dims = opt.dimensions;
  if (dims.empty())
    for (Dimension d = 1; d <= kDimensions; ++d) dims.push_back(d);
  rep.dimensions.reserve(dims.size());  // candidates point into it
  std::vector<std::string> week_names;  // of the window's weeks, shared by every section
  for (std::int32_t w = window_first_week; w <= last_week; ++w)
    week_names.push_back(format_iso_week(w));
  for (Dimension d : dims) {
    if (d < 1 || d > kDimensions) continue;
    DimensionSection s;
    s.dimension = d;
    const Evaluated count = evaluate(qs.items[d], false, Topic::kContributions, full);
    const Evaluated effort = evaluate(qs.items[d], true, Topic::kEffort, full);
    const Evaluated mental =
        evaluate(qs.items[Questions::kMentalBase + d], false, Topic::kMentalLoad, full);
    s.count = count.view;
    s.effort = effort.view;
    s.mental_load = mental.view;
    const auto& all = qs.items[d].all;
    auto it = all.begin();
    s.weeks.reserve(week_names.size());
    for (std::int32_t w = window_first_week; w <= last_week; ++w) {
      WeekCounts wc{week_names[w - window_first_week], 0, 0, full.is_context(w)};
      while (it != all.end() && it->week < w) ++it;
      if (it != all.end() && it->week == w) {
        wc.reader = reader == kFirst ? it->x : it->n - it->x;
        wc.partner = it->n - wc.reader;
      }
      s.weeks.push_back(std::move(wc));
    }
    rep.dimensions.push_back(std::move(s));
    candidates.push_back({count, &rep.dimensions.back().count});
    candidates.push_back({mental, &rep.dimensions.back().mental_load});
  }
  auto cross = [&](Topic t, ShareView& slot, bool candidate = true) {
    const Evaluated e = evaluate(qs.items[Questions::cross(t)], false, t, full);
    slot = e.view;
    if (candidate) candidates.push_back({e, &slot});
  };
  Across& a = rep.across;
  cross(Topic::kTurnsToward, a.turns_toward);
  cross(Topic::kBids, a.bids, false);
  cross(Topic::kInitiates, a.initiates);
  cross(Topic::kImportantTalks, a.important_talks);
  cross(Topic::kRaisesIssues, a.raises_issues);
  cross(Topic::kRepairsFirst, a.repairs_first);
  cross(Topic::kApologisesFirst, a.apologises_first);
  cross(Topic::kYields, a.yields);
  cross(Topic::kBoundariesCrossed, a.boundaries_crossed);
  cross(Topic::kPreferencesPrevail, a.preferences_prevail);
  cross(Topic::kGoalsSupported, a.goals_supported);
  cross(Topic::kSupportGiven, a.support_given);
  cross(Topic::kDatesRemembered, a.dates_remembered);
  cross(Topic::kDatesPlanned, a.dates_planned);
  a.money.reserve(qs.items.size() - qs.money_begin());  // candidates point into it
  for (std::size_t i = qs.money_begin(); i < qs.items.size(); ++i) {
    const Question& q = qs.items[i];
    const Evaluated e = evaluate(q, true, Topic::kSharedMoney, full);
    MoneyArea m;
    m.area = q.area;
    m.currency = q.currency;
    if (auto it = full.agreed.find(q.area); it != full.agreed.end()) {
      const double mine = reader == kFirst ? it->second : 1.0 - it->second;
      m.agreed_reader_percent = static_cast<std::int8_t>(std::lround(mine * 100));
    }
    m.share = e.view;
    a.money.push_back(std::move(m));
    candidates.push_back({e, &a.money.back().share});
  }

  // Many shares are read at once, so a 95% interval would flag some balanced couple somewhere by
  // chance alone. On top of the design's rule (which stays necessary), a pattern's interval must
  // also clear the band at 1 - 0.05/k, k being the shares with enough data to read (Bonferroni).
  int readable = 0;
  for (const auto& [e, slot] : candidates)
    readable += e.rule.n >= opt.rule.min_episodes && e.rule.weeks >= opt.rule.min_weeks;
  const double level = 1.0 - 0.05 / std::max(1, readable);
  Findings found;
  for (auto& [e, slot] : candidates) {
    if (e.view.reading == Reading::kPattern) {
      const Interval strict = jeffreys(e.view.share * e.rule.n, e.rule.n, level);
      if (distance_outside(strict, {e.view.band_low, e.view.band_high}) <= 0)
        e.view.reading = slot->reading = Reading::kNotEnoughYet;
    }
    consider(e, names, reader, found);
  }

  // 4. At most max_patterns, farthest from the band first; the rest of the unclear ones by size.
  std::stable_sort(found.patterns.begin(), found.patterns.end(),
                   [](const auto& l, const auto& r) { return l.distance > r.distance; });
  if (found.patterns.size() > static_cast<std::size_t>(opt.max_patterns))
    found.patterns.resize(std::max(0, opt.max_patterns));
  rep.patterns = std::move(found.patterns);
  std::stable_sort(found.unclear.begin(), found.unclear.end(),
                   [](const auto& l, const auto& r) { return l.episodes > r.episodes; });
  rep.not_yet = std::move(found.unclear);

  // 5. Perception (with the logged effort share beside it) and the counting sections.
  rep.perception = perception_view(checkins, reader);
  for (auto& pf : rep.perception.dimensions)
    for (const auto& s : rep.dimensions)
      if (s.dimension == pf.dimension && s.effort.episodes > 0) pf.logged_share = s.effort.share;
  add_flows(snap.facts, apart, {since, until, today, reader, opt.include_private}, rep,
            memo ? &memo->flows : nullptr);
  return rep;
}

}  // namespace tandem::insight
