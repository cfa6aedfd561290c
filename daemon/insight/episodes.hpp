// From facts to weekly tallies of episodes, one set per share question. This is where "count
// episodes, not taps" happens: records sharing an episode id merge into one episode (credited by
// the average of what its records say), every other record is an episode of its own.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/insight/snapshot.hpp"
#include "daemon/insight/stats.hpp"
#include "daemon/insight/topics.hpp"

namespace tandem::insight {

// Tallies of one share question. Weekly vectors are sorted by week, one element per week with an
// episode (context weeks included: the caller leaves them out before applying the rule).
struct Question {
  Topic topic = Topic::kContributions;
  Dimension dimension = 0;
  std::string area;      // sharedMoney
  std::string currency;  // sharedMoney: the first currency seen
  std::vector<WeekTally> all;
  // The episodes the partner *not* flattered by "member m does most of it" logged (at least one
  // record of): the corroboration a pattern with majority m needs (index m - 1).
  std::array<std::vector<WeekTally>, 2> without_self;
  // Records behind each week of `all` (same order), by who logged them: [member 1, member 2].
  std::vector<std::array<std::uint32_t, 2>> logged;
};

// The questions, in a fixed order: contributions per dimension (index dimension, 0..9; effort is
// the weighted view of the same tallies), mental load per dimension (10 + dimension), then one per
// cross-dimension topic, then shared money per expense area.
struct Questions {
  std::vector<Question> items;
  static constexpr int kMentalBase = 10;
  static constexpr int kCrossBase = 20;
  // Index of a cross-dimension topic (turnsToward .. datesPlanned, except sharedMoney).
  static int cross(Topic t);
  int money_begin() const { return kCrossBase + kCrossCount; }
  static constexpr int kCrossCount = 14;
};

// Which facts count: dated in [first_day, last_day], and not private unless include_private.
struct TallyScope {
  std::int32_t first_day = 0;
  std::int32_t last_day = 0;
  bool include_private = false;
};

// One linear pass over the facts (plus one over the episodes seen): every share question's
// weekly tallies. Borrows `facts` for the call only.
Questions tally(const std::vector<Fact>& facts, const TallyScope& scope);

// tally() kept between reports over one growing snapshot: a call reads only the facts appended
// since the last call when the scope is the same, and all of them otherwise. The result always
// equals tally(facts, scope). The owner must call reset() whenever facts already read were changed,
// removed or reordered (a snapshot whose facts were only appended to needs nothing); the memo also
// starts over by itself when the fact it read last is no longer where it was.
class TallyMemo {
 public:
  TallyMemo();
  ~TallyMemo();
  TallyMemo(TallyMemo&&) noexcept;
  TallyMemo& operator=(TallyMemo&&) noexcept;

  Questions tally(const std::vector<Fact>& facts, const TallyScope& scope);
  void reset();
  // How many facts the last tally() read (for tests and the benchmark).
  std::size_t last_read() const { return last_read_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::size_t last_read_ = 0;
};

}  // namespace tandem::insight
