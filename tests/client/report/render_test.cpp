// The renderers on reports built from synthetic journals: the terminal text fits 80 columns and
// draws sparklines; the HTML page is self-contained; neither says a forbidden word.
#include <capnp/message.h>
#include <catch2/catch.hpp>

#include <sstream>

#include "client/report/labels.hpp"
#include "client/report/render_html.hpp"
#include "client/report/render_text.hpp"
#include "daemon/insight/to_capnp.hpp"
#include "tests/daemon/insight/report_helpers.hpp"
#include "tests/daemon/insight/tone.hpp"

using namespace tandem;
using namespace tandem::insight;
using namespace tandem::insight::testing;

namespace {

// A busy journal: balanced background, two warning signs, check-ins, a context, thanks, money.
void busy_journal(JournalBuilder& j) {
  j.balanced(14, 3);
  for (int w = 0; w < 12; ++w)
    for (int i = 0; i < 2; ++i) {
      j.conflict(j.logger(), kSecond, j.day(w, i), kFirst);
      j.initiation(j.logger(), kFirst, j.day(w, i), 3);
    }
  j.checkin(kFirst, 1, 2);
  j.checkin(kSecond, 1, 4);
  j.checkin(kSecond, 0, 3, true);
  j.context(kFirst, j.day(9, 0), j.day(9, 6));
  Fact& t = j.add(Kind::kAppreciation, kSecond, j.day(2), 9);
  t.actor = kFirst;
  Fact& e = j.add(Kind::kExpense, kFirst, j.day(3), 8);
  e.actor = kFirst;
  e.detail_mut().amount_cents = 120000;
  e.detail_mut().text = "rent";
  e.detail_mut().currency = "EUR";
  Fact& d = j.add(Kind::kImportantDate, kFirst, j.day(40), 9);
  d.detail_mut().text = "Anniversary <3";
  d.detail_mut().from_day = j.today() - 365 + 10;
  d.sub = 1;
  d.actor = kFirst;
}

struct Rendered {
  capnp::MallocMessageBuilder message;
  schema::Report::Reader reader() { return message.getRoot<schema::Report>().asReader(); }
};

void build(JournalBuilder& j, Rendered& out) {
  to_capnp(run(j), out.message.initRoot<schema::Report>());
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("the text report fits 80 columns and draws sparklines", "[render]") {
  for (bool colour : {false, true}) {
    JournalBuilder j(41);
    busy_journal(j);
    Rendered r;
    build(j, r);
    const std::string text = report::render_text(r.reader(), {colour, 80});
    for (const auto& l : lines(text)) {
      INFO(l);
      CHECK(report::display_width(l) <= 80);
    }
    CHECK(text.find("Over the last") != std::string::npos);
    CHECK(text.find_first_of("\xe2") != std::string::npos);
    bool spark = false;
    for (const char* b : {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"})
      spark = spark || text.find(b) != std::string::npos;
    CHECK(spark);
    CHECK((text.find("\x1b[") != std::string::npos) == colour);
    CHECK(forbidden_in(text).empty());
  }
}

TEST_CASE("an empty journal renders without patterns or crashes", "[render]") {
  JournalBuilder j(1);
  Rendered r;
  build(j, r);
  const std::string text = report::render_text(r.reader());
  CHECK(text.find("None stands out") != std::string::npos);
  for (const auto& l : lines(text)) CHECK(report::display_width(l) <= 80);
  CHECK(report::render_html(r.reader()).find("<svg") != std::string::npos);
}

TEST_CASE("the HTML page is self-contained", "[render]") {
  JournalBuilder j(42);
  busy_journal(j);
  Rendered r;
  build(j, r);
  const std::string html = report::render_html(r.reader());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("//") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("Anniversary &lt;3") != std::string::npos);  // escaped
  CHECK(forbidden_in(html).empty());
}

TEST_CASE("sparklines scale to their maximum", "[render]") {
  CHECK(report::sparkline({0, 1, 2}) == "▁▅█");
  CHECK(report::sparkline({}) == "");
  CHECK(report::display_width("\x1b[1mab\x1b[0m█") == 3);
}
