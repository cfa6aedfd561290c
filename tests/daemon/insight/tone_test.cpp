// Every string the report can produce, scanned for words tandem never says.
#include <catch2/catch.hpp>

#include "daemon/insight/wording.hpp"
#include "tests/daemon/insight/report_helpers.hpp"
#include "tests/daemon/insight/tone.hpp"

using namespace tandem::insight;
using namespace tandem::insight::testing;

namespace {

void scan(const std::string& s) {
  INFO(s);
  CHECK(forbidden_in(s).empty());
}

void scan(const Report& r) {
  for (const auto& p : r.patterns) {
    scan(p.text);
    scan(p.evidence);
    scan(p.question);
    scan(p.suggestion);
  }
  for (const auto& u : r.not_yet) scan(u.text);
}

}  // namespace

TEST_CASE("the forbidden-word scan catches what it should", "[tone]") {
  CHECK_FALSE(forbidden_in("Sam owes Alex three dinners").empty());
  CHECK_FALSE(forbidden_in("Your SCORE this week").empty());
  CHECK(forbidden_in("underscored: balanced, appointed").empty());
}

TEST_CASE("every pattern and every unclear line is free of forbidden words", "[tone]") {
  // Every topic lopsided each way, plus sparse, one-busy-week, self-reported and fair-to-both.
  for (int t = 0; t < kTopics; ++t) {
    for (Member who : {kFirst, kSecond}) {
      PatternFacts f;
      f.topic = static_cast<Topic>(t);
      f.dimension = 3;
      f.area = "rent";
      f.who = who == kFirst ? "Sam" : "Alex";
      f.other = who == kFirst ? "Alex" : "Sam";
      f.count = 17;
      f.episodes = 20;
      f.share = 0.85;
      f.low = 0.65;
      f.high = 0.95;
      f.weeks = 9;
      f.lookback_weeks = 12;
      f.band_from_agreement = t % 2 == 0;
      PatternView p;
      word_pattern(f, p);
      scan(p.text);
      scan(p.evidence);
      scan(p.question);
      scan(p.suggestion);
      for (Dimension d = 0; d <= kDimensions; ++d) {
        scan(topic_label(f.topic, d, "rent"));
        for (int rd = 0; rd < 6; ++rd)
          for (bool capped : {false, true}) {
            ShareView s;
            s.topic = f.topic;
            s.dimension = d;
            s.area = "rent";
            s.reading = static_cast<Reading>(rd);
            s.episodes = 7;
            s.more_needed = 9;
            s.more_needed_capped = capped;
            s.more_weeks_needed = static_cast<std::uint32_t>(rd % 3);
            scan(word_unclear(s));
          }
      }
    }
  }
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    JournalBuilder j(seed);
    j.balanced(static_cast<int>(seed % 14), 3);
    for (int w = 0; w < 12; ++w) {
      j.conflict(j.logger(), kFirst, j.day(w), kSecond, kFirst);
      j.initiation(kFirst, kFirst, j.day(w), 3);
    }
    scan(run(j));
  }
}
