// The module's edges: entry bodies in, requests in, capnp out; and staying linear.
#include <capnp/message.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "daemon/insight/from_entry.hpp"
#include "daemon/insight/to_capnp.hpp"
#include "tests/daemon/insight/report_helpers.hpp"

using namespace tandem;
using namespace tandem::insight;
using namespace tandem::insight::testing;

TEST_CASE("a stored body's parties are resolved relative to its author", "[from_entry]") {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Entry>();
  auto c = e.getKind().initContribution();
  c.setActor(schema::Party::PARTNER);
  c.setEffort(9);
  c.setPhase(schema::Phase::DECIDE);
  e.setDate("2026-03-02");
  e.setNote("never read");
  auto ep = e.initEpisode(16);
  ep[0] = 7;
  auto f = fact_from_entry(e.asReader(), kSecond, {0xab, 4});
  REQUIRE(f.ok());
  CHECK(f->actor == kFirst);  // Alex wrote "partner": Sam did it
  CHECK(f->author == kSecond);
  CHECK(f->effort == 3);
  CHECK(f->phase == 3);
  CHECK(f->dimension == 3);  // household, derived from the kind
  CHECK(f->has_episode());
  CHECK(f->week == week_of(*parse_iso_date("2026-03-02")));
}

TEST_CASE("from_entry refuses what a snapshot never holds", "[from_entry]") {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Entry>();
  e.getKind().initRetract();
  e.setDate("2026-03-02");
  CHECK(fact_from_entry(e.asReader(), kFirst).error().code == Code::kInvalidArgument);
  e.getKind().initBid();
  e.setDate("yesterday");
  CHECK_FALSE(fact_from_entry(e.asReader(), kFirst).ok());
  e.setDate("2026-03-02");
  CHECK_FALSE(fact_from_entry(e.asReader(), 3).ok());
}

TEST_CASE("check-in and conflict bodies keep what the report needs", "[from_entry]") {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Entry>();
  auto k = e.getKind().initCheckin();
  k.setPeriod("2026-W10");
  k.setSealed(true);
  auto fl = k.initFairness(1);
  fl[0].setDimension(schema::Dimension::HOUSEHOLD);
  fl[0].setFairness(schema::Fairness::UNFAIR_TO_ME);
  e.setDate("2026-03-08");
  auto f = fact_from_entry(e.asReader(), kFirst);
  REQUIRE(f.ok());
  CHECK(f->detail().sealed);
  CHECK(f->detail().fairness[3] == 2);
  CHECK(f->detail().period_week == *parse_iso_week("2026-W10"));

  auto c = e.getKind().initConflict();
  c.setRaisedBy(schema::Party::ME);
  c.setApologisedFirst(schema::Party::PARTNER);
  c.setOutcome(schema::ConflictOutcome::YIELDED_ME);
  c.initRepairs(1)[0].setBy(schema::Party::PARTNER);
  auto g = fact_from_entry(e.asReader(), kSecond);
  REQUIRE(g.ok());
  CHECK(g->actor == kSecond);
  CHECK(g->second == kFirst);
  CHECK(g->yielded_author);
  REQUIRE(g->detail().repairs.size() == 1);
  CHECK(g->detail().repairs[0].by == kFirst);
}

TEST_CASE("windows parse into days", "[request]") {
  const std::int32_t today = *parse_iso_date("2026-03-29");  // a Sunday
  auto w = parse_window("12w", "", "", today);
  REQUIRE(w.ok());
  CHECK(format_iso_date(w->since_day) == "2026-01-05");
  CHECK(parse_window("30d", "", "", today)->since_day == today - 29);
  CHECK(parse_window("all", "", "", today)->all_time);
  CHECK(parse_window("", "2026-01-01", "2026-02-01", today)->until_day ==
        *parse_iso_date("2026-02-01"));
  CHECK_FALSE(parse_window("12x", "", "", today).ok());
  CHECK_FALSE(parse_window("0w", "", "", today).ok());
  CHECK_FALSE(parse_window("12w", "2026-04-01", "", today).ok());

  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::ReportRequest>();
  r.setWindow("6m");
  r.initDimensions(1).set(0, schema::Dimension::CONFLICT);
  auto o = options_from_request(r.asReader(), today);
  REQUIRE(o.ok());
  CHECK(o->dimensions == std::vector<Dimension>{6});
  r.getDimensions().set(0, schema::Dimension::UNSET);
  CHECK(options_from_request(r.asReader(), today).error().code == Code::kInvalidArgument);
}

TEST_CASE("the report survives the trip into capnp", "[to_capnp]") {
  JournalBuilder j(31);
  j.balanced(12, 2);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 3; ++i) j.conflict(j.logger(), kSecond, j.day(w, i));
  j.checkin(kFirst, 0, 2);
  j.checkin(kSecond, 0, 3);
  Report r = run(j);
  capnp::MallocMessageBuilder m;
  to_capnp(r, m.initRoot<schema::Report>());
  auto rd = m.getRoot<schema::Report>().asReader();
  CHECK(rd.getReaderName() == "Sam");
  REQUIRE(rd.getPatterns().size() == r.patterns.size());
  REQUIRE(rd.getPatterns().size() >= 1);
  CHECK(rd.getPatterns()[0].getWho() == schema::Party::PARTNER);
  CHECK(rd.getPatterns()[0].getTopic() == schema::Topic::RAISES_ISSUES);
  CHECK(rd.getDimensions().size() == 9);
  CHECK(rd.getDimensions()[2].getWeeks().size() == 12);
  CHECK(rd.getPerception().getDimensions()[0].getReader() == schema::Fairness::UNFAIR_TO_ME);
  CHECK(rd.getWindow().getLabel() == "12w");
}

TEST_CASE("a million facts take well under a second", "[.perf]") {
  JournalBuilder j(99);
  auto& facts = j.snapshot().facts;
  facts.reserve(1'000'000);
  for (int i = 0; i < 1'000'000; ++i) {
    const int w = i % 26;
    if (i % 3 == 0)
      j.contribution(j.logger(), j.coin(0.5) ? kFirst : kSecond, j.day(w, i % 7));
    else if (i % 3 == 1)
      j.conflict(j.logger(), kFirst, j.day(w, i % 7));
    else
      j.bid(j.logger(), kSecond, j.day(w, i % 7), true);
    if (i % 5 == 0) facts.back().episode[0] = static_cast<std::uint8_t>(i % 251 + 1);
  }
  const auto t0 = std::chrono::steady_clock::now();
  Report r = run(j, "26w");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "1,000,000 facts: " << s << " s\n";
  CHECK(s < 1.0);
  CHECK(r.dimensions.size() == 9);
}
