// SIGHUP on a real tandemd started with --config: the config file's static peers and LAN
// discovery change in the running daemon, a new listen address is logged as needing a restart,
// and a broken file changes nothing. tandemd(8), SIGNALS.
#include "tests/integration/service_support.hpp"
#include "tests/support/devices.hpp"

#include <signal.h>

#include <catch2/catch.hpp>

#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

constexpr const char* kLoopback = "127.0.0.1:0";

std::string written(const std::string& path, const std::string& text) {
  write_file(path, text);
  return path;
}

// A daemon whose settings come from a config file the test rewrites.
struct Reloadable {
  TempDir dir;
  std::string config;
  DaemonProcess daemon;

  explicit Reloadable(const std::string& text)
      : config(written(dir / "tandemd.toml", text)),
        daemon(dir / "data", dir / "s.sock", {"--config", config}) {}

  Msg call(const std::string& line) {
    JsonClient c(daemon.socket());
    return parse_response(c.call(line));
  }
  bool init() { return root(call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit(); }
  bool serving() { return root(call(R"({"id": 2, "status": {}})")).isStatus(); }
  std::string listen() {
    return root(call(R"({"id": 3, "status": {}})")).getStatus().getListen().cStr();
  }
  std::size_t reloads() const {
    const std::string log = daemon.log();
    return count_of(log, "configuration reloaded") + count_of(log, "reload refused");
  }
  // Rewrites the config file, sends SIGHUP and waits until the daemon logged the outcome.
  void reload(const std::string& text) {
    write_file(config, text);
    const std::size_t before = reloads();
    REQUIRE(::kill(daemon.pid(), SIGHUP) == 0);
    INFO(daemon.log());
    REQUIRE(eventually([&] { return reloads() > before; }));
  }
  bool logged(const std::string& needle) const {
    return daemon.log().find(needle) != std::string::npos;
  }
};

}  // namespace

TEST_CASE("SIGHUP dials a static peer the config file gained and stops dialling one it lost",
          "[reload][daemon]") {
  DialCatcher peer;
  Reloadable d(config_text(kLoopback, false, {}));
  REQUIRE(d.init());
  CHECK_FALSE(peer.caught_within(1000));  // nobody knows it yet

  d.reload(config_text(kLoopback, false, {peer.address()}));
  CHECK(d.logged("static peer " + peer.address() + " added by the config file"));
  INFO(d.daemon.log());
  REQUIRE(peer.caught_within(10000));
  REQUIRE(peer.caught_within(10000));  // its handshake failed, and it dials again (backoff <= 1 s)

  d.reload(config_text(kLoopback, false, {}));
  CHECK(d.logged("static peer " + peer.address() + " left the config file: no longer dialled"));
  // A dial already under way when the reload landed may still arrive; none after it. The next
  // retry would have come within its backoff (at most 4 s by now).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  peer.drain();
  CHECK_FALSE(peer.caught_within(5000));
  CHECK(d.serving());
}

TEST_CASE("SIGHUP starts and stops the LAN beacons of the running daemon", "[reload][daemon]") {
  Reloadable d(config_text(kLoopback, false, {}));
  REQUIRE(d.init());
  const pid_t pid = d.daemon.pid();
  CHECK(udp_ports_of(pid).empty());  // no beacon sender, no beacon listener

  BeaconEar ear;  // before the reload: the first beacon goes out at once
  d.reload(config_text(kLoopback, true, {}));
  INFO(d.daemon.log());
  CHECK(d.logged("LAN discovery on"));
  // The beacon listener binds the beacon port (7471); the sender has sockets of its own.
  CHECK(eventually([&] { return udp_ports_of(pid).count(7471) == 1; }));
  auto ports = udp_ports_of(pid);
  CHECK(ports.size() >= 2);
  if (has_broadcast_interface()) {
    ports.erase(7471);
    CHECK(ear.heard_from(ports, 5000));  // a beacon from the daemon's sender
  } else {
    WARN("no broadcast interface here: the beacon itself is not checked");
  }

  d.reload(config_text(kLoopback, false, {}));
  CHECK(d.logged("LAN discovery off: beacons stopped"));
  CHECK(eventually([&] { return udp_ports_of(pid).empty(); }));
  CHECK(d.serving());
}

TEST_CASE("SIGHUP logs once that a new listen address needs a restart, and keeps serving",
          "[reload][daemon]") {
  Reloadable d(config_text(kLoopback, false, {}));
  REQUIRE(d.init());
  const std::string before = d.listen();
  REQUIRE_FALSE(before.empty());

  d.reload(config_text("127.0.0.1:7", false, {}));
  INFO(d.daemon.log());
  CHECK(count_of(d.daemon.log(), "needs a restart to take effect: listen (") == 1);
  CHECK(d.listen() == before);  // still accepting peers where it was
  CHECK(d.serving());

  d.reload(config_text("127.0.0.1:7", false, {}, "log_level = \"debug\"\n"));
  CHECK(d.logged("configuration reloaded (log level debug"));
}

TEST_CASE("SIGHUP with a broken config file keeps the running configuration and names FILE:LINE",
          "[reload][daemon]") {
  DialCatcher peer;
  Reloadable d(config_text(kLoopback, false, {peer.address()}));
  REQUIRE(d.init());
  REQUIRE(peer.caught_within(10000));

  // The broken file would also drop the peer and turn beacons on, were any of it applied.
  d.reload(config_text(kLoopback, true, {}, "colour = \"blue\"\n"));
  INFO(d.daemon.log());
  CHECK(d.logged("reload refused, keeping the running configuration: " + d.config +
                 ":4: unknown key \"colour\""));
  CHECK_FALSE(d.logged("configuration reloaded"));
  CHECK(udp_ports_of(d.daemon.pid()).empty());
  peer.drain();
  CHECK(peer.caught_within(15000));  // still dialled
  CHECK(d.serving());

  // A bad value is refused the same way, with its line.
  d.reload(config_text(kLoopback, false, {"not a host:1"}));
  CHECK(d.logged(d.config + ":3: peers"));
  CHECK_FALSE(d.logged("configuration reloaded"));
}

TEST_CASE("a static peer that leaves the config file is still dialled when `peer add` stored it",
          "[reload][daemon]") {
  DialCatcher peer;
  Reloadable d(config_text(kLoopback, false, {peer.address()}));
  REQUIRE(d.init());
  REQUIRE(root(d.call(R"({"id": 4, "peerAdd": {"address": ")" + peer.address() + R"("}})"))
              .isPeerAddresses());
  REQUIRE(peer.caught_within(10000));

  d.reload(config_text(kLoopback, false, {}));
  INFO(d.daemon.log());
  CHECK(d.logged("static peer " + peer.address() + " left the config file; still dialled"));
  peer.drain();
  CHECK(peer.caught_within(15000));
  auto list = d.call(R"({"id": 5, "peerList": {}})");
  REQUIRE(root(list).isPeerAddresses());
  auto addresses = root(list).getPeerAddresses().getAddresses();
  REQUIRE(addresses.size() == 1);
  CHECK(std::string(addresses[0].cStr()) == peer.address());
}

TEST_CASE("a reload before the space exists is what the network starts with", "[reload][daemon]") {
  DialCatcher peer;
  Reloadable d(config_text(kLoopback, false, {}));
  d.reload(config_text(kLoopback, false, {peer.address()}));
  REQUIRE(d.init());  // the network starts now, with the reloaded peers
  INFO(d.daemon.log());
  CHECK(peer.caught_within(10000));
}

TEST_CASE("a reload while the daemon is locked is what the network starts with at unlock",
          "[reload][daemon][passphrase]") {
  const std::string pass = "correct horse battery";
  DialCatcher peer;
  Reloadable d(config_text(kLoopback, false, {}));
  REQUIRE(d.init());
  REQUIRE(root(d.call(R"({"id": 6, "setPassphrase": {"passphrase": ")" + pass +
                      R"(", "current": ""}})"))
              .isPassphraseSet());
  d.daemon.stop();
  d.daemon.start();
  REQUIRE(root(d.call(R"({"id": 7, "status": {}})")).getStatus().getLocked());

  d.reload(config_text(kLoopback, false, {peer.address()}));
  INFO(d.daemon.log());
  CHECK_FALSE(peer.caught_within(1000));  // locked: no peer is dialled
  REQUIRE(root(d.call(R"({"id": 8, "unlock": {"passphrase": ")" + pass + R"("}})")).isUnlocked());
  CHECK(peer.caught_within(10000));
}
