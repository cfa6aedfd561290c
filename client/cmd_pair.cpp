// tandem pair invite / pair join, tandem peers, tandem peer add|remove|list.
#include "client/invocation.hpp"
#include "client/progress.hpp"
#include "client/render.hpp"
#include "client/terminal.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <optional>

namespace tandem::client {
namespace {

// ---- pair
void setup_pair(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  auto* invite =
      app.add_subcommand("invite", "print a code for the other device and wait for it to join");
  add_global_flags(*invite, inv);
  invite->add_flag("--device", inv.as_device,
                   "add another device of yours (a second laptop), not your partner");
  invite->add_option("--timeout", inv.timeout_seconds,
                     "seconds the code stays valid (default 600)");
  auto* join = app.add_subcommand("join", "join your partner's (or your own) space with a code");
  add_global_flags(*join, inv);
  join->add_option("CODE", inv.code, "the code, e.g. 17-orbit-lantern-maple")->required();
  join->add_option("--name", inv.name, "your name, as your partner will see it");
  join->add_option("--device-name", inv.device_name, "this device's name (default: the host name)");
  join->add_option("--address", inv.address,
                   "HOST:PORT of the inviting device (default: find it on the LAN)");
  join->add_option("--timeout", inv.timeout_seconds,
                   "seconds to look for the inviter on the LAN (default 60)");
  inv.pair_invite = invite;
}

int print_paired(Invocation& inv, schema::Paired::Reader p) {
  if (inv.json) {
    print(inv, JsonWriter().encode(p) + "\n");
  } else {
    print(inv, std::string("paired: ") + p.getDeviceName().cStr() + " (" + p.getDeviceId().cStr() +
                   ") joined as " + (p.getAsDevice() ? "another device of " : "") +
                   p.getMemberName().cStr() + "\n");
  }
  return kExitOk;
}

// How long a code stays good, for people: "30 seconds" under two minutes, else "10 minutes" (or
// "2 minutes 30 seconds").
std::string validity(std::uint64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
  std::string text = std::to_string(seconds / 60) + " minutes";
  if (seconds % 60) text += " " + std::to_string(seconds % 60) + " seconds";
  return text;
}

// "14:32", local time, for "until 14:32".
std::string clock_time(std::uint64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M", &tm);
  return text;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// What the joiner waits for before the daemon says more: the LAN search for the code's channel,
// or the connection to the address given.
std::string join_label(const Invocation& inv) {
  if (!inv.address.empty()) return "connecting to " + inv.address + "…";
  const auto dash = inv.code.find('-');
  const std::string channel = inv.code.substr(0, dash);
  if (dash == std::string::npos || channel.empty() ||
      channel.find_first_not_of("0123456789") != std::string::npos) {
    return "searching the LAN for the inviting device…";
  }
  return "searching the LAN for channel " + channel + "…";
}

// Moves the terminal's progress on as the daemon reports the exchange's steps: the line drawn in
// place changes, and each step that matters is printed above it.
void show_step(Invocation& inv, WaitIndicator& waiting, bool inviting,
               schema::PairProgress::Reader p) {
  switch (p.getStep()) {
    case schema::PairStep::SEARCHING:
      waiting.set_label(join_label(inv));
      break;
    case schema::PairStep::FOUND:
      waiting.message(std::string("found the inviting device at ") + p.getAddress().cStr());
      waiting.set_label("connecting…");
      break;
    case schema::PairStep::CHECKING:
      // A line of its own, not just the label: the check takes milliseconds on a LAN, so a
      // label alone would rarely be drawn before the result replaces it.
      waiting.message(inviting ? "a device connected, checking the code…"
                               : "connected, checking the code…");
      waiting.set_label("checking the code…");
      break;
  }
}

int run_pair(Invocation& inv) {
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  // Progress only on a terminal, and neither with --json nor --quiet: then the daemon is asked
  // for its steps too. Through pipes the output is the code, the notes and the result.
  const bool draw = !inv.json && progress_allowed(inv) && is_interactive(inv.io.err);
  std::optional<WaitIndicator> waiting;
  capnp::MallocMessageBuilder message;
  auto req = message.initRoot<schema::Request>();
  const bool inviting = inv.pair_invite && inv.pair_invite->parsed();
  if (inviting) {
    auto r = req.initPairInvite();
    r.setAsDevice(inv.as_device);
    r.setTimeoutSeconds(inv.timeout_seconds);
    r.setProgress(draw);
  } else {
    auto r = req.initPairJoin();
    r.setCode(inv.code);
    r.setName(inv.name);
    r.setDeviceName(inv.device_name);
    r.setAddress(inv.address);
    r.setTimeoutSeconds(inv.timeout_seconds);
    r.setProgress(draw);
    waiting.emplace(inv.io.err, draw, join_label(inv), std::chrono::milliseconds(0));
  }
  auto id = client.value().send(message);
  if (!id.ok()) return report(inv, id.error());
  // The next answer that is not a step; steps move the progress line on.
  auto next = [&]() -> Result<ResponseMessage> {
    for (;;) {
      auto m = client.value().receive(id.value(), /*wait_forever=*/true);
      if (!m.ok() || !m.value().get().isPairProgress()) {
        waiting.reset();  // clears the line before the result or the error is printed
        return m;
      }
      if (waiting) show_step(inv, *waiting, inviting, m.value().get().getPairProgress());
    }
  };
  if (inviting) {
    auto first = next();
    if (!first.ok()) return report(inv, first.error());
    auto r = first.value().get();
    if (!r.isPairCode())
      return report(inv, {ClientError::Kind::kProtocol, {}, "pair: unexpected answer"});
    auto pc = r.getPairCode();
    if (inv.json) {
      print(inv, JsonWriter().encode(pc) + "\n");
    } else {
      print(inv, std::string("code: ") + pc.getCode().cStr() + "\n");
      const std::uint64_t now = now_ms();
      const std::uint64_t left =
          pc.getExpiresAt() > now ? (pc.getExpiresAt() - now + 500) / 1000 : 0;
      note(inv, std::string("Read the code to the other device: tandem pair join ") +
                    pc.getCode().cStr() +
                    " --name NAME\n"
                    "(not on the same network? add --address THIS-HOST:" +
                    std::to_string(pc.getPort()) +
                    ")\n"
                    "The code is good for one try, for " +
                    validity(left) + " (until " + clock_time(pc.getExpiresAt()) + ").");
      if (!draw) note(inv, "waiting for the other device…");
    }
    std::fflush(inv.io.out);
    waiting.emplace(inv.io.err, draw, "waiting for the other device…",
                    std::chrono::milliseconds(0));
    waiting->count_down_to(
        "waiting for the other device…",
        std::chrono::system_clock::time_point(std::chrono::milliseconds(pc.getExpiresAt())));
  }
  auto last = next();
  if (!last.ok()) return report(inv, last.error());
  auto r = last.value().get();
  if (!r.isPaired())
    return report(inv, {ClientError::Kind::kProtocol, {}, "pair: unexpected answer"});
  return print_paired(inv, r.getPaired());
}

// ---- peers
void setup_peers(CLI::App&, Invocation&) {}

std::string ago(std::uint64_t ms) {
  if (ms == 0) return "never";
  auto now = static_cast<std::uint64_t>(std::time(nullptr)) * 1000;
  auto s = now > ms ? (now - ms) / 1000 : 0;
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  return std::to_string(s / 3600) + "h ago";
}

int run_peers(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initPeers();
  int code = kExitOk;
  auto response = call_daemon(inv, message, code);
  if (!response) return code;
  auto r = response->get();
  if (!r.isPeers())
    return report(inv, {ClientError::Kind::kProtocol, {}, "peers: unexpected answer"});
  auto list = r.getPeers();
  if (inv.json) {
    print(inv, JsonWriter().encode(list) + "\n");
    return kExitOk;
  }
  print(inv, std::string("listening on ") +
                 (list.getListen().size() ? list.getListen().cStr() : "-") + "\n");
  if (list.hasThisDevice()) {
    auto self = list.getThisDevice();
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %-12s %-8s %-24s %s\n", self.getDeviceId().cStr(),
                  self.getDeviceName().cStr(), self.getMemberName().cStr(),
                  self.getAddress().size() ? self.getAddress().cStr() : "-", "this device");
    print(inv, line);
  }
  if (list.getDevices().size() == 0) print(inv, "no other devices yet: tandem pair invite\n");
  for (auto d : list.getDevices()) {
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %-12s %-8s %-24s %-13s %-10s %s\n",
                  d.getDeviceId().cStr(), d.getDeviceName().cStr(), d.getMemberName().cStr(),
                  d.getAddress().size() ? d.getAddress().cStr() : "-",
                  d.getRevoked()     ? "revoked"
                  : d.getConnected() ? "connected"
                                     : "not connected",
                  ago(d.getLastSeen()).c_str(),
                  d.getConnected() ? (std::to_string(d.getRttMs()) + " ms").c_str() : "");
    std::string text = line;
    // What sync still has to move, when there is anything (tandem sync --wait waits for it).
    if (d.getConnected() && d.getFrontierKnown() && (d.getBehind() || d.getMissing())) {
      text.insert(text.size() - 1, "  " + render_sync_state(d));
    }
    print(inv, text);
  }
  return kExitOk;
}

// ---- peer add|remove|list
void setup_peer(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  for (const char* verb : {"add", "remove"}) {
    auto* sub = app.add_subcommand(
        verb,
        std::string(verb) + " a static peer (HOST:PORT, e.g. a WireGuard or Tailscale address)");
    add_global_flags(*sub, inv);
    sub->add_option("ADDRESS", inv.address, "HOST:PORT")->required();
    sub->parse_complete_callback([&inv, verb] { inv.peer_verb = verb; });
  }
  auto* list = app.add_subcommand("list", "list the static peers");
  add_global_flags(*list, inv);
  list->parse_complete_callback([&inv] { inv.peer_verb = "list"; });
}

int run_peer(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  auto req = message.initRoot<schema::Request>();
  if (inv.peer_verb == "add")
    req.initPeerAdd().setAddress(inv.address);
  else if (inv.peer_verb == "remove")
    req.initPeerRemove().setAddress(inv.address);
  else
    req.initPeerList();
  int code = kExitOk;
  auto response = call_daemon(inv, message, code);
  if (!response) return code;
  auto r = response->get();
  if (!r.isPeerAddresses())
    return report(inv, {ClientError::Kind::kProtocol, {}, "peer: unexpected answer"});
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getPeerAddresses()) + "\n");
    return kExitOk;
  }
  for (auto a : r.getPeerAddresses().getAddresses()) print(inv, std::string(a.cStr()) + "\n");
  return kExitOk;
}

}  // namespace

const Command kPairCommand{
    "pair", "pair a device with a short code: tandem pair invite | tandem pair join CODE",
    setup_pair, run_pair};
const Command kPeersCommand{"peers",
                            "every device of the space: connected or not, last seen, round trip",
                            setup_peers, run_peers};
const Command kPeerCommand{"peer", "static peers for overlay networks: tandem peer add|remove|list",
                           setup_peer, run_peer};

}  // namespace tandem::client
