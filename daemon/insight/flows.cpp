#include "daemon/insight/flows.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <utility>

#include "daemon/insight/dates.hpp"

namespace tandem::insight {
namespace {

constexpr std::int32_t kUpcomingDays = 60;
constexpr std::size_t kMaxAcknowledged = 50;

std::string id_text(const EntryId& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 0; i < 16; ++i) s[15 - i] = kHex[(id.device >> (4 * i)) & 0xf];
  return s + "-" + std::to_string(id.seq);
}

// The next occurrence on or after `today` of a date that recurs, or nullopt-like -1.
std::int32_t next_occurrence(std::int32_t first, std::uint8_t recurrence, std::int32_t today) {
  if (recurrence == 0) return first >= today ? first : -1;
  const CivilDate f = civil_from_days(first);
  const CivilDate t = civil_from_days(today);
  auto clamp_day = [](int y, unsigned m, unsigned d) {
    while (d > 28 && civil_from_days(days_from_civil(y, m, d)).month != m) --d;
    return days_from_civil(y, m, d);
  };
  if (recurrence == 1) {
    std::int32_t d = clamp_day(t.year, f.month, f.day);
    return std::max(d < today ? clamp_day(t.year + 1, f.month, f.day) : d, first);
  }
  std::int32_t d = clamp_day(t.year, t.month, f.day);
  if (d < today)
    d = t.month == 12 ? clamp_day(t.year + 1, 1, f.day) : clamp_day(t.year, t.month + 1, f.day);
  return std::max(d, first);
}

void count_boundary(BoundaryEvents& b, std::uint8_t event) {
  switch (event) {
    case 0:
      ++b.stated;
      break;
    case 1:
      ++b.respected;
      break;
    case 2:
      ++b.crossed;
      break;
    default:
      ++b.renegotiated;
      break;
  }
}

bool id_less(const EntryId& l, const EntryId& r) {
  return l.device != r.device ? l.device < r.device : l.seq < r.seq;
}

bool about_other(const Fact& f) {
  switch (f.kind) {
    case Kind::kContribution:
    case Kind::kSupport:
    case Kind::kInitiation:
    case Kind::kBid:
    case Kind::kConflict:
    case Kind::kImportantDate:
      return f.actor == other(f.logged_by);
    default:
      return false;
  }
}

}  // namespace

Party party_of(Member m, Member reader) {
  if (m == kBoth) return Party::kBoth;
  if (m == kNoOne) return Party::kUnset;
  return m == reader ? Party::kMe : Party::kPartner;
}

// The counts of one scope that add up fact by fact (everything of the flows but upcoming dates and
// cards, which come from the facts read apart). Every count is the reader's or the partner's.
struct FlowMemo::State {
  FlowScope scope;  // its `today` is not used
  // Who thanked which entries (bit 0: member 1, bit 1: member 2), sorted by id: what decided
  // which contributions count as acknowledged. A change in it starts the counts over.
  std::vector<std::pair<EntryId, std::uint8_t>> thanked;
  FactsSeen seen;

  std::uint32_t to_reader = 0, to_partner = 0;
  std::vector<std::uint32_t> weekly_to_reader, weekly_to_partner;
  std::array<AcknowledgedCounts, kDimensions + 1> acks{};
  std::array<std::array<PhaseCounts, 5>, kDimensions + 1> phases{};
  std::vector<std::uint32_t> acknowledged;  // indices of thanked contributions, in fact order
  BidFlow bid_flow;
  RepairFlow repairs;
  ConflictEndings endings;
  BoundaryEvents reader_boundaries, partner_boundaries;
  std::uint32_t blends = 0, new_options = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> money;  // area -> reader, partner
  LoggedBy lb;

  State(const FlowScope& s, std::vector<std::pair<EntryId, std::uint8_t>> t)
      : scope(s), thanked(std::move(t)) {
    const std::int32_t first_week = week_of(s.since_day);
    const std::size_t nweeks = static_cast<std::size_t>(week_of(s.until_day) - first_week + 1);
    weekly_to_reader.assign(nweeks, 0);
    weekly_to_partner.assign(nweeks, 0);
  }

  bool same_scope(const FlowScope& o) const {
    return scope.since_day == o.since_day && scope.until_day == o.until_day &&
           scope.reader == o.reader && scope.include_private == o.include_private;
  }

  // Who thanked an entry: the masks of its thanks or'ed together (0: nobody).
  std::uint8_t thanked_by(const EntryId& id) const {
    if (thanked.empty() || !id.known()) return 0;
    auto it = std::lower_bound(thanked.begin(), thanked.end(), id,
                               [](const auto& t, const EntryId& v) { return id_less(t.first, v); });
    std::uint8_t mask = 0;
    for (; it != thanked.end() && it->first == id; ++it) mask |= it->second;
    return mask;
  }

  void add(const Fact& f, std::uint32_t index);
};

void FlowMemo::State::add(const Fact& f, std::uint32_t index) {
  const Member reader = scope.reader;
  const bool in_window = f.day >= scope.since_day && f.day <= scope.until_day;
  if (!scope.include_private && f.visibility == Visibility::kPrivate) {
    if (in_window && f.author == reader) ++lb.private_excluded;
    return;
  }
  if (!in_window) return;
  (f.logged_by == reader ? lb.reader_entries : lb.partner_entries)++;
  if (about_other(f)) (f.logged_by == reader ? lb.reader_about_partner : lb.partner_about_reader)++;
  if (f.visibility == Visibility::kAggregate) ++lb.aggregate_entries;
  const bool by_reader = f.actor == reader;
  switch (f.kind) {
    case Kind::kAppreciation: {
      const bool to_me = f.actor == reader;
      (to_me ? to_reader : to_partner)++;
      (to_me ? weekly_to_reader : weekly_to_partner)[f.week - week_of(scope.since_day)]++;
      break;
    }
    case Kind::kContribution: {
      if (f.dimension <= kDimensions && f.phase >= 1 && f.phase <= 5 && f.actor != kNoOne) {
        PhaseCounts& pc = phases[f.dimension][f.phase - 1];
        const double r = f.actor == kBoth ? 0.5 : by_reader ? 1.0 : 0.0;
        pc.reader += r;
        pc.partner += 1.0 - r;
      }
      if (f.actor != kFirst && f.actor != kSecond) break;
      AcknowledgedCounts& ac = acks[f.dimension <= kDimensions ? f.dimension : 0];
      (by_reader ? ac.reader_done : ac.partner_done)++;
      if ((thanked_by(f.id) & (1u << (other(f.actor) - 1))) != 0) {
        (by_reader ? ac.reader_thanked : ac.partner_thanked)++;
        acknowledged.push_back(index);
      }
      break;
    }
    case Kind::kBid: {
      if (f.actor != kFirst && f.actor != kSecond) break;
      BidFlow& b = bid_flow;
      (by_reader ? b.reader_bids : b.partner_bids)++;
      if (f.sub == 1) (by_reader ? b.reader_toward : b.partner_toward)++;
      if (f.sub == 2) (by_reader ? b.reader_away : b.partner_away)++;
      if (f.sub == 3) (by_reader ? b.reader_against : b.partner_against)++;
      break;
    }
    case Kind::kConflict: {
      for (const RepairFact& r : f.detail().repairs) {
        if (r.by == reader) {
          ++repairs.reader_repairs;
          repairs.reader_accepted += r.accepted;
        } else if (r.by == other(reader)) {
          ++repairs.partner_repairs;
          repairs.partner_accepted += r.accepted;
        }
      }
      ConflictEndings& e = endings;
      ++e.conflicts;
      switch (f.sub) {
        case 1:
          ++e.compromise;
          break;
        case 2:
        case 3:
          ((f.yielded_author ? f.author : other(f.author)) == reader ? e.reader_yielded
                                                                     : e.partner_yielded)++;
          break;
        case 4:
          ++e.agreed_to_differ;
          break;
        default:
          ++e.open;
          break;
      }
      break;
    }
    case Kind::kBoundary:
      if (f.actor == kFirst || f.actor == kSecond)
        count_boundary(by_reader ? reader_boundaries : partner_boundaries, f.sub);
      break;
    case Kind::kDecision:
      blends += f.sub == 3;
      new_options += f.sub == 4;
      break;
    case Kind::kExpense: {
      const std::int64_t c = f.detail().amount_cents;
      auto& [mine, theirs] = money[f.detail().text];
      if (f.actor == kBoth) {
        mine += c / 2;
        theirs += c - c / 2;
      } else if (f.actor != kNoOne) {
        (by_reader ? mine : theirs) += c;
      }
      break;
    }
    default:
      break;
  }
}

FlowMemo::FlowMemo() = default;
FlowMemo::~FlowMemo() = default;
FlowMemo::FlowMemo(FlowMemo&&) noexcept = default;
FlowMemo& FlowMemo::operator=(FlowMemo&&) noexcept = default;

void FlowMemo::reset() {
  state_.reset();
}

void add_flows(const std::vector<Fact>& facts, std::span<const Fact* const> apart,
               const FlowScope& s, Report& rep, FlowMemo* memo) {
  const Member reader = s.reader;
  auto visible = [&](const Fact& f) {
    return s.include_private || f.visibility != Visibility::kPrivate;
  };

  // Which entries each member thanked, from every visible thanks up to the window's end.
  std::vector<std::pair<EntryId, std::uint8_t>> thanked;
  for (const Fact* f : apart) {
    if (f->kind != Kind::kAppreciation || !visible(*f) || f->day > s.until_day) continue;
    for (const EntryId& id : f->detail().refs)
      thanked.emplace_back(id, static_cast<std::uint8_t>(1u << (f->author - 1)));
  }
  std::sort(thanked.begin(), thanked.end(), [](const auto& l, const auto& r) {
    return id_less(l.first, r.first) || (l.first == r.first && l.second < r.second);
  });

  // The counts: kept in the memo when the scope and the thanks are the same and the facts only
  // grew since; otherwise counted afresh.
  FlowMemo local;
  FlowMemo& m = memo ? *memo : local;
  if (!m.state_ || !m.state_->same_scope(s) || m.state_->thanked != thanked ||
      !m.state_->seen.still_prefix(facts))
    m.state_ = std::make_unique<FlowMemo::State>(s, std::move(thanked));
  FlowMemo::State& st = *m.state_;
  m.last_read_ = facts.size() - st.seen.count;
  for (std::size_t i = st.seen.count; i < facts.size(); ++i)
    st.add(facts[i], static_cast<std::uint32_t>(i));
  st.seen.mark(facts);

  AppreciationFlow& ap = rep.appreciation;
  ap.to_reader = st.to_reader;
  ap.to_partner = st.to_partner;
  ap.weekly_to_reader = st.weekly_to_reader;
  ap.weekly_to_partner = st.weekly_to_partner;
  Across& a = rep.across;
  a.bid_flow = st.bid_flow;
  a.repairs = st.repairs;
  a.endings = st.endings;
  a.reader_boundaries = st.reader_boundaries;
  a.partner_boundaries = st.partner_boundaries;
  a.blends = st.blends;
  a.new_options = st.new_options;
  for (MoneyArea& area : a.money)
    if (auto it = st.money.find(area.area); it != st.money.end()) {
      area.reader_cents += it->second.first;
      area.partner_cents += it->second.second;
    }
  rep.logged_by = st.lb;
  std::array<DimensionSection*, kDimensions + 1> sections{};
  for (auto& sec : rep.dimensions)
    if (sec.dimension <= kDimensions && !sections[sec.dimension]) sections[sec.dimension] = &sec;
  for (auto& sec : rep.dimensions) {
    for (std::uint8_t ph = 1; ph <= 5; ++ph) {
      PhaseCounts pc{ph, 0, 0};
      if (sec.dimension <= kDimensions && sections[sec.dimension] == &sec) {
        pc.reader = st.phases[sec.dimension][ph - 1].reader;
        pc.partner = st.phases[sec.dimension][ph - 1].partner;
      }
      sec.phases.push_back(pc);
    }
  }
  for (Dimension d = 1; d <= kDimensions; ++d) {
    AcknowledgedCounts ac = st.acks[d];
    ac.dimension = d;
    if (ac.reader_done + ac.partner_done > 0) ap.by_dimension.push_back(ac);
  }
  std::vector<const Fact*> acknowledged;  // worded after the sort, only the newest few
  acknowledged.reserve(st.acknowledged.size());
  for (std::uint32_t i : st.acknowledged) acknowledged.push_back(&facts[i]);
  std::stable_sort(acknowledged.begin(), acknowledged.end(),
                   [](const Fact* l, const Fact* r) { return l->day > r->day; });
  for (std::size_t i = 0; i < acknowledged.size() && i < kMaxAcknowledged; ++i) {
    const Fact& f = *acknowledged[i];
    ap.acknowledged.push_back(
        {id_text(f.id), party_of(f.actor, reader), f.dimension, format_iso_date(f.day)});
  }

  // Cards in force at the window's end, and the latest of each important date.
  std::map<std::string, const Fact*> date_latest, date_remembered, date_planned;
  for (const Fact* fp : apart) {
    const Fact& f = *fp;
    if (!visible(f)) continue;
    if (f.kind == Kind::kImportantDate && f.day <= s.until_day) {
      auto newer = [&](std::map<std::string, const Fact*>& dates) {
        const Fact*& cur = dates[f.detail().text];
        if (cur == nullptr || f.day >= cur->day) cur = &f;
      };
      newer(date_latest);
      if (f.actor != kNoOne && f.day <= s.today) newer(date_remembered);
      if (f.second != kNoOne && f.day <= s.today) newer(date_planned);
    }
    if (f.kind == Kind::kCard && f.detail().from_day <= s.until_day &&
        (f.detail().until_day == 0 || f.detail().until_day >= s.until_day) &&
        f.dimension <= kDimensions && sections[f.dimension])
      sections[f.dimension]->cards.push_back(
          {f.detail().text, party_of(f.actor, reader), f.sub, format_iso_date(f.detail().from_day),
           f.detail().until_day ? format_iso_date(f.detail().until_day) : std::string()});
  }
  for (const auto& [title, f] : date_latest) {
    const std::int32_t next = next_occurrence(f->detail().from_day, f->sub, s.today);
    if (next < 0 || next - s.today > kUpcomingDays) continue;
    DateView v{title, format_iso_date(next), static_cast<std::uint32_t>(next - s.today),
               Party::kUnset, Party::kUnset};
    if (auto it = date_remembered.find(title); it != date_remembered.end())
      v.last_remembered_by = party_of(it->second->actor, reader);
    if (auto it = date_planned.find(title); it != date_planned.end())
      v.last_planned_by = party_of(it->second->second, reader);
    a.upcoming_dates.push_back(std::move(v));
  }
  std::stable_sort(a.upcoming_dates.begin(), a.upcoming_dates.end(),
                   [](const auto& l, const auto& r) { return l.days_away < r.days_away; });
}

}  // namespace tandem::insight
