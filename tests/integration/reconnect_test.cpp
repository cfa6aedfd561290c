// Peers find each other again after a restart on a new port: each side's hello names the port it
// listens on, and the other remembers it (in its store) and dials it when it starts.
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

// The one other device as `d` sees it: connected, and the address it dials.
struct Seen {
  bool connected = false;
  std::string address;
};
Seen seen(Device& d) {
  auto p = d.call(R"({"id": 4, "peers": {}})");
  auto devs = root(p).getPeers().getDevices();
  if (devs.size() != 1) return {};
  return {devs[0].getConnected(), devs[0].getAddress().cStr()};
}

}  // namespace

TEST_CASE("a daemon that restarts on a new port is found again by its partner's",
          "[pair][network]") {
  Device alex, sam;  // each listens on 127.0.0.1, port 0: a new port at every start
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  REQUIRE(eventually([&] { return seen(alex).connected && seen(sam).connected; }));
  // Alex learned from Sam's hello where Sam listens (Sam dialled Alex from another port).
  CHECK(eventually([&] { return seen(alex).address == sam.listen(); }));

  // (The address is stored by a commit of its own, a few milliseconds after it shows in peers.)
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Alex (whose address Sam was given at pairing) moves to a new port: nobody types anything.
  const std::string alex_before = alex.listen();
  alex.daemon.stop();
  alex.daemon.start();
  REQUIRE(alex.listen() != alex_before);
  INFO(alex.daemon.log());
  INFO(sam.daemon.log());
  CHECK(eventually([&] { return seen(alex).connected && seen(sam).connected; }, 20));
  CHECK(eventually([&] { return seen(sam).address == alex.listen(); }));

  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Now Sam moves. Sam's daemon must dial Alex at the port Alex announced after its restart
  // (remembered across Sam's own restart); the one from pairing is dead.
  const std::string sam_before = sam.listen();
  sam.daemon.stop();
  sam.daemon.start();
  REQUIRE(sam.listen() != sam_before);
  CHECK(eventually([&] { return seen(alex).connected && seen(sam).connected; }, 20));
  CHECK(eventually([&] { return seen(alex).address == sam.listen(); }));

  // The new connection syncs: an entry written by Sam reaches Alex.
  REQUIRE(root(sam.call(R"({"id": 5, "add": {"entry": {"contribution": {}}}})")).isEntry());
  CHECK(eventually([&] {
    auto l = alex.call(R"({"id": 6, "list": {}})");
    if (!root(l).isList()) return false;
    auto entries = root(l).getList().getEntries();
    return entries.size() == 1 && entries[0].getAuthor() == schema::Party::PARTNER;
  }));
}

TEST_CASE("daemons listening on IPv6 pair and connect over IPv6", "[pair][network]") {
  Device alex({"--listen", "[::1]:0"}), sam({"--listen", "[::1]:0"});
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  CHECK(alex.listen().rfind("[::1]:", 0) == 0);
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto joined =
      sam.call(R"({"id": 2, "pairJoin": {"code": ")" + code +
               R"(", "name": "Sam", "address": "[::1]:)" + std::to_string(port) + R"("}})");
  INFO(sam.daemon.log());
  REQUIRE(root(joined).isPaired());
  REQUIRE(root(parse_response(conn->read_line())).isPaired());
  CHECK(eventually([&] { return seen(alex).connected && seen(sam).connected; }));
  CHECK(eventually([&] { return seen(alex).address == sam.listen(); }));
  CHECK(seen(sam).address == alex.listen());
}

TEST_CASE("a partner that goes silent is dropped after four missed keepalives, and comes back",
          "[pair][network]") {
  using Clock = std::chrono::steady_clock;
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  REQUIRE(eventually([&] { return seen(alex).connected && seen(sam).connected; }));

  // Sam's daemon freezes with its connection open: no FIN, no RST, just silence (a laptop lid
  // closed, a NAT that dropped the mapping). Keepalives go every 10 s; 40 s without a byte ends
  // the session.
  const auto wall_ms = [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  };
  const std::uint64_t frozen_at = wall_ms();
  const auto t0 = Clock::now();
  REQUIRE(::kill(sam.daemon.pid(), SIGSTOP) == 0);
  struct Wake {
    pid_t pid;
    ~Wake() { ::kill(pid, SIGCONT); }  // whatever happens below, Sam can be stopped cleanly
  } wake{sam.daemon.pid()};
  bool dropped = false;
  while (Clock::now() - t0 < std::chrono::seconds(60)) {
    // Alex's own clients are served all along.
    REQUIRE(root(alex.call(R"({"id": 2, "status": {}})")).isStatus());
    if (!seen(alex).connected) {
      dropped = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t0).count();
  ::kill(sam.daemon.pid(), SIGCONT);
  REQUIRE(dropped);
  // Not before the last keepalive Alex got (at most 10 s before the freeze) is 40 s old.
  CHECK(waited >= 29);
  CHECK(waited <= 45);
  // Last seen: when the frozen device was last heard from, before the freeze.
  auto p = alex.call(R"({"id": 3, "peers": {}})");
  const auto last_seen = root(p).getPeers().getDevices()[0].getLastSeen();
  CHECK(last_seen <= frozen_at + 1000);
  CHECK(last_seen + 11000 >= frozen_at);

  // Once it wakes, the two find each other again without anyone doing anything.
  INFO(alex.daemon.log());
  CHECK(eventually([&] { return seen(alex).connected && seen(sam).connected; }, 30));
}
