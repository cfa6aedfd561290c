// Each of the design's warning signs, alone in an otherwise balanced journal, raises exactly its
// own pattern, worded as an observation with evidence, a question and a suggestion.
#include <catch2/catch.hpp>

#include "tests/daemon/insight/report_helpers.hpp"

using namespace tandem::insight;
using namespace tandem::insight::testing;

namespace {

// Twelve quiet weeks of balanced life, then the sign, logged by both partners.
Report with_sign(void (*sign)(JournalBuilder&, int week), std::uint64_t seed = 7) {
  JournalBuilder j(seed);
  j.balanced(12, 2);
  for (int w = 0; w < 12; ++w) sign(j, w);
  return run(j);
}

void check_only(const Report& r, Topic t, Party who) {
  INFO("patterns: " << r.patterns.size());
  for (const auto& p : r.patterns) INFO(p.text);
  REQUIRE(r.patterns.size() == 1);
  const PatternView& p = r.patterns.front();
  CHECK(p.topic == t);
  CHECK(p.who == who);
  CHECK(p.text.rfind("Over the last ", 0) == 0);
  CHECK_FALSE(p.question.empty());
  CHECK_FALSE(p.suggestion.empty());
  CHECK(p.low > 0.6);
}

}  // namespace

TEST_CASE("one partner consistently initiates important conversations", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    for (int i = 0; i < 2; ++i)
      j.initiation(j.logger(), j.coin(0.92) ? kFirst : kSecond, j.day(w, i), 3);
  });
  check_only(r, Topic::kImportantTalks, Party::kMe);
}

TEST_CASE("the same person always apologises first", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    // Balanced background conflicts already carry apologies; these add Alex's first apologies.
    for (int i = 0; i < 3; ++i)
      j.conflict(j.logger(), j.coin(0.5) ? kFirst : kSecond, j.day(w, i), kSecond);
  });
  // The background's 12 coin-flip apologies dilute it; still clearly Alex.
  check_only(r, Topic::kApologisesFirst, Party::kPartner);
  CHECK(r.patterns[0].text.find("Alex apologised first in") != std::string::npos);
}

TEST_CASE("one partner's preferences consistently prevail", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    for (int i = 0; i < 3; ++i) j.decision(j.logger(), kSecond, j.day(w, i));
  });
  check_only(r, Topic::kPreferencesPrevail, Party::kPartner);
}

TEST_CASE("the mental load falls to one person", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    // Sam anticipates, decides and monitors; Alex executes: the count stays even.
    for (int i = 0; i < 3; ++i) {
      j.contribution(j.logger(), kFirst, j.day(w, i), 3,
                     static_cast<std::uint8_t>(i == 0   ? 1
                                               : i == 1 ? 3
                                                        : 5));
      j.contribution(j.logger(), kSecond, j.day(w, i), 3, 4);
    }
  });
  check_only(r, Topic::kMentalLoad, Party::kMe);
  CHECK(r.patterns[0].dimension == 3);
  const DimensionSection* h = section(r, 3);
  REQUIRE(h);
  CHECK(h->count.reading != Reading::kPattern);
}

TEST_CASE("one partner must earn care the other receives freely", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    for (int i = 0; i < 4; ++i) {
      j.bid(j.logger(), kSecond, j.day(w, i), true);        // Sam turns toward Alex's bids
      j.bid(j.logger(), kFirst, j.day(w, i), j.coin(0.1));  // Alex rarely turns toward Sam's
    }
  });
  check_only(r, Topic::kTurnsToward, Party::kMe);
}

TEST_CASE("emotional support in hard times comes from one side", "[signs]") {
  Report r = with_sign([](JournalBuilder& j, int w) {
    for (int i = 0; i < 4; ++i) j.support(j.logger(), kSecond, j.day(w, i));
  });
  check_only(r, Topic::kSupportGiven, Party::kPartner);
}

TEST_CASE("the pattern reads from the reader's side when Alex asks", "[signs]") {
  JournalBuilder j(3);
  j.snapshot().reader = kSecond;
  j.balanced(12, 2);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 4; ++i) j.conflict(j.logger(), kFirst, j.day(w, i), kNoOne);
  Report r = run(j);
  REQUIRE(r.patterns.size() == 1);
  CHECK(r.patterns[0].topic == Topic::kRaisesIssues);
  CHECK(r.patterns[0].who == Party::kPartner);
  CHECK(r.patterns[0].who_name == "Sam");
  CHECK(r.reader_name == "Alex");
  CHECK(r.across.raises_issues.share < 0.4);
}
