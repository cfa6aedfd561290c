#include "daemon/insight/flows.hpp"

#include <algorithm>
#include <map>

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

void add_flows(const std::vector<Fact>& facts, const FlowScope& s, Report& rep) {
  const Member reader = s.reader;
  auto in_window = [&](const Fact& f) { return f.day >= s.since_day && f.day <= s.until_day; };
  auto visible = [&](const Fact& f) {
    return s.include_private || f.visibility != Visibility::kPrivate;
  };
  const std::int32_t first_week = week_of(s.since_day);
  const std::size_t nweeks = static_cast<std::size_t>(week_of(s.until_day) - first_week + 1);
  AppreciationFlow& ap = rep.appreciation;
  ap.weekly_to_reader.assign(nweeks, 0);
  ap.weekly_to_partner.assign(nweeks, 0);

  // Pass 1: which entries each member thanked (bit 0: member 1, bit 1: member 2), sorted by id
  // for the lookups of pass 2 (most journals thank a small part of what they log).
  std::vector<std::pair<EntryId, std::uint8_t>> thanked;
  for (const Fact& f : facts) {
    if (f.kind != Kind::kAppreciation || !visible(f) || f.day > s.until_day) continue;
    for (const EntryId& id : f.detail().refs)
      thanked.emplace_back(id, static_cast<std::uint8_t>(1u << (f.author - 1)));
    if (!in_window(f)) continue;
    const bool to_reader = f.actor == reader;
    (to_reader ? ap.to_reader : ap.to_partner)++;
    (to_reader ? ap.weekly_to_reader : ap.weekly_to_partner)[f.week - first_week]++;
  }

  auto id_less = [](const EntryId& l, const EntryId& r) {
    return l.device != r.device ? l.device < r.device : l.seq < r.seq;
  };
  std::sort(thanked.begin(), thanked.end(),
            [&](const auto& l, const auto& r) { return id_less(l.first, r.first); });
  // Who thanked an entry: the masks of its thanks or'ed together (0: nobody).
  auto thanked_by = [&](const EntryId& id) -> std::uint8_t {
    auto it =
        std::lower_bound(thanked.begin(), thanked.end(), id,
                         [&](const auto& t, const EntryId& v) { return id_less(t.first, v); });
    std::uint8_t mask = 0;
    for (; it != thanked.end() && it->first == id; ++it) mask |= it->second;
    return mask;
  };

  // Pass 2: everything else inside the window.
  std::array<AcknowledgedCounts, kDimensions + 1> acks{};
  std::vector<const Fact*> acknowledged;  // worded after the sort, only the newest few
  std::map<std::string, const Fact*> date_latest, date_remembered, date_planned;
  Across& a = rep.across;
  LoggedBy& lb = rep.logged_by;
  std::array<DimensionSection*, kDimensions + 1> sections{};
  for (auto& sec : rep.dimensions)
    if (sec.dimension <= kDimensions && !sections[sec.dimension]) sections[sec.dimension] = &sec;
  auto section = [&](Dimension d) { return d <= kDimensions ? sections[d] : nullptr; };
  for (auto& sec : rep.dimensions)
    for (std::uint8_t ph = 1; ph <= 5; ++ph) sec.phases.push_back({ph, 0, 0});
  for (const Fact& f : facts) {
    if (!visible(f)) {
      if (in_window(f) && f.author == reader) ++lb.private_excluded;
      continue;
    }
    if (f.kind == Kind::kImportantDate && f.day <= s.until_day) {
      auto newer = [&](std::map<std::string, const Fact*>& m) {
        const Fact*& cur = m[f.detail().text];
        if (cur == nullptr || f.day >= cur->day) cur = &f;
      };
      newer(date_latest);
      if (f.actor != kNoOne && f.day <= s.today) newer(date_remembered);
      if (f.second != kNoOne && f.day <= s.today) newer(date_planned);
    }
    if (f.kind == Kind::kCard && f.detail().from_day <= s.until_day &&
        (f.detail().until_day == 0 || f.detail().until_day >= s.until_day))
      if (DimensionSection* sec = section(f.dimension))
        sec->cards.push_back(
            {f.detail().text, party_of(f.actor, reader), f.sub,
             format_iso_date(f.detail().from_day),
             f.detail().until_day ? format_iso_date(f.detail().until_day) : std::string()});
    if (!in_window(f)) continue;
    (f.logged_by == reader ? lb.reader_entries : lb.partner_entries)++;
    if (about_other(f))
      (f.logged_by == reader ? lb.reader_about_partner : lb.partner_about_reader)++;
    if (f.visibility == Visibility::kAggregate) ++lb.aggregate_entries;
    const bool by_reader = f.actor == reader;
    switch (f.kind) {
      case Kind::kContribution: {
        if (DimensionSection* sec = section(f.dimension); sec && f.phase >= 1 && f.phase <= 5) {
          PhaseCounts& pc = sec->phases[f.phase - 1];
          const double r = f.actor == kBoth ? 0.5 : by_reader ? 1.0 : 0.0;
          if (f.actor != kNoOne) {
            pc.reader += r;
            pc.partner += 1.0 - r;
          }
        }
        if (f.actor != kFirst && f.actor != kSecond) break;
        AcknowledgedCounts& ac = acks[f.dimension <= kDimensions ? f.dimension : 0];
        const std::uint8_t by = f.id.known() && !thanked.empty() ? thanked_by(f.id) : 0;
        const bool thanks = (by & (1u << (other(f.actor) - 1))) != 0;
        (by_reader ? ac.reader_done : ac.partner_done)++;
        if (thanks) {
          (by_reader ? ac.reader_thanked : ac.partner_thanked)++;
          acknowledged.push_back(&f);
        }
        break;
      }
      case Kind::kBid: {
        if (f.actor != kFirst && f.actor != kSecond) break;
        BidFlow& b = a.bid_flow;
        (by_reader ? b.reader_bids : b.partner_bids)++;
        if (f.sub == 1) (by_reader ? b.reader_toward : b.partner_toward)++;
        if (f.sub == 2) (by_reader ? b.reader_away : b.partner_away)++;
        if (f.sub == 3) (by_reader ? b.reader_against : b.partner_against)++;
        break;
      }
      case Kind::kConflict: {
        for (const RepairFact& r : f.detail().repairs) {
          if (r.by == reader) {
            ++a.repairs.reader_repairs;
            a.repairs.reader_accepted += r.accepted;
          } else if (r.by == other(reader)) {
            ++a.repairs.partner_repairs;
            a.repairs.partner_accepted += r.accepted;
          }
        }
        ConflictEndings& e = a.endings;
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
          count_boundary(by_reader ? a.reader_boundaries : a.partner_boundaries, f.sub);
        break;
      case Kind::kDecision:
        a.blends += f.sub == 3;
        a.new_options += f.sub == 4;
        break;
      case Kind::kExpense:
        for (MoneyArea& m : a.money) {
          if (m.area != f.detail().text) continue;
          const std::int64_t c = f.detail().amount_cents;
          if (f.actor == kBoth) {
            m.reader_cents += c / 2;
            m.partner_cents += c - c / 2;
          } else if (f.actor != kNoOne) {
            (by_reader ? m.reader_cents : m.partner_cents) += c;
          }
        }
        break;
      default:
        break;
    }
  }
  for (Dimension d = 1; d <= kDimensions; ++d) {
    acks[d].dimension = d;
    if (acks[d].reader_done + acks[d].partner_done > 0) ap.by_dimension.push_back(acks[d]);
  }
  std::stable_sort(acknowledged.begin(), acknowledged.end(),
                   [](const Fact* l, const Fact* r) { return l->day > r->day; });
  for (std::size_t i = 0; i < acknowledged.size() && i < kMaxAcknowledged; ++i) {
    const Fact& f = *acknowledged[i];
    ap.acknowledged.push_back(
        {id_text(f.id), party_of(f.actor, reader), f.dimension, format_iso_date(f.day)});
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
