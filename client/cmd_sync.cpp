// tandem sync: how far this device and its connected peers are from holding the same records,
// and with --wait, a wait until they do, with progress on a terminal (a long catch-up after
// pairing a new device, or after weeks apart).
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <capnp/message.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace tandem::client {
namespace {

struct SyncFigures {
  bool any_connected = false;  // at least one peer connected with its frontier known
  bool pending_hello = false;  // a peer connected whose frontier has not arrived yet
  std::uint64_t to_send = 0, in_flight = 0, to_receive = 0;
  std::uint64_t remaining() const { return to_send + to_receive; }
};

SyncFigures figures_of(schema::PeerList::Reader list) {
  SyncFigures f;
  for (auto d : list.getDevices()) {
    if (!d.getConnected() || d.getRevoked()) continue;
    if (!d.getFrontierKnown()) {
      f.pending_hello = true;
      continue;
    }
    f.any_connected = true;
    f.to_send += d.getBehind();
    f.in_flight += d.getInFlight();
    f.to_receive += d.getMissing();
  }
  return f;
}

std::string render_sync(schema::PeerList::Reader list) {
  std::string out;
  for (auto d : list.getDevices()) {
    out += fmt::format("{:<16} {:<12} {:<8} {}\n", d.getDeviceId().cStr(), d.getDeviceName().cStr(),
                       d.getMemberName().cStr(), render_sync_state(d));
  }
  if (list.getDevices().size() == 0) out += "no other devices yet: tandem pair invite\n";
  return out;
}

void setup_sync(CLI::App& app, Invocation& inv) {
  app.add_flag("--wait", inv.wait,
               "wait until a peer is connected and nothing is left to send or receive, "
               "showing progress on a terminal");
  app.add_option("--timeout", inv.timeout_seconds,
                 "with --wait: give up after S seconds (exit 1); default: no limit");
}

int run_sync(Invocation& inv) {
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  auto poll = [&]() -> Result<ResponseMessage> {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::Request>().initPeers();
    auto response = client.value().call(message);
    if (response.ok() && !response.value().get().isPeers()) {
      return ClientError{ClientError::Kind::kProtocol, {}, "peers: unexpected answer"};
    }
    return response;
  };
  auto first = poll();
  if (!first.ok()) return report(inv, first.error());
  ResponseMessage last = std::move(first.value());
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t done = 0;
  if (inv.wait) {
    // "waiting for a peer  0:03" until one is connected, then the catch-up in records.
    Progress progress(inv.io.err, progress_allowed(inv), "waiting for a peer");
    SyncFigures f = figures_of(last.get().getPeers());
    std::uint64_t previous = f.remaining();
    while (!(f.any_connected && !f.pending_hello && f.remaining() == 0)) {
      if (f.any_connected) {
        if (f.remaining() < previous) done += previous - f.remaining();
        previous = f.remaining();
        progress.set_label("catching up");
        progress.set_unit("records");
        progress.set_total(done + f.remaining());
      }
      progress.update(done);
      const auto waited = std::chrono::steady_clock::now() - start;
      if (inv.timeout_seconds != 0 && waited >= std::chrono::seconds(inv.timeout_seconds)) {
        progress.finish();
        std::fprintf(
            inv.io.err, "tandem: not caught up after %u s: %s\n", inv.timeout_seconds,
            f.any_connected
                ? fmt::format("{} records to send, {} to receive", f.to_send, f.to_receive).c_str()
                : "no peer connected");
        return kExitDaemonError;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto next = poll();
      if (!next.ok()) {
        progress.finish();
        return report(inv, next.error());
      }
      last = std::move(next.value());
      f = figures_of(last.get().getPeers());
    }
    if (f.remaining() < previous) done += previous - f.remaining();
    progress.finish();
  }
  auto list = last.get().getPeers();
  if (inv.json) {
    print(inv, JsonWriter().encode(list) + "\n");
    return kExitOk;
  }
  print(inv, render_sync(list));
  if (inv.wait) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    note(inv, fmt::format("caught up: {} records moved in {:.1f} s", group_thousands(done), secs));
  }
  return kExitOk;
}

}  // namespace

const Command kSyncCommand{"sync",
                           "how far each connected device is from caught up; --wait waits "
                           "until it is, with progress",
                           setup_sync, run_sync};

}  // namespace tandem::client
