#include "client/render.hpp"
#include "tests/client/sample_views.hpp"

#include <capnp/message.h>
#include <catch2/catch.hpp>

using namespace tandem;
using Catch::Matchers::Contains;

TEST_CASE("render: a list line shows id, date, kind, dimension, who and the note",
          "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto view = message.initRoot<schema::EntryView>();
  test::fill_contribution_view(view);
  std::string line = client::render_entry_line(view.asReader());
  CHECK(line ==
        "0123456789abcdef-7    2026-11-24        contribution    household    me       cooked "
        "dinner");
}

TEST_CASE("render: a line falls back to the kind's title, and marks retracted entries",
          "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto view = message.initRoot<schema::EntryView>();
  view.setId("0123456789abcdef-8");
  view.setKind(schema::EntryKind::CARD);
  auto card = view.initEntry().getKind().initCard();
  card.setTitle("school forms");
  card.setOwner(schema::Party::PARTNER);
  std::string line = client::render_entry_line(view.asReader());
  CHECK_THAT(line, Contains("partner  title=school forms owner=partner"));
  view.setRetracted(true);
  CHECK_THAT(client::render_entry_line(view.asReader()), Contains("(retracted)"));
}

TEST_CASE("render: the detail view lists the kind's fields", "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto view = message.initRoot<schema::EntryView>();
  test::fill_contribution_view(view);
  view.setEdited(true);
  std::string detail = client::render_entry_detail(view.asReader());
  CHECK_THAT(detail, Contains("kind:             contribution\n"));
  CHECK_THAT(detail, Contains("author:           me (Sam, laptop)\n"));
  CHECK_THAT(detail, Contains("actor:            me\n"));
  CHECK_THAT(detail, Contains("effort:           2\n"));
  CHECK_THAT(detail, Contains("phase:            execute\n"));
  CHECK_THAT(detail, Contains("status:           edited\n"));
  CHECK_THAT(detail, Contains("note:             cooked dinner\n"));
}

TEST_CASE("render: amounts are shown in units, repairs in words", "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto view = message.initRoot<schema::EntryView>();
  view.setKind(schema::EntryKind::EXPENSE);
  auto x = view.initEntry().getKind().initExpense();
  x.setAmountCents(-4205);
  x.setCurrency("EUR");
  CHECK_THAT(client::render_entry_detail(view.asReader()), Contains("amount:           -42.05\n"));
}

TEST_CASE("render: status as key: value lines", "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto s = message.initRoot<schema::Status>();
  s.setInitialized(true);
  s.setApiVersion(1);
  s.setVersion("0.1.0");
  s.setMemberName("Sam");
  s.setEntries(12);
  s.setDataDir("/tmp/x");
  std::string text = client::render_status(s.asReader());
  CHECK_THAT(text, Contains("initialized:     yes\n"));
  CHECK_THAT(text, Contains("member:          Sam\n"));
  CHECK_THAT(text, Contains("partner:         (not joined yet)\n"));
  CHECK_THAT(text, Contains("entries:         12\n"));
}

TEST_CASE("render: JSON uses capnp's mapping on one line", "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto response = message.initRoot<schema::Response>();
  auto view = response.initEntry();
  test::fill_contribution_view(view);
  auto ref = view.getEntry().initRefs(1)[0];
  const capnp::byte device[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ref.setDevice(capnp::Data::Reader(device, 8));
  std::string json = client::JsonWriter().encode(response.asReader().getEntry());
  CHECK(json.find('\n') == std::string::npos);
  CHECK_THAT(json, Contains("\"kind\":\"contribution\""));
  CHECK_THAT(json, Contains("\"recordedAt\":\"1795000000000\""));
  CHECK_THAT(json, Contains("\"device\":\"0102030405060708\""));
}

TEST_CASE("render: notes are shortened on character boundaries", "[client][render]") {
  CHECK(client::short_note("short", 10) == "short");
  CHECK(client::short_note("line one\nline two", 40) == "line one line two");
  CHECK(client::short_note("abcdefghij", 5) == "abcd\u2026");
  CHECK(client::short_note("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 3) == "\u00e9\u00e9\u2026");
}

TEST_CASE("render: who is the kind's main actor (the giver of support, not who needed it)",
          "[client][render]") {
  capnp::MallocMessageBuilder message;
  auto view = message.initRoot<schema::EntryView>();
  view.setKind(schema::EntryKind::SUPPORT);
  view.setAuthor(schema::Party::PARTNER);
  auto support = view.initEntry().getKind().initSupport();
  support.setNeeded(schema::Party::PARTNER);
  support.setGave(schema::Party::ME);
  CHECK_THAT(client::render_entry_line(view.asReader()), Contains("  me       "));
  view.getEntry().getKind().initCheckin();
  CHECK_THAT(client::render_entry_line(view.asReader()), Contains("  partner  "));
}
