// Kind flags land in the right fields of the Entry the CLI sends.
#include "client/entry_flags.hpp"

#include <capnp/message.h>
#include <catch2/catch.hpp>

using namespace tandem;
using client::FlagValues;
using namespace std::chrono;

namespace {

const client::FlagContext kCtx{sys_days(year(2026) / November / 25)};

struct Built {
  capnp::MallocMessageBuilder message;
  client::FlagError error;
  schema::Entry::Reader entry() { return message.getRoot<schema::Entry>().asReader(); }
};

std::unique_ptr<Built> build(const char* kind, const FlagValues& values) {
  auto out = std::make_unique<Built>();
  const auto* spec = client::find_kind(kind);
  REQUIRE(spec);
  out->error = client::build_entry(*spec, values, kCtx, out->message.initRoot<schema::Entry>());
  return out;
}

}  // namespace

TEST_CASE("flags: every kind of entry.capnp but edit and retract can be added", "[client][flags]") {
  CHECK(client::kind_specs().size() == 15);
  for (const auto& spec : client::kind_specs()) {
    INFO(spec.name);
    CHECK(client::find_kind(spec.which) == &spec);
  }
  CHECK_FALSE(client::find_kind("edit"));
  CHECK_FALSE(client::find_kind("retract"));
}

TEST_CASE("flags: the issue's contribution example", "[client][flags]") {
  auto b = build("contribution", {{"--dimension", {"household"}},
                                  {"--by", {"me"}},
                                  {"--effort", {"2"}},
                                  {"--phase", {"execute"}},
                                  {"--on", {"yesterday"}}});
  REQUIRE_FALSE(b->error);
  auto e = b->entry();
  REQUIRE(e.getKind().isContribution());
  CHECK(e.getKind().getContribution().getActor() == schema::Party::ME);
  CHECK(e.getKind().getContribution().getEffort() == 2);
  CHECK(e.getKind().getContribution().getPhase() == schema::Phase::EXECUTE);
  CHECK(e.getDimension() == schema::Dimension::HOUSEHOLD);
  CHECK(e.getDate() == "2026-11-24");
}

TEST_CASE("flags: defaults on add are today, me and effort 1", "[client][flags]") {
  auto b = build("contribution", {});
  REQUIRE_FALSE(b->error);
  CHECK(b->entry().getDate() == "2026-11-25");
  CHECK(b->entry().getKind().getContribution().getActor() == schema::Party::ME);
  CHECK(b->entry().getKind().getContribution().getEffort() == 1);
  CHECK(b->entry().getVisibility() == schema::Visibility::SHARED);
}

TEST_CASE("flags: a bid", "[client][flags]") {
  auto b =
      build("bid", {{"--bidder", {"partner"}}, {"--response", {"toward"}}, {"--heard", {"4"}}});
  REQUIRE_FALSE(b->error);
  auto bid = b->entry().getKind().getBid();
  CHECK(bid.getBidder() == schema::Party::PARTNER);
  CHECK(bid.getResponse() == schema::BidResponse::TOWARD);
  CHECK(bid.getHeard() == 4);
}

TEST_CASE("flags: a conflict with repeated repairs", "[client][flags]") {
  auto b = build("conflict", {{"--raised-by", {"partner"}},
                              {"--apologised-first", {"me"}},
                              {"--outcome", {"compromise"}},
                              {"--repair", {"me:apology:accepted", "partner:humour"}}});
  REQUIRE_FALSE(b->error);
  auto c = b->entry().getKind().getConflict();
  CHECK(c.getRaisedBy() == schema::Party::PARTNER);
  CHECK(c.getApologisedFirst() == schema::Party::ME);
  CHECK(c.getOutcome() == schema::ConflictOutcome::COMPROMISE);
  REQUIRE(c.getRepairs().size() == 2);
  CHECK(c.getRepairs()[0].getBy() == schema::Party::ME);
  CHECK(c.getRepairs()[0].getKind() == schema::RepairKind::APOLOGY);
  CHECK(c.getRepairs()[0].getAccepted());
  CHECK(c.getRepairs()[1].getKind() == schema::RepairKind::HUMOUR);
  CHECK_FALSE(c.getRepairs()[1].getAccepted());
}

TEST_CASE("flags: an expense is sent in cents", "[client][flags]") {
  auto b = build("expense", {{"--amount", {"42.5"}},
                             {"--currency", {"eur"}},
                             {"--paid-by", {"partner"}},
                             {"--area", {"groceries"}}});
  REQUIRE_FALSE(b->error);
  auto x = b->entry().getKind().getExpense();
  CHECK(x.getAmountCents() == 4250);
  CHECK(x.getCurrency() == "EUR");
  CHECK(x.getPaidBy() == schema::Party::PARTNER);
  CHECK(x.getArea() == "groceries");
}

TEST_CASE("flags: a sealed check-in with fairness per dimension", "[client][flags]") {
  auto b = build("checkin", {{"--period", {"2026-W48"}},
                             {"--fairness", {"household=fair", "support=unfair-to-me"}},
                             {"--appreciated", {"4"}},
                             {"--loaded", {"3"}},
                             {"--satisfaction", {"4"}},
                             {"--sealed", {"true"}}});
  REQUIRE_FALSE(b->error);
  auto c = b->entry().getKind().getCheckin();
  CHECK(c.getPeriod() == "2026-W48");
  REQUIRE(c.getFairness().size() == 2);
  CHECK(c.getFairness()[1].getDimension() == schema::Dimension::SUPPORT);
  CHECK(c.getFairness()[1].getFairness() == schema::Fairness::UNFAIR_TO_ME);
  CHECK(c.getAppreciated() == 4);
  CHECK(c.getSealed());
}

TEST_CASE("flags: a check-in defaults to this ISO week", "[client][flags]") {
  auto b = build("checkin", {});
  REQUIRE_FALSE(b->error);
  CHECK(b->entry().getKind().getCheckin().getPeriod() == "2026-W48");
}

TEST_CASE("flags: common flags set the envelope", "[client][flags]") {
  auto b = build("important-date", {{"--title", {"our anniversary"}},
                                    {"--date", {"2019-06-01"}},
                                    {"--people", {"both"}},
                                    {"--at", {"9:00"}},
                                    {"--visibility", {"private"}},
                                    {"--episode", {"00112233445566778899aabbccddeeff"}},
                                    {"--ref", {"0123456789abcdef-7", "fedcba9876543210-12"}}});
  REQUIRE_FALSE(b->error);
  auto e = b->entry();
  CHECK(e.getKind().getImportantDate().getRecurrence() == schema::Recurrence::YEARLY);
  CHECK(e.getPeople() == schema::Party::BOTH);
  CHECK(e.getTime() == "09:00");
  CHECK(e.getVisibility() == schema::Visibility::PRIVATE);
  CHECK(e.getEpisode().size() == 16);
  REQUIRE(e.getRefs().size() == 2);
  CHECK(e.getRefs()[0].getDevice()[0] == 0x01);
  CHECK(e.getRefs()[1].getSeq() == 12);
}

TEST_CASE("flags: intimacy is aggregate unless said otherwise", "[client][flags]") {
  auto b = build("initiation", {{"--what", {"intimacy"}}});
  REQUIRE_FALSE(b->error);
  CHECK(b->entry().getVisibility() == schema::Visibility::AGGREGATE);
  auto shared = build("initiation", {{"--what", {"intimacy"}}, {"--visibility", {"shared"}}});
  CHECK(shared->entry().getVisibility() == schema::Visibility::SHARED);
}

TEST_CASE("flags: usage errors say what is wrong", "[client][flags]") {
  CHECK(*build("contribution", {{"--effort", {"4"}}})->error ==
        "bad --effort '4'; expected a whole number 1..3");
  CHECK(*build("contribution", {{"--phase", {"plan"}}})->error ==
        "bad --phase 'plan'; valid values: anticipate, identify, decide, execute, monitor");
  CHECK(*build("contribution", {{"--heard", {"3"}}})->error ==
        "--heard does not apply to contribution entries");
  CHECK(*build("expense", {{"--amount", {"1"}}})->error == "expense needs --currency");
  CHECK(build("expense", {{"--amount", {"1.234"}}, {"--currency", {"EUR"}}})->error);
  CHECK(build("conflict", {{"--repair", {"me"}}})->error);
  CHECK(build("conflict", {{"--repair", {"me:hug"}}})->error);
  CHECK(build("checkin", {{"--fairness", {"household"}}})->error);
  CHECK(build("checkin", {{"--period", {"2026-48"}}})->error);
  CHECK(build("contribution", {{"--on", {"tomorrow"}}})->error);
  CHECK(build("contribution", {{"--episode", {"abc"}}})->error);
  CHECK(build("contribution", {{"--ref", {"nope"}}})->error);
}

TEST_CASE("flags: edit applies only the given flags onto the current body", "[client][flags]") {
  auto b = build("contribution", {{"--effort", {"3"}}, {"--phase", {"monitor"}}});
  REQUIRE_FALSE(b->error);
  capnp::MallocMessageBuilder edited;
  edited.setRoot(b->entry());
  auto body = edited.getRoot<schema::Entry>();
  auto err =
      client::apply_flags(*client::find_kind("contribution"), {{"--by", {"partner"}}}, kCtx, body);
  REQUIRE_FALSE(err);
  CHECK(body.getKind().getContribution().getActor() == schema::Party::PARTNER);
  CHECK(body.getKind().getContribution().getEffort() == 3);
  CHECK(body.getKind().getContribution().getPhase() == schema::Phase::MONITOR);
}

TEST_CASE("flags: entry ids are <16 hex>-<seq>", "[client][flags]") {
  auto id = client::parse_entry_id("0123456789abcdef-42");
  REQUIRE(id);
  CHECK(id->device.size() == 8);
  CHECK(id->seq == 42);
  CHECK_FALSE(client::parse_entry_id("0123456789abcdef"));
  CHECK_FALSE(client::parse_entry_id("0123456789abcdef-"));
  CHECK_FALSE(client::parse_entry_id("0123456789abcdeg-1"));
  CHECK_FALSE(client::parse_entry_id("abc-1"));
  CHECK_FALSE(client::parse_entry_id("cooked dinner"));
}
