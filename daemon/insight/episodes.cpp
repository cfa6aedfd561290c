#include "daemon/insight/episodes.hpp"

#include <cstring>
#include <unordered_map>

#include "daemon/insight/dates.hpp"

namespace tandem::insight {
namespace {

// A record's say on one question: the credit to member 1 (1, 0, or 1/2 for "both") and a weight.
struct Observation {
  int question;
  double credit1;
  double weight;
};

// One week of one question: every episode, and the episodes each member logged (at least one
// record of the episode logged by them).
struct WeekAcc {
  WeekTally all;
  WeekTally by_logger[2];  // [member - 1]
  std::array<std::uint32_t, 2> logged{};
};

struct EpisodeKey {
  int question;
  EpisodeId id;
  bool operator==(const EpisodeKey&) const = default;
};

struct EpisodeHash {
  std::size_t operator()(const EpisodeKey& k) const {
    std::uint64_t a, b;
    std::memcpy(&a, k.id.data(), 8);
    std::memcpy(&b, k.id.data() + 8, 8);
    return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ull) ^ b ^
                                    (static_cast<std::uint64_t>(k.question) << 56));
  }
};

struct EpisodeAcc {
  std::int32_t week;
  double credit1 = 0, weight = 0, weight1 = 0;
  int records = 0;
  std::uint8_t logged_mask = 0;
  std::array<std::uint32_t, 2> logged{};
};

double credit_of(Member m) {
  return m == kFirst ? 1.0 : m == kSecond ? 0.0 : 0.5;
}
bool is_member(Member m) {
  return m == kFirst || m == kSecond;
}
bool credited(Member m) {
  return m != kNoOne;
}

class Tallier {
 public:
  explicit Tallier(const TallyScope& scope)
      : scope_(scope),
        base_(week_of(scope.first_day)),
        weeks_(week_of(scope.last_day) - week_of(scope.first_day) + 1) {
    q_.resize(Questions::kCrossBase + Questions::kCrossCount);
    acc_.resize(q_.size());
    for (int d = 0; d <= kDimensions; ++d) {
      q_[d].topic = Topic::kContributions;
      q_[d].dimension = static_cast<Dimension>(d);
      q_[Questions::kMentalBase + d].topic = Topic::kMentalLoad;
      q_[Questions::kMentalBase + d].dimension = static_cast<Dimension>(d);
    }
    for (int t = 0; t < kTopics; ++t) {
      auto topic = static_cast<Topic>(t);
      int i = Questions::cross(topic);
      if (i >= 0) q_[i].topic = topic;
    }
  }

  int money(const Fact& f) {
    auto [it, fresh] = areas_.try_emplace(f.detail().text, static_cast<int>(q_.size()));
    if (fresh) {
      q_.emplace_back();
      q_.back().topic = Topic::kSharedMoney;
      q_.back().dimension = 8;
      q_.back().area = f.detail().text;
      q_.back().currency = f.detail().currency;
      acc_.emplace_back();
    }
    return it->second;
  }

  const TallyScope& scope() const { return scope_; }

  // Every observation `f` makes, when it is in scope.
  void add_fact(const Fact& f);

  void add(const Fact& f, const Observation& o) {
    const int logger = f.logged_by == kSecond ? 1 : 0;
    if (!f.has_episode()) {
      add_episode(o.question, f.week, o.credit1, o.weight, o.weight * o.credit1,
                  static_cast<std::uint8_t>(1u << logger),
                  {logger == 0 ? 1u : 0u, logger == 1 ? 1u : 0u});
      return;
    }
    auto [it, fresh] = episodes_.try_emplace(EpisodeKey{o.question, f.episode});
    EpisodeAcc& e = it->second;
    if (fresh || f.week < e.week) e.week = f.week;
    e.credit1 += o.credit1;
    e.weight += o.weight;
    e.weight1 += o.weight * o.credit1;
    ++e.records;
    e.logged_mask |= static_cast<std::uint8_t>(1u << logger);
    ++e.logged[logger];
  }

  // The questions as they stand; the Tallier is unchanged, so more facts may be added after.
  Questions finish() const {
    // Episodes of several records are credited by their average, so they join their week only
    // here, on a copy of the weeks they touch.
    std::vector<std::vector<WeekAcc>> merged(acc_.size());
    for (const auto& [key, e] : episodes_) {
      auto& weeks = merged[key.question];
      if (weeks.empty())
        weeks = acc_[key.question].empty() ? std::vector<WeekAcc>(weeks_) : acc_[key.question];
      const double r = e.records;
      add_episode(weeks, key.question, e.week, e.credit1 / r, e.weight / r, e.weight1 / r,
                  e.logged_mask, e.logged);
    }
    Questions out;
    out.items.reserve(q_.size());
    for (std::size_t qi = 0; qi < q_.size(); ++qi) {
      const Question& head = q_[qi];
      Question& q = out.items.emplace_back();
      q.topic = head.topic;
      q.dimension = head.dimension;
      q.area = head.area;
      q.currency = head.currency;
      const bool fm = majority_flattered(q.topic);
      const auto& weeks = merged[qi].empty() ? acc_[qi] : merged[qi];
      std::size_t used = 0;
      for (const WeekAcc& a : weeks) used += a.all.n > 0;
      q.all.reserve(used);
      q.logged.reserve(used);
      q.without_self[0].reserve(used);
      q.without_self[1].reserve(used);
      for (const WeekAcc& a : weeks) {
        if (a.all.n <= 0) continue;
        q.all.push_back(a.all);
        q.logged.push_back(a.logged);
        // A pattern with majority m flatters m, or the other partner for minority-flattered
        // topics; what the *other* partner logged must carry it too.
        for (int m = 1; m <= 2; ++m) {
          const Member flattered = fm ? static_cast<Member>(m) : other(static_cast<Member>(m));
          q.without_self[m - 1].push_back(a.by_logger[other(flattered) - 1]);
        }
      }
    }
    return out;
  }

 private:
  // Adds one episode to its week. mask: who logged its records (bit 0: member 1, bit 1: 2).
  void add_episode(int qi, std::int32_t week, double c1, double w, double w1, std::uint8_t mask,
                   std::array<std::uint32_t, 2> logged) {
    auto& weeks = acc_[qi];
    if (weeks.empty()) weeks.resize(weeks_);
    add_episode(weeks, qi, week, c1, w, w1, mask, logged);
  }
  void add_episode(std::vector<WeekAcc>& weeks, int, std::int32_t week, double c1, double w,
                   double w1, std::uint8_t mask, std::array<std::uint32_t, 2> logged) const {
    const auto idx = week - base_;
    if (idx < 0 || idx >= weeks_) return;
    WeekAcc& a = weeks[idx];
    auto put = [&](WeekTally& t) {
      t.week = week;
      t.n += 1;
      t.x += c1;
      t.w1 += w1;
      t.wt += w;
    };
    put(a.all);
    for (int l = 0; l < 2; ++l) {
      a.by_logger[l].week = week;
      if (mask & (1u << l)) put(a.by_logger[l]);
    }
    a.logged[0] += logged[0];
    a.logged[1] += logged[1];
  }

  TallyScope scope_;
  std::int32_t base_;
  std::int32_t weeks_;
  std::vector<Question> q_;
  std::vector<std::vector<WeekAcc>> acc_;
  std::unordered_map<std::string, int> areas_;
  std::unordered_map<EpisodeKey, EpisodeAcc, EpisodeHash> episodes_;
};

}  // namespace

int Questions::cross(Topic t) {
  const int v = static_cast<int>(t);
  if (v >= static_cast<int>(Topic::kTurnsToward) && v <= static_cast<int>(Topic::kSupportGiven))
    return kCrossBase + v - static_cast<int>(Topic::kTurnsToward);
  if (t == Topic::kDatesRemembered) return kCrossBase + 12;
  if (t == Topic::kDatesPlanned) return kCrossBase + 13;
  return -1;
}

void Tallier::add_fact(const Fact& f) {
  if (f.day < scope_.first_day || f.day > scope_.last_day) return;
  if (f.visibility == Visibility::kPrivate && !scope_.include_private) return;
  Tallier& t = *this;
  auto obs = [&](const Fact& g, Topic topic, Member m, double w = 1.0) {
    if (credited(m)) t.add(g, {Questions::cross(topic), credit_of(m), w});
  };
  switch (f.kind) {
    case Kind::kContribution:
      if (!credited(f.actor)) break;
      t.add(f, {f.dimension, credit_of(f.actor), static_cast<double>(f.effort ? f.effort : 1)});
      if (f.phase != 0 && f.phase != 4)  // every phase but execute
        t.add(f, {Questions::kMentalBase + f.dimension, credit_of(f.actor),
                  static_cast<double>(f.effort ? f.effort : 1)});
      break;
    case Kind::kBid:
      obs(f, Topic::kBids, f.actor);
      if (f.sub == 1 && is_member(f.actor)) obs(f, Topic::kTurnsToward, other(f.actor));
      break;
    case Kind::kInitiation:
      // Important talks are their own question, so one habit never raises two patterns.
      obs(f, f.sub == 3 ? Topic::kImportantTalks : Topic::kInitiates, f.actor);
      break;
    case Kind::kConflict:
      obs(f, Topic::kRaisesIssues, f.actor);
      if (!f.detail().repairs.empty()) obs(f, Topic::kRepairsFirst, f.detail().repairs.front().by);
      obs(f, Topic::kApologisesFirst, f.second);
      if (f.sub == 2 || f.sub == 3)
        obs(f, Topic::kYields, f.yielded_author ? f.author : other(f.author));
      break;
    case Kind::kBoundary:
      if (f.sub == 2) obs(f, Topic::kBoundariesCrossed, f.actor);
      break;
    case Kind::kDecision:
      if (f.sub == 1 || f.sub == 2) obs(f, Topic::kPreferencesPrevail, f.actor);
      if (f.sub == 3 || f.sub == 4) obs(f, Topic::kPreferencesPrevail, kBoth);
      break;
    case Kind::kGoal:
      if (is_member(f.actor) && f.second == other(f.actor)) obs(f, Topic::kGoalsSupported, f.actor);
      break;
    case Kind::kSupport:
      if (is_member(f.actor) && f.second != f.actor) obs(f, Topic::kSupportGiven, f.actor);
      break;
    case Kind::kExpense:
      if (credited(f.actor) && f.detail().amount_cents > 0)
        t.add(f, {t.money(f), credit_of(f.actor), static_cast<double>(f.detail().amount_cents)});
      break;
    case Kind::kImportantDate:
      obs(f, Topic::kDatesRemembered, f.actor);
      obs(f, Topic::kDatesPlanned, f.second);
      break;
    default:
      break;
  }
}

Questions tally(const std::vector<Fact>& facts, const TallyScope& scope) {
  Tallier t(scope);
  for (const Fact& f : facts) t.add_fact(f);
  return t.finish();
}

struct TallyMemo::State {
  explicit State(const TallyScope& scope) : tallier(scope) {}
  Tallier tallier;
  FactsSeen seen;  // what is in `tallier`
};

TallyMemo::TallyMemo() = default;
TallyMemo::~TallyMemo() = default;
TallyMemo::TallyMemo(TallyMemo&&) noexcept = default;
TallyMemo& TallyMemo::operator=(TallyMemo&&) noexcept = default;

void TallyMemo::reset() {
  state_.reset();
}

Questions TallyMemo::tally(const std::vector<Fact>& facts, const TallyScope& scope) {
  const bool same_scope = state_ && state_->tallier.scope().first_day == scope.first_day &&
                          state_->tallier.scope().last_day == scope.last_day &&
                          state_->tallier.scope().include_private == scope.include_private;
  if (!same_scope || !state_->seen.still_prefix(facts)) state_ = std::make_unique<State>(scope);
  last_read_ = facts.size() - state_->seen.count;
  for (std::size_t i = state_->seen.count; i < facts.size(); ++i)
    state_->tallier.add_fact(facts[i]);
  state_->seen.mark(facts);
  return state_->tallier.finish();
}

}  // namespace tandem::insight
