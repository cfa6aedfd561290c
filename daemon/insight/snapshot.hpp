// The insight module's input: a read snapshot of materialized entries as plain structs. The store
// (or a test) fills a Snapshot; everything downstream is a pure function of it, so reports are
// reproducible and need no I/O, clock or database.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tandem::insight {

// A member of the couple: 1 or 2. Parties in a Fact are resolved to these (kNoOne when the body
// left the role unset, kBoth for "both"). Member ids are fixed per space, not per reader.
using Member = std::uint8_t;
inline constexpr Member kNoOne = 0;
inline constexpr Member kFirst = 1;
inline constexpr Member kSecond = 2;
inline constexpr Member kBoth = 3;

// The other member of the couple; kNoOne and kBoth map to themselves.
constexpr Member other(Member m) {
  return m == kFirst ? kSecond : m == kSecond ? kFirst : m;
}

// Mirrors schema::Dimension's ordinals (0 unset, 1 support .. 9 maintenance).
using Dimension = std::uint8_t;
inline constexpr int kDimensions = 9;

// Entry kinds the report reads (edit and retract never reach a snapshot: it holds bodies with
// edits applied and retracted entries dropped).
enum class Kind : std::uint8_t {
  kContribution,
  kCard,
  kAppreciation,
  kBid,
  kSupport,
  kInitiation,
  kConflict,
  kBoundary,
  kGoal,
  kDecision,
  kExpense,
  kAgreement,
  kImportantDate,
  kCheckin,
  kContext,
};

// Mirrors schema::Visibility.
enum class Visibility : std::uint8_t { kShared, kAggregate, kPrivate };

// A stable entry id: the writing device and its sequence number ("<device hex>-<seq>").
struct EntryId {
  std::uint64_t device = 0;
  std::uint64_t seq = 0;
  bool operator==(const EntryId&) const = default;
  bool known() const { return device != 0 || seq != 0; }
};

// An optional 16-byte episode id; all zero means "no episode": the entry is its own episode.
using EpisodeId = std::array<std::uint8_t, 16>;

// One repair attempt inside a conflict.
struct RepairFact {
  Member by = kNoOne;
  std::uint8_t kind = 0;  // schema::RepairKind ordinal
  bool accepted = false;
};

// Owns at most one T on the heap; a copy copies the T (so a Fact copies like a value).
template <class T>
class DeepPtr {
 public:
  DeepPtr() = default;
  DeepPtr(const DeepPtr& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  DeepPtr(DeepPtr&&) noexcept = default;
  DeepPtr& operator=(const DeepPtr& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  DeepPtr& operator=(DeepPtr&&) noexcept = default;
  T* get() const { return p_.get(); }
  T* get_or_make() {
    if (!p_) p_ = std::make_unique<T>();
    return p_.get();
  }

 private:
  std::unique_ptr<T> p_;
};

// Fields only some kinds carry (conflicts, thanks for named entries, money, cards, dates,
// check-ins, context periods), kept out of line so that a snapshot of a million facts stays small.
struct FactDetail {
  std::vector<RepairFact> repairs;  // conflict
  std::vector<EntryId> refs;        // appreciation: the entries the thanks is for

  std::int64_t amount_cents = 0;    // expense
  std::uint8_t agreed_percent = 0;  // agreement: the author's agreed share 0..100
  std::string text;                 // card title, expense/agreement area, important date title
  std::string currency;             // expense
  std::int32_t from_day = 0;        // card from, context from, important date's first occurrence
  std::int32_t until_day = 0;       // card until (0: open), context until (inclusive)

  // Check-in: fairness per dimension relative to the author (schema::Fairness ordinal, index
  // 1..9; 0 unset), the ISO week it is for, and the mutual-reveal seal.
  std::array<std::uint8_t, kDimensions + 1> fairness{};
  std::int32_t period_week = 0;
  std::uint8_t appreciated = 0;
  std::uint8_t loaded = 0;
  std::uint8_t satisfaction = 0;
  bool sealed = false;
};

// One materialized entry, every party resolved to member ids. Field groups below are used by the
// named kinds only and left at their defaults otherwise. Ratings are 1..5, 0 when not given.
// 64 bytes, plus a FactDetail for the kinds that need one (detail()).
struct Fact {
  Kind kind = Kind::kContribution;
  Member author = kFirst;     // the member whose device signed the record
  Member logged_by = kFirst;  // who recorded it; the author today, kept apart for imports
  Dimension dimension = 0;    // the entry's dimension, derived from the kind when unset
  Visibility visibility = Visibility::kShared;
  Member people = kNoOne;  // Entry.people

  // The kind's main actor: contribution actor, card owner, appreciation recipient, bidder,
  // supporter (gave), initiator, conflict raiser, boundary holder, goal holder, decision winner
  // (kNoOne for a blend or new option), payer, who remembered an important date.
  Member actor = kNoOne;
  // A second role: who needed support, who supported a goal, who planned a date, who apologised
  // first in a conflict.
  Member second = kNoOne;

  std::uint8_t effort = 0;      // contribution 1..3
  std::uint8_t phase = 0;       // contribution: schema::Phase ordinal
  std::uint8_t sub = 0;         // bid response, support form, initiation what, card scope, conflict
                                // outcome, boundary event, decision prevailed, date recurrence
  std::uint8_t sub2 = 0;        // initiation reception
  std::uint8_t rating = 0;      // bid heard, support helpful, goal supported
  bool yielded_author = false;  // conflict: outcome yieldedMe (true) / yieldedPartner (false)

  std::int32_t day = 0;   // the date it happened, days since 1970-01-01
  std::int32_t week = 0;  // ISO week index of `day` (see dates.hpp)
  EntryId id;             // may be unknown (tests)
  EpisodeId episode{};

  // The kind-specific fields: all defaults when none were set. Valid while the Fact lives.
  const FactDetail& detail() const { return detail_.get() ? *detail_.get() : kNoDetail; }
  bool has_detail() const { return detail_.get() != nullptr; }
  // The same for writing; allocates them on first use.
  FactDetail& detail_mut() { return *detail_.get_or_make(); }

  bool has_episode() const {
    for (auto b : episode)
      if (b != 0) return true;
    return false;
  }

 private:
  inline static const FactDetail kNoDetail{};
  DeepPtr<FactDetail> detail_;
};
static_assert(sizeof(Fact) <= 64, "a snapshot holds one Fact per entry: keep it small");

// Kinds the report reads in small passes of their own (check-ins, context periods, agreements,
// thanks, important dates, cards), besides the pass over every fact.
constexpr bool read_apart(Kind k) {
  return k == Kind::kCheckin || k == Kind::kContext || k == Kind::kAgreement ||
         k == Kind::kAppreciation || k == Kind::kImportantDate || k == Kind::kCard;
}

// How far a memo kept over a growing list of facts has read it: the first `count` facts, the
// last of which had `last_id` and `last_day`. Memos read only what was appended since; their
// owner resets them when facts already read change, and still_prefix() notices the plainer cases
// of a list that changed under them (the fact last read is gone, moved or redated).
struct FactsSeen {
  std::size_t count = 0;
  EntryId last_id;
  std::int32_t last_day = 0;

  bool still_prefix(const std::vector<Fact>& facts) const {
    if (facts.size() < count) return false;
    return count == 0 || (facts[count - 1].id == last_id && facts[count - 1].day == last_day);
  }
  void mark(const std::vector<Fact>& facts) {
    count = facts.size();
    if (!facts.empty()) {
      last_id = facts.back().id;
      last_day = facts.back().day;
    }
  }
};

// Everything the report reads. Owns its facts; build_report borrows it for the call only.
struct Snapshot {
  Member reader = kFirst;            // whose daemon answers: parties in the report are relative
  std::array<std::string, 2> names;  // names[0] for member 1, names[1] for member 2
  std::vector<Fact> facts;           // any order
};

}  // namespace tandem::insight
