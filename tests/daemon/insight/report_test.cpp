// The report on synthetic journals whose ground truth is known.
#include <catch2/catch.hpp>

#include "tests/daemon/insight/report_helpers.hpp"

using namespace tandem::insight;
using namespace tandem::insight::testing;

TEST_CASE("a balanced journal raises no pattern", "[report]") {
  JournalBuilder j(11);
  j.balanced(12, 4);
  Report r = run(j);
  CHECK(r.patterns.empty());
  const DimensionSection* h = section(r, 3);
  REQUIRE(h);
  CHECK(h->count.episodes == 48);
  CHECK(h->weeks.size() == 12);
  CHECK(r.dimensions.size() == 9);
}

TEST_CASE("complementary contributions both call fair are balance, not a pattern", "[report]") {
  JournalBuilder j(5);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 3; ++i) {
      j.contribution(j.logger(), kFirst, j.day(w, i), 3);   // Sam: household
      j.contribution(j.logger(), kSecond, j.day(w, i), 8);  // Alex: finances
    }
  SECTION("with both check-ins fair") {
    j.checkin(kFirst, 1);
    j.checkin(kSecond, 1);
    Report r = run(j);
    CHECK(r.patterns.empty());
    CHECK(section(r, 3)->count.reading == Reading::kFairToBoth);
    CHECK(section(r, 8)->count.reading == Reading::kFairToBoth);
  }
  SECTION("without them, the log alone shows the split") {
    Report r = run(j);
    CHECK(has_pattern(r, Topic::kContributions));
  }
}

TEST_CASE("one lopsided week in a balanced quarter raises no pattern", "[report]") {
  JournalBuilder j(21);
  j.balanced(13, 3);
  for (int i = 0; i < 16; ++i) j.contribution(j.logger(), kFirst, j.day(6, i % 7), 3);
  Report r = run(j, "13w");
  CHECK_FALSE(has_pattern(r, Topic::kContributions));
}

TEST_CASE("sparse data is not enough to tell, with about how many more", "[report]") {
  JournalBuilder j(2);
  for (int i = 0; i < 5; ++i) j.conflict(j.logger(), i < 4 ? kFirst : kSecond, j.day(i % 2, i));
  Report r = run(j);
  CHECK(r.patterns.empty());
  CHECK(r.across.raises_issues.reading == Reading::kNotEnoughYet);
  CHECK(r.across.raises_issues.more_needed >= 7);
  CHECK(r.across.raises_issues.more_weeks_needed == 2);
  bool listed = false;
  for (const auto& u : r.not_yet)
    if (u.topic == Topic::kRaisesIssues) {
      listed = true;
      CHECK(u.text.find("Not enough to tell yet") != std::string::npos);
      CHECK(u.text.find("more") != std::string::npos);
    }
  CHECK(listed);
}

TEST_CASE("weeks inside a context period are left out of patterns", "[report]") {
  JournalBuilder j(9);
  j.balanced(12, 2);
  // Alex was ill for five weeks; Sam took over the household.
  for (int w = 2; w < 7; ++w)
    for (int i = 0; i < 12; ++i) j.contribution(j.logger(), kFirst, j.day(w, i % 7), 3);
  SECTION("without the context entry the extra weeks make a pattern") {
    CHECK(has_pattern(run(j), Topic::kContributions));
  }
  SECTION("with it they do not") {
    j.context(kSecond, j.day(6, 0), j.day(2, 6));
    Report r = run(j);
    CHECK_FALSE(has_pattern(r, Topic::kContributions));
    CHECK(section(r, 3)->count.excluded_weeks == 5);
    CHECK(r.window.contexts.size() == 1);
    int flagged = 0;
    for (const auto& w : section(r, 3)->weeks) flagged += w.context;
    CHECK(flagged == 5);
  }
}

TEST_CASE("records sharing an episode id count once", "[report]") {
  JournalBuilder j(4);
  for (int w = 0; w < 10; ++w)
    for (int i = 0; i < 2; ++i) {
      const Member raiser = (w + i) % 2 ? kFirst : kSecond;
      EpisodeId ep{};
      ep[0] = static_cast<std::uint8_t>(w);
      ep[1] = static_cast<std::uint8_t>(i + 1);
      j.conflict(kFirst, raiser, j.day(w, i)).episode = ep;
      j.conflict(kSecond, raiser, j.day(w, i)).episode = ep;
    }
  Report r = run(j);
  CHECK(r.across.raises_issues.episodes == 20);
  CHECK(r.across.raises_issues.logged_by_reader == 20);
  CHECK(r.across.raises_issues.logged_by_partner == 20);
}

TEST_CASE("one partner's self-reports alone never raise a pattern in their favour", "[report]") {
  JournalBuilder j(6);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 3; ++i) j.contribution(kFirst, kFirst, j.day(w, i), 3);  // Sam about Sam
  SECTION("Sam's own records alone") {
    Report r = run(j);
    CHECK(r.patterns.empty());
    CHECK(section(r, 3)->count.reading == Reading::kSelfReportOnly);
    CHECK(section(r, 3)->count.logged_by_reader == 36);
  }
  SECTION("Alex's records of what Sam did can raise it") {
    for (int w = 0; w < 12; ++w)
      for (int i = 0; i < 2; ++i) j.contribution(kSecond, kFirst, j.day(w, i + 3), 3);
    Report r = run(j);
    CHECK(has_pattern(r, Topic::kContributions));
  }
  SECTION("a self-report against one's own favour still counts") {
    JournalBuilder k(6);
    for (int w = 0; w < 12; ++w)
      for (int i = 0; i < 3; ++i)
        k.contribution(kSecond, kFirst, k.day(w, i), 3);  // Alex: Sam did it
    CHECK(has_pattern(run(k), Topic::kContributions));
  }
}

TEST_CASE("sealed check-ins stay hidden until the partner's for the same period", "[report]") {
  JournalBuilder j(8);
  j.checkin(kSecond, 1, 2, /*sealed=*/true);  // Alex: unfair to me, sealed
  Report r = run(j);
  CHECK(r.perception.partner_period.empty());
  for (const auto& d : r.perception.dimensions) CHECK(d.partner == 0);
  REQUIRE(r.perception.sealed.size() == 1);
  CHECK(r.perception.sealed[0].who == Party::kPartner);
  j.checkin(kFirst, 1, 3, /*sealed=*/true);  // Sam's for the same week arrives
  Report both = run(j);
  CHECK(both.perception.sealed.empty());
  CHECK(both.perception.dimensions[2].partner == 2);
  CHECK(both.perception.dimensions[2].partner_tilt == -1);  // unfair to Alex, on Sam's axis
  CHECK(both.perception.dimensions[2].gap == 1);
}

TEST_CASE("sealed answers never soften a pattern before they are revealed", "[report]") {
  JournalBuilder j(12);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 3; ++i) j.contribution(j.logger(), kFirst, j.day(w, i), 3);
  j.checkin(kFirst, 1, 3);
  j.checkin(kSecond, 1, 3, true);
  j.snapshot().facts.back().detail_mut().period_week -= 1;  // Alex's sealed one is for another week
  Report r = run(j);
  CHECK(has_pattern(r, Topic::kContributions));
  CHECK(section(r, 3)->count.reading == Reading::kPattern);
}

TEST_CASE("aggregate entries count in the totals", "[report]") {
  JournalBuilder j(13);
  for (int w = 0; w < 8; ++w)
    for (int i = 0; i < 2; ++i)
      j.initiation(j.logger(), i ? kFirst : kSecond, j.day(w, i), 1).visibility =
          Visibility::kAggregate;
  Report r = run(j);
  CHECK(r.across.initiates.episodes == 16);
  CHECK(r.logged_by.aggregate_entries == 16);
}

TEST_CASE("private entries stay out unless asked for", "[report]") {
  JournalBuilder j(14);
  for (int w = 0; w < 4; ++w)
    j.conflict(kFirst, kFirst, j.day(w)).visibility = Visibility::kPrivate;
  Report r = run(j);
  CHECK(r.across.raises_issues.episodes == 0);
  CHECK(r.logged_by.private_excluded == 4);
}

TEST_CASE("at most three patterns, farthest from the fair band first", "[report]") {
  JournalBuilder j(15);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 3; ++i) {
      j.conflict(j.logger(), kFirst, j.day(w, i), kFirst, kFirst);
      j.initiation(j.logger(), kSecond, j.day(w, i), 3);
      j.support(j.logger(), j.coin(0.9) ? kSecond : kFirst, j.day(w, i));
      j.decision(j.logger(), kSecond, j.day(w, i));
    }
  Report r = run(j);
  REQUIRE(r.patterns.size() == 3);
  for (std::size_t i = 1; i < r.patterns.size(); ++i)
    CHECK(r.patterns[i - 1].distance >= r.patterns[i].distance);
  CHECK(r.across.support_given.reading == Reading::kPattern);
}

TEST_CASE("the appreciation flow says which contributions the other thanked", "[report]") {
  JournalBuilder j(16);
  Fact& done = j.contribution(kSecond, kSecond, j.day(1), 3);
  const EntryId id = done.id;
  j.contribution(kFirst, kFirst, j.day(1), 3);
  Fact& thanks = j.add(Kind::kAppreciation, kFirst, j.day(0), 9);
  thanks.actor = kSecond;
  thanks.detail_mut().refs.push_back(id);
  Report r = run(j);
  CHECK(r.appreciation.to_partner == 1);
  CHECK(r.appreciation.to_reader == 0);
  REQUIRE(r.appreciation.by_dimension.size() == 1);
  CHECK(r.appreciation.by_dimension[0].partner_thanked == 1);
  CHECK(r.appreciation.by_dimension[0].reader_thanked == 0);
  REQUIRE(r.appreciation.acknowledged.size() == 1);
  CHECK(r.appreciation.acknowledged[0].actor == Party::kPartner);
}
