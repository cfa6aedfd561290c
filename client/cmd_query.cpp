// Commands that read many entries: list, export, watch.
#include "client/dates.hpp"
#include "client/enum_names.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"
#include "client/terminal.hpp"

#include <capnp/message.h>
#include <fmt/format.h>

namespace tandem::client {
namespace {

// Fills `list` from the list command's flags; a message on a usage error.
std::optional<std::string> fill_list_request(const Invocation& inv,
                                             schema::ListRequest::Builder list) {
  if (!inv.kind.empty()) {
    auto k = parse_enum<schema::EntryKind>(inv.kind);
    if (!k) {
      return bad_enum_message("--kind", inv.kind, capnp::Schema::from<schema::EntryKind>());
    }
    list.setKind(*k);
  }
  if (!inv.dimension.empty()) {
    auto d = parse_enum<schema::Dimension>(inv.dimension);
    if (!d) {
      return bad_enum_message("--dimension", inv.dimension,
                              capnp::Schema::from<schema::Dimension>());
    }
    list.setDimension(*d);
  }
  if (!inv.by.empty()) {
    auto p = parse_enum<schema::Party>(inv.by);
    if (!p) return bad_enum_message("--by", inv.by, capnp::Schema::from<schema::Party>());
    list.setActor(*p);
  }
  for (auto [flag, text, set] :
       {std::tuple{"--since", &inv.since, &schema::ListRequest::Builder::setSince},
        std::tuple{"--until", &inv.until, &schema::ListRequest::Builder::setUntil}}) {
    if (text->empty()) continue;
    auto d = parse_date(*text, inv.io.today);
    if (!d)
      return fmt::format("bad {} '{}'; expected today, yesterday, Nd or YYYY-MM-DD", flag, *text);
    (list.*set)(*d);
  }
  if (inv.limit > 1000) return "bad --limit; at most 1000";
  list.setLimit(inv.limit);
  if (!inv.cursor.empty()) list.setCursor(inv.cursor);
  list.setIncludeRetracted(inv.include_retracted);
  return std::nullopt;
}

// ---- list
void setup_list(CLI::App& app, Invocation& inv) {
  app.add_option("--kind", inv.kind,
                 "only this kind: " + enum_choices_text(capnp::Schema::from<schema::EntryKind>()));
  app.add_option(
      "--dimension", inv.dimension,
      "only this dimension: " + enum_choices_text(capnp::Schema::from<schema::Dimension>()));
  app.add_option("--by", inv.by, "only entries whose main actor is: me|partner|both");
  app.add_option("--since", inv.since, "from this date, inclusive");
  app.add_option("--until", inv.until, "to this date, inclusive");
  app.add_option("--limit", inv.limit, "entries per page (default 100, at most 1000)");
  app.add_option("--cursor", inv.cursor, "continue after a previous page");
  app.add_flag("--all", inv.all, "follow the cursor through every page");
  app.add_flag("--include-retracted", inv.include_retracted, "show retracted entries as markers");
}

int run_list(Invocation& inv) {
  capnp::MallocMessageBuilder first;
  if (auto err = fill_list_request(inv, first.initRoot<schema::Request>().initList())) {
    return usage_error(inv, *err);
  }
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  std::vector<ResponseMessage> pages;
  std::string cursor;
  do {
    capnp::MallocMessageBuilder message;
    auto list = message.initRoot<schema::Request>().initList();
    fill_list_request(inv, list);
    if (!cursor.empty()) list.setCursor(cursor);
    auto response = client.value().call(message);
    if (!response.ok()) return report(inv, response.error());
    auto r = response.value().get();
    if (!r.isList())
      return report(inv, {ClientError::Kind::kProtocol, {}, "list: unexpected answer"});
    cursor = r.getList().getNextCursor().cStr();
    if (!inv.json) print(inv, render_list(r.getList()));
    pages.push_back(std::move(response.value()));
  } while (inv.all && !cursor.empty());

  if (inv.json) {
    if (pages.size() == 1) {
      print(inv, JsonWriter().encode(pages.front().get().getList()) + "\n");
      return kExitOk;
    }
    // --all: one EntryList holding every page's entries.
    capnp::MallocMessageBuilder merged;
    auto all = merged.initRoot<schema::EntryList>();
    unsigned total = 0;
    for (auto& page : pages) total += page.get().getList().getEntries().size();
    auto entries = all.initEntries(total);
    unsigned i = 0;
    for (auto& page : pages) {
      for (auto view : page.get().getList().getEntries()) entries.setWithCaveats(i++, view);
    }
    print(inv, JsonWriter().encode(all.asReader()) + "\n");
    return kExitOk;
  }
  std::size_t shown = 0;
  for (auto& page : pages) shown += page.get().getList().getEntries().size();
  if (shown == 0) note(inv, "no entries");
  if (!cursor.empty()) note(inv, "more: tandem list --cursor " + cursor);
  return kExitOk;
}

// ---- export
void setup_export(CLI::App& app, Invocation& inv) {
  app.add_option("--limit", inv.limit, "entries per request (default: the daemon's)");
}

int run_export(Invocation& inv) {
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  JsonWriter json;
  std::string cursor;
  // Counted on stderr when it is a terminal and stdout goes elsewhere (a file, a pipe): on one
  // terminal the count would cut through the entries.
  Progress progress(inv.io.err, progress_allowed(inv) && !is_interactive(inv.io.out), "exporting",
                    0, "entries");
  std::uint64_t exported = 0;
  do {
    capnp::MallocMessageBuilder message;
    auto req = message.initRoot<schema::Request>().initExport();
    req.setLimit(inv.limit);
    if (!cursor.empty()) req.setCursor(cursor);
    auto response = client.value().call(message);
    if (!response.ok()) return report(inv, response.error());
    auto r = response.value().get();
    if (!r.isList())
      return report(inv, {ClientError::Kind::kProtocol, {}, "export: unexpected answer"});
    for (auto view : r.getList().getEntries()) print(inv, json.encode(view) + "\n");
    exported += r.getList().getEntries().size();
    progress.update(exported);
    cursor = r.getList().getNextCursor().cStr();
  } while (!cursor.empty());
  progress.finish();
  return kExitOk;
}

// ---- watch
void setup_watch(CLI::App&, Invocation&) {}

int run_watch(Invocation& inv) {
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initSubscribe();
  auto id = client.value().send(message);
  if (!id.ok()) return report(inv, id.error());
  auto first = client.value().receive(id.value());
  if (!first.ok()) return report(inv, first.error());
  if (!first.value().get().isSubscribed()) {
    return report(inv, {ClientError::Kind::kProtocol, {}, "subscribe: unexpected answer"});
  }
  if (!inv.json) note(inv, "watching; Ctrl-C to stop");
  JsonWriter json;
  for (;;) {
    auto next = client.value().receive(id.value(), /*wait_forever=*/true);
    if (!next.ok()) return report(inv, next.error());
    auto r = next.value().get();
    if (!r.isEvent()) continue;  // an answer this CLI does not know: skip, stay subscribed
    print(inv, inv.json ? json.encode(r.getEvent()) + "\n" : render_event(r.getEvent()) + "\n");
    std::fflush(inv.io.out);
  }
}

}  // namespace

const Command kListCommand{"list",
                           "list entries, one per line: id, date, kind, dimension, who, note",
                           setup_list, run_list};
const Command kExportCommand{"export", "every entry you can see, as JSON lines (EntryView)",
                             setup_export, run_export};
const Command kWatchCommand{"watch", "print events (new and changed entries) as they happen",
                            setup_watch, run_watch};

}  // namespace tandem::client
