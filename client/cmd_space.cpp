// Commands about the space and single actions: init, status, retract, thanks.
#include "client/enum_names.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <capnp/message.h>
#include <fmt/format.h>

namespace tandem::client {
namespace {

// ---- init
void setup_init(CLI::App& app, Invocation& inv) {
  app.add_option("--name", inv.name, "your name, as your partner will see it")->required();
  app.add_option("--device-name", inv.device_name, "this device's name (default: the host name)");
  app.add_option("--partner-name", inv.partner_name, "what to call your partner until they join");
}

int run_init(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  auto init = message.initRoot<schema::Request>().initInit();
  init.setName(inv.name);
  if (!inv.device_name.empty()) init.setDeviceName(inv.device_name);
  if (!inv.partner_name.empty()) init.setPartnerName(inv.partner_name);
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isInit())
    return report(inv, {ClientError::Kind::kProtocol, {}, "init: unexpected answer"});
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getInit()) + "\n");
  } else if (!inv.quiet) {
    print(inv, fmt::format("initialized\nspace:  {}\ndevice: {}\n", r.getInit().getSpaceId().cStr(),
                           r.getInit().getDeviceId().cStr()));
  }
  return kExitOk;
}

// ---- status
void setup_status(CLI::App&, Invocation&) {}

int run_status(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initStatus();
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isStatus()) {
    return report(inv, {ClientError::Kind::kProtocol, {}, "status: unexpected answer"});
  }
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getStatus()) + "\n");
    return kExitOk;
  }
  print(inv, render_status(r.getStatus()));
  if (!r.getStatus().getInitialized()) return kExitOk;
  // Each other device's sync state (what is in flight, what is behind); `tandem sync` and
  // `tandem peers` have the detail. A daemon that cannot answer this still gave its status.
  capnp::MallocMessageBuilder peers_request;
  peers_request.initRoot<schema::Request>().initPeers();
  auto client = connect_daemon(inv);
  if (!client.ok()) return kExitOk;
  auto peers = client.value().call(peers_request);
  if (!peers.ok() || !peers.value().get().isPeers()) return kExitOk;
  for (auto d : peers.value().get().getPeers().getDevices()) {
    print(inv, fmt::format("{:<17}{} ({}, {}): {}\n", "peer:", d.getDeviceName().cStr(),
                           d.getMemberName().cStr(), d.getDeviceId().cStr(), render_sync_state(d)));
  }
  return kExitOk;
}

// ---- retract
void setup_retract(CLI::App& app, Invocation& inv) {
  app.add_option("id", inv.id, "the entry to retract (its body is erased on every device)")
      ->required();
  app.add_option("--reason", inv.reason, "why, kept with the retraction");
}

int run_retract(Invocation& inv) {
  const std::string& id = inv.id;
  if (!parse_entry_id(id)) return usage_error(inv, "bad entry id '" + id + "'");
  capnp::MallocMessageBuilder message;
  auto retract = message.initRoot<schema::Request>().initRetract();
  retract.setId(id);
  if (!inv.reason.empty()) retract.setReason(inv.reason);
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isRetracted()) {
    return report(inv, {ClientError::Kind::kProtocol, {}, "retract: unexpected answer"});
  }
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getRetracted()) + "\n");
  } else if (!inv.quiet) {
    print(inv, fmt::format("retracted {}\n", r.getRetracted().getId().cStr()));
  }
  return kExitOk;
}

// ---- thanks
void setup_thanks(CLI::App& app, Invocation& inv) {
  app.add_option("args", inv.args,
                 "ID... [TEXT]: the entries the thanks is for, then an optional note "
                 "(- reads stdin)");
  app.add_option("--note", inv.note_flag, "the note, instead of TEXT (- reads stdin)");
  app.add_option("--visibility", inv.visibility, "shared|aggregate|private (default shared)");
}

int run_thanks(Invocation& inv) {
  std::vector<std::string> ids = inv.args;
  std::string text;
  if (!ids.empty() && !parse_entry_id(ids.back())) {
    text = ids.back();
    ids.pop_back();
  }
  for (const auto& id : ids) {
    if (!parse_entry_id(id)) return usage_error(inv, "bad entry id '" + id + "'");
  }
  std::string note;
  if (auto err = resolve_note(inv, text, note)) return usage_error(inv, *err);
  capnp::MallocMessageBuilder message;
  auto req = message.initRoot<schema::Request>().initAppreciate();
  auto list = req.initIds(static_cast<unsigned>(ids.size()));
  for (unsigned i = 0; i < ids.size(); ++i) list.set(i, ids[i]);
  if (!note.empty()) req.setNote(note);
  if (!inv.visibility.empty()) {
    auto v = parse_enum<schema::Visibility>(inv.visibility);
    if (!v) {
      return usage_error(inv, bad_enum_message("--visibility", inv.visibility,
                                               capnp::Schema::from<schema::Visibility>()));
    }
    req.setVisibility(*v);
  }
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isEntry())
    return report(inv, {ClientError::Kind::kProtocol, {}, "thanks: unexpected answer"});
  print_written(inv, r.getEntry(), "added");
  return kExitOk;
}

}  // namespace

const Command kInitCommand{"init", "create this device's space: tandem init --name NAME",
                           setup_init, run_init};
const Command kStatusCommand{"status", "show the daemon's state, as key: value lines", setup_status,
                             run_status};
const Command kRetractCommand{"retract", "erase an entry you wrote: tandem retract ID",
                              setup_retract, run_retract};
const Command kThanksCommand{"thanks",
                             "thank your partner, optionally for entries: tandem "
                             "thanks ID... [TEXT]",
                             setup_thanks, run_thanks};

}  // namespace tandem::client
