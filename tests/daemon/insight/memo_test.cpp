// The report kept between calls (ReportMemo: weekly tallies that only read appended facts, and
// the per-thread memo of beta quantiles in stats.cpp) must give exactly the report built from
// nothing, however the snapshot grew, whatever the window, and after a reset.
#include <capnp/message.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "daemon/insight/episodes.hpp"
#include "daemon/insight/report.hpp"
#include "daemon/insight/request.hpp"
#include "daemon/insight/to_capnp.hpp"
#include "tests/daemon/insight/journal_builder.hpp"

namespace tandem::insight::testing {
namespace {

std::string text(const Report& r) {
  capnp::MallocMessageBuilder msg;
  auto out = msg.initRoot<schema::Report>();
  to_capnp(r, out);
  return kj::str(out.asReader()).cStr();
}

// One random entry of a kind the report reads apart (thanks, often for an earlier entry; check-ins,
// context periods, agreements, important dates, cards, money).
void random_apart(JournalBuilder& j) {
  const Member by = j.logger();
  const Member who = j.coin(0.6) ? by : other(by);
  const std::int32_t d = j.day(j.pick(0, 30), j.pick(0, 6));
  const std::size_t known = j.snapshot().facts.size();
  switch (j.pick(0, 6)) {
    case 0: {
      Fact& f = j.add(Kind::kAppreciation, by, d, 0);
      f.actor = other(by);
      if (known > 0 && j.coin(0.8))
        f.detail_mut().refs.push_back(j.snapshot().facts[j.pick(0, int(known) - 1)].id);
      break;
    }
    case 1:
      j.checkin(by, j.pick(0, 8), static_cast<std::uint8_t>(j.pick(1, 5)), j.coin(0.3));
      break;
    case 2:
      j.context(by, d, d + j.pick(0, 20));
      break;
    case 3: {
      Fact& f = j.add(Kind::kAgreement, by, d, 8);
      f.detail_mut().text = j.coin(0.5) ? "rent" : "food";
      f.detail_mut().agreed_percent = static_cast<std::uint8_t>(j.pick(30, 70));
      break;
    }
    case 4: {
      Fact& f = j.add(Kind::kImportantDate, by, d, 9);
      f.actor = who;
      f.second = j.coin(0.5) ? by : kNoOne;
      f.sub = static_cast<std::uint8_t>(j.pick(0, 2));
      f.detail_mut().text = j.coin(0.5) ? "anniversary" : "birthday";
      f.detail_mut().from_day = d - 300;
      break;
    }
    case 5: {
      Fact& f = j.add(Kind::kCard, by, d, static_cast<Dimension>(j.pick(1, 9)));
      f.actor = who;
      f.detail_mut().text = "bins";
      f.detail_mut().from_day = d - j.pick(0, 40);
      f.detail_mut().until_day = j.coin(0.5) ? 0 : d + j.pick(0, 40);
      break;
    }
    default: {
      Fact& f = j.add(Kind::kExpense, by, d, 8);
      f.actor = j.coin(0.2) ? kBoth : who;
      f.detail_mut().amount_cents = j.pick(1, 9999);
      f.detail_mut().text = j.coin(0.5) ? "rent" : "food";
      f.detail_mut().currency = "EUR";
      break;
    }
  }
  if (j.coin(0.1)) j.snapshot().facts.back().visibility = Visibility::kPrivate;
}

// One random entry of the kinds the tallies read, some of them records of a shared episode; one in
// five is of a kind read apart instead.
void random_fact(JournalBuilder& j) {
  if (j.coin(0.2)) return random_apart(j);
  const Member by = j.logger();
  const Member who = j.coin(0.6) ? by : other(by);
  const std::int32_t d = j.day(j.pick(0, 30), j.pick(0, 6));
  Fact* f = nullptr;
  switch (j.pick(0, 6)) {
    case 0:
    case 1:
      f = &j.contribution(by, who, d, static_cast<Dimension>(j.pick(1, 9)),
                          static_cast<std::uint8_t>(j.pick(1, 5)),
                          static_cast<std::uint8_t>(j.pick(1, 3)));
      break;
    case 2:
      f = &j.bid(by, who, d, j.coin(0.7));
      break;
    case 3:
      f = &j.initiation(by, who, d, static_cast<std::uint8_t>(j.pick(0, 4)));
      break;
    case 4:
      f = &j.conflict(by, who, d, j.coin(0.5) ? by : other(by), j.coin(0.5) ? who : kNoOne);
      break;
    case 5:
      f = &j.support(by, who, d);
      f->second = other(who);
      break;
    default:
      f = &j.decision(by, who, d);
      break;
  }
  // A quarter of the records belong to one of a few episodes, so an episode's records arrive
  // across several appends and its average changes as they do.
  if (j.coin(0.25)) f->episode[0] = static_cast<std::uint8_t>(1 + j.pick(0, 7));
  if (j.coin(0.05)) f->visibility = j.coin(0.5) ? Visibility::kPrivate : Visibility::kAggregate;
}

TEST_CASE("the memo's tallies equal tally() as the facts grow, and read only the new ones",
          "[report][memo]") {
  JournalBuilder j(11);
  TallyMemo memo;
  const TallyScope scope{j.day(30, 0), j.today(), false};
  auto same = [](const Questions& a, const Questions& b) {
    if (a.items.size() != b.items.size()) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      const Question &x = a.items[i], &y = b.items[i];
      auto eq = [](const std::vector<WeekTally>& l, const std::vector<WeekTally>& r) {
        return std::equal(l.begin(), l.end(), r.begin(), r.end(), [](const auto& p, const auto& q) {
          return p.week == q.week && p.n == q.n && p.x == q.x && p.w1 == q.w1 && p.wt == q.wt;
        });
      };
      if (x.topic != y.topic || x.dimension != y.dimension || x.area != y.area ||
          !eq(x.all, y.all) || !eq(x.without_self[0], y.without_self[0]) ||
          !eq(x.without_self[1], y.without_self[1]) || x.logged != y.logged)
        return false;
    }
    return true;
  };
  std::size_t before = 0;
  for (int round = 0; round < 20; ++round) {
    const int add = j.pick(0, 40);
    for (int k = 0; k < add; ++k) random_fact(j);
    const Questions kept = memo.tally(j.snapshot().facts, scope);
    CHECK(memo.last_read() == j.snapshot().facts.size() - before);
    before = j.snapshot().facts.size();
    REQUIRE(same(kept, tally(j.snapshot().facts, scope)));
  }
  // Another scope reads everything again; so does a change the owner reports with reset().
  const TallyScope wider{j.day(40, 0), j.today(), true};
  REQUIRE(same(memo.tally(j.snapshot().facts, wider), tally(j.snapshot().facts, wider)));
  CHECK(memo.last_read() == j.snapshot().facts.size());
  j.snapshot().facts[3].actor = other(j.snapshot().facts[3].actor);
  memo.reset();
  REQUIRE(same(memo.tally(j.snapshot().facts, wider), tally(j.snapshot().facts, wider)));
  CHECK(memo.last_read() == j.snapshot().facts.size());
  // Without a reset, a snapshot whose last read fact is gone is noticed and read in full.
  j.snapshot().facts.pop_back();
  random_fact(j);
  REQUIRE(same(memo.tally(j.snapshot().facts, wider), tally(j.snapshot().facts, wider)));
  CHECK(memo.last_read() == j.snapshot().facts.size());
}

TEST_CASE("a report with the memo equals the report without it, for every window",
          "[report][memo]") {
  JournalBuilder j(12);
  for (int k = 0; k < 200; ++k) random_fact(j);
  j.checkin(kFirst, 1);
  j.checkin(kSecond, 1, 2);
  ReportMemo memo;
  const char* windows[] = {"12w", "12w", "30d", "all", "6m", "12w"};
  for (int round = 0; round < 24; ++round) {
    const int add = j.pick(0, 25);
    for (int k = 0; k < add; ++k) random_fact(j);
    auto o = parse_window(windows[round % 6], "", "", j.today());
    REQUIRE(o);
    o->include_private = round % 5 == 0;
    const std::int32_t today = j.today() + (round % 7 == 6 ? 1 : 0);  // the day turns too
    REQUIRE(text(build_report(j.snapshot(), *o, today, &memo)) ==
            text(build_report(j.snapshot(), *o, today)));
  }
}

TEST_CASE("the memo reads only appended facts, unless new thanks change what was acknowledged",
          "[report][memo]") {
  JournalBuilder j(13);
  for (int k = 0; k < 300; ++k) random_fact(j);
  ReportMemo memo;
  auto o = parse_window("12w", "", "", j.today());
  REQUIRE(o);
  build_report(j.snapshot(), *o, j.today(), &memo);
  CHECK(memo.flows.last_read() == j.snapshot().facts.size());
  for (int k = 0; k < 3; ++k) j.contribution(kFirst, kSecond, j.day(0, 1));
  const EntryId done = j.snapshot().facts.back().id;  // Alex's, logged by Sam
  const Report kept = build_report(j.snapshot(), *o, j.today(), &memo);
  CHECK(memo.tallies.last_read() == 3);
  CHECK(memo.flows.last_read() == 3);
  CHECK(text(kept) == text(build_report(j.snapshot(), *o, j.today())));
  // Sam thanks Alex for an entry counted before: what was acknowledged changes, so the flows
  // count again (the tallies do not).
  Fact& thanks = j.add(Kind::kAppreciation, kFirst, j.day(0, 2), 0);
  thanks.actor = kSecond;
  thanks.detail_mut().refs.push_back(done);
  const Report after = build_report(j.snapshot(), *o, j.today(), &memo);
  CHECK(memo.tallies.last_read() == 1);
  CHECK(memo.flows.last_read() == j.snapshot().facts.size());
  CHECK(text(after) == text(build_report(j.snapshot(), *o, j.today())));
  char id[40];
  std::snprintf(id, sizeof id, "%016llx-%llu", static_cast<unsigned long long>(done.device),
                static_cast<unsigned long long>(done.seq));
  auto lists = [&](const Report& r) {
    for (const auto& a : r.appreciation.acknowledged)
      if (a.entry_id == id) return true;
    return false;
  };
  CHECK(!lists(kept));
  CHECK(lists(after));
}

TEST_CASE("memoized beta quantiles are exactly the ones computed afresh", "[report][memo]") {
  // Far more inputs than the per-thread memo has slots, asked in two different orders: every
  // answer must be bit for bit the first one, whether it came from a slot or a new search.
  std::vector<std::pair<double, double>> inputs;
  for (int n = 1; n <= 60; ++n)
    for (int x = 0; x <= n; ++x) inputs.emplace_back(x, n);
  std::vector<Interval> first;
  for (auto [x, n] : inputs) first.push_back(jeffreys(x, n, 0.95));
  std::vector<std::size_t> order(inputs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  for (std::size_t i : order) {
    const Interval again = jeffreys(inputs[i].first, inputs[i].second, 0.95);
    REQUIRE(again.low == first[i].low);
    REQUIRE(again.high == first[i].high);
    const Interval other_level = jeffreys(inputs[i].first, inputs[i].second, 0.90);
    REQUIRE((other_level.low >= again.low || inputs[i].first == 0));
  }
}

}  // namespace
}  // namespace tandem::insight::testing
