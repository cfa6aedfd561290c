// tandem upcoming: the important dates of the next weeks (the report's across.upcomingDates) and
// whether this week's check-in is still to do (no check-in of the reader's for this ISO week).
#include "client/dates.hpp"
#include "client/enum_names.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <capnp/message.h>

#include <string>

namespace tandem::client {
namespace {

void setup_upcoming(CLI::App& app, Invocation&) {
  app.footer(
      "Important dates come from the report (the next 60 days, soonest first). A check-in is "
      "due when you have none for this ISO week.");
}

// Whether the reader has a check-in for `week` among check-ins dated from `monday` on. Pages
// through the list; nullopt (with `rc` set) when the daemon cannot answer.
std::optional<bool> has_checkin(const Invocation& inv, ApiClient& client, const std::string& monday,
                                const std::string& week, int& rc) {
  std::string cursor;
  do {
    capnp::MallocMessageBuilder message;
    auto list = message.initRoot<schema::Request>().initList();
    list.setKind(schema::EntryKind::CHECKIN);
    list.setSince(monday);
    list.setLimit(1000);
    list.setCursor(cursor);
    auto response = client.call(message);
    if (!response.ok()) {
      rc = report(inv, response.error());
      return std::nullopt;
    }
    auto r = response.value().get();
    if (!r.isList()) {
      rc = report(inv, {ClientError::Kind::kProtocol, {}, "list: unexpected answer"});
      return std::nullopt;
    }
    for (auto view : r.getList().getEntries()) {
      if (view.getAuthor() != schema::Party::ME || view.getRetracted()) continue;
      auto kind = view.getEntry().getKind();
      if (kind.isCheckin() && kind.getCheckin().getPeriod() == week) return true;
    }
    cursor = r.getList().getNextCursor().cStr();
  } while (!cursor.empty());
  return false;
}

// "you", the partner's name, or "both of you"; "" when unset.
std::string who(schema::Party p, schema::Report::Reader report) {
  switch (p) {
    case schema::Party::ME:
      return "you";
    case schema::Party::PARTNER:
      return report.getPartnerName().size() ? report.getPartnerName().cStr() : "your partner";
    case schema::Party::BOTH:
      return "both of you";
    default:
      return "";
  }
}

std::string render_text(schema::Report::Reader report, const std::string& week, bool due) {
  std::string out;
  auto dates = report.getAcross().getUpcomingDates();
  if (dates.size() == 0) {
    out += "No important dates in the next 60 days.\n";
  } else {
    out += "Important dates in the next 60 days:\n";
    for (auto d : dates) {
      const auto days = d.getDaysAway();
      std::string when = days == 0   ? "today"
                         : days == 1 ? "tomorrow"
                                     : "in " + std::to_string(days) + " days";
      std::string line = std::string("  ") + d.getNext().cStr() + "  " + when + "  " +
                         short_note(d.getTitle().cStr(), 40);
      std::string last;
      if (auto r = who(d.getLastRememberedBy(), report); !r.empty()) last += "remembered by " + r;
      if (auto p = who(d.getLastPlannedBy(), report); !p.empty()) {
        last += (last.empty() ? "planned by " : ", planned by ") + p;
      }
      if (!last.empty()) line += "  (last time " + last + ")";
      out += line + "\n";
    }
  }
  out += due ? "Check-in: due for " + week + "; `tandem checkin` takes a minute.\n"
             : "Check-in: done for " + week + ".\n";
  return out;
}

int run_upcoming(Invocation& inv) {
  const auto today = inv.io.today;
  const auto monday = today - std::chrono::days(std::chrono::weekday(today).iso_encoding() - 1);
  const std::string week = iso_week(today);

  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initReport();
  auto response = client.value().call(message);
  if (!response.ok()) return report(inv, response.error());
  auto r = response.value().get();
  if (!r.isReport())
    return report(inv, {ClientError::Kind::kProtocol, {}, "report: unexpected answer"});

  int rc = kExitOk;
  auto done = has_checkin(inv, client.value(), format_date(monday), week, rc);
  if (!done) return rc;

  if (inv.json) {
    JsonWriter json;
    std::string out = "{\"week\":\"" + week + "\",\"checkinDue\":" + (*done ? "false" : "true") +
                      ",\"upcomingDates\":[";
    bool first = true;
    for (auto d : r.getReport().getAcross().getUpcomingDates()) {
      out += (first ? "" : ",") + json.encode(d);
      first = false;
    }
    print(inv, out + "]}\n");
  } else {
    print(inv, render_text(r.getReport(), week, !*done));
  }
  return kExitOk;
}

}  // namespace

const Command kUpcomingCommand{"upcoming",
                               "important dates ahead, and whether this week's check-in is due",
                               setup_upcoming, run_upcoming};

}  // namespace tandem::client
