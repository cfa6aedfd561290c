// Synthetic journals for the insight tests: Facts built directly (no store, no capnp), with a
// seeded generator so every journal is reproducible. The same patterns as
// tests/sample/make_journal.py, at the level of facts.
#pragma once

#include <cstdint>
#include <random>

#include "daemon/insight/dates.hpp"
#include "daemon/insight/snapshot.hpp"

namespace tandem::insight::testing {

// Two partners, Sam (member 1) and Alex (member 2); today is Sunday 2026-03-29 unless told.
class JournalBuilder {
 public:
  explicit JournalBuilder(std::uint64_t seed = 1, std::int32_t today = days_from_civil(2026, 3, 29))
      : rng_(seed), today_(today) {
    snap_.names = {"Sam", "Alex"};
  }

  std::int32_t today() const { return today_; }
  Snapshot& snapshot() { return snap_; }
  // A day in the week `weeks_ago` weeks before this one (0: this week), Monday + offset.
  std::int32_t day(int weeks_ago, int offset = 2) const {
    return week_start(week_of(today_) - weeks_ago) + offset;
  }
  std::mt19937_64& rng() { return rng_; }
  bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  // Who logs an entry: both partners, at random, unless told.
  Member logger() { return coin(0.5) ? kFirst : kSecond; }

  Fact& add(Kind k, Member logged_by, std::int32_t d, Dimension dim) {
    Fact f;
    f.kind = k;
    f.author = f.logged_by = logged_by;
    f.day = d;
    f.week = week_of(d);
    f.dimension = dim;
    f.id = {logged_by, ++seq_};
    snap_.facts.push_back(f);
    return snap_.facts.back();
  }
  Fact& contribution(Member logged_by, Member actor, std::int32_t d, Dimension dim = 3,
                     std::uint8_t phase = 4, std::uint8_t effort = 2) {
    Fact& f = add(Kind::kContribution, logged_by, d, dim);
    f.actor = actor;
    f.phase = phase;
    f.effort = effort;
    return f;
  }
  Fact& conflict(Member logged_by, Member raised_by, std::int32_t d, Member apologised = kNoOne,
                 Member first_repair = kNoOne) {
    Fact& f = add(Kind::kConflict, logged_by, d, 6);
    f.actor = raised_by;
    f.second = apologised;
    f.sub = 1;  // compromise
    if (first_repair != kNoOne) f.detail_mut().repairs.push_back({first_repair, 1, true});
    return f;
  }
  Fact& initiation(Member logged_by, Member initiator, std::int32_t d, std::uint8_t what = 2) {
    Fact& f = add(Kind::kInitiation, logged_by, d, 5);
    f.actor = initiator;
    f.sub = what;
    f.sub2 = 1;
    return f;
  }
  Fact& bid(Member logged_by, Member bidder, std::int32_t d, bool toward) {
    Fact& f = add(Kind::kBid, logged_by, d, 5);
    f.actor = bidder;
    f.sub = toward ? 1 : 2;
    return f;
  }
  Fact& support(Member logged_by, Member gave, std::int32_t d) {
    Fact& f = add(Kind::kSupport, logged_by, d, 1);
    f.actor = gave;
    f.second = other(gave);
    f.sub = 1;
    return f;
  }
  Fact& decision(Member logged_by, Member prevailed, std::int32_t d) {
    Fact& f = add(Kind::kDecision, logged_by, d, 8);
    f.actor = prevailed;
    f.sub = prevailed == kNoOne ? 3 : prevailed == logged_by ? 1 : 2;
    return f;
  }
  Fact& checkin(Member author, int weeks_ago, std::uint8_t fairness_all = 3, bool sealed = false) {
    Fact& f = add(Kind::kCheckin, author, day(weeks_ago, 6), 9);
    f.actor = author;
    f.detail_mut().period_week = f.week;
    for (int d = 1; d <= kDimensions; ++d) f.detail_mut().fairness[d] = fairness_all;
    f.detail_mut().appreciated = 4;
    f.detail_mut().loaded = 3;
    f.detail_mut().satisfaction = 4;
    f.detail_mut().sealed = sealed;
    return f;
  }
  Fact& context(Member logged_by, std::int32_t from, std::int32_t until) {
    Fact& f = add(Kind::kContext, logged_by, from, 0);
    f.detail_mut().text = "illness";
    f.detail_mut().from_day = from;
    f.detail_mut().until_day = until;
    return f;
  }

  // A balanced background over `weeks` weeks: household tasks, conflicts, initiations, bids,
  // support and decisions, each a fair coin between the two, logged by either partner.
  void balanced(int weeks, int per_week = 3) {
    for (int w = 0; w < weeks; ++w) {
      for (int i = 0; i < per_week; ++i) {
        contribution(logger(), coin(0.5) ? kFirst : kSecond, day(w, pick(0, 6)), 3,
                     static_cast<std::uint8_t>(pick(1, 5)));
      }
      conflict(logger(), coin(0.5) ? kFirst : kSecond, day(w, pick(0, 6)),
               coin(0.5) ? kFirst : kSecond, coin(0.5) ? kFirst : kSecond);
      initiation(logger(), coin(0.5) ? kFirst : kSecond, day(w, pick(0, 6)),
                 static_cast<std::uint8_t>(coin(0.3) ? 3 : 2));
      const Member b = coin(0.5) ? kFirst : kSecond;
      bid(logger(), b, day(w, pick(0, 6)), coin(0.7));
      support(logger(), coin(0.5) ? kFirst : kSecond, day(w, pick(0, 6)));
      decision(logger(), coin(0.5) ? kFirst : kSecond, day(w, pick(0, 6)));
    }
  }

 private:
  Snapshot snap_;
  std::mt19937_64 rng_;
  std::int32_t today_;
  std::uint64_t seq_ = 0;
};

}  // namespace tandem::insight::testing
