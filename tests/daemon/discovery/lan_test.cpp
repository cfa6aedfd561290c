#include "daemon/discovery/lan.hpp"

#include "daemon/crypto/primitives.hpp"
#include "tests/daemon/discovery/fake_random.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tandem;
using namespace tandem::discovery;
using namespace std::chrono_literals;

namespace {

crypto::SymmetricKey key_of(std::uint8_t fill) {
  crypto::SymmetricKey k;
  std::memset(k.data(), fill, k.size());
  return k;
}

const auto kLoopback = asio::ip::make_address("127.0.0.1");

// Runs `io` until `done` or a deadline, so a failing test never hangs.
void run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(10ms);
    if (io.stopped()) io.restart();
  }
}

struct Fixture {
  asio::io_context io;
  ManualClock clock{1'700'000'000'000};
  std::vector<Candidate> seen;

  std::unique_ptr<BeaconListener> listen(const BeaconScope& scope) {
    ListenerOptions lo;
    lo.listen = {udp::endpoint(kLoopback, 0)};
    auto l = std::make_unique<BeaconListener>(io.get_executor(), lo, scope, clock,
                                              [this](const Candidate& c) { seen.push_back(c); });
    REQUIRE(l->start().ok());
    REQUIRE(l->local_endpoints().size() == 1);
    return l;
  }

  std::unique_ptr<BeaconSender> send(const BeaconScope& scope, udp::endpoint to,
                                     std::uint16_t port) {
    SenderOptions so;
    so.destinations = {to};
    so.advertised_port = port;
    so.interval = 50ms;
    auto s = std::make_unique<BeaconSender>(io.get_executor(), so, scope, clock,
                                            testing::seeded_random(1));
    REQUIRE(s->start().ok());
    return s;
  }
};

}  // namespace

TEST_CASE("a beacon sent on loopback reaches a listener of the same space as a candidate") {
  Fixture f;
  const BeaconScope scope = BeaconScope::space(beacon_key(key_of(3), 0));
  auto listener = f.listen(scope);
  auto sender = f.send(scope, listener->local_endpoints()[0], 7470);
  run_until(f.io, [&] { return !f.seen.empty(); });
  REQUIRE_FALSE(f.seen.empty());
  CHECK(f.seen[0].address == kLoopback);
  CHECK(f.seen[0].port == 7470);
  CHECK(f.seen[0].kind == BeaconKind::kSpace);
  CHECK(sender->sent() >= 1);
}

TEST_CASE("the sender repeats its beacon every interval") {
  Fixture f;
  const BeaconScope scope = BeaconScope::pairing(17);
  auto listener = f.listen(scope);
  auto sender = f.send(scope, listener->local_endpoints()[0], 9000);
  run_until(f.io, [&] { return f.seen.size() >= 3; });
  CHECK(f.seen.size() >= 3);
  CHECK(f.seen.back().kind == BeaconKind::kPairing);
  CHECK(f.seen.back().port == 9000);
}

TEST_CASE("a listener ignores other spaces, other channels and junk datagrams") {
  Fixture f;
  const BeaconScope mine = BeaconScope::space(beacon_key(key_of(3), 0));
  const BeaconScope theirs = BeaconScope::space(beacon_key(key_of(4), 0));
  const BeaconScope channel = BeaconScope::pairing(17);
  auto listener = f.listen(mine);
  const udp::endpoint to = listener->local_endpoints()[0];
  auto s1 = f.send(theirs, to, 7470);
  auto s2 = f.send(channel, to, 7470);
  udp::socket junk(f.io, udp::v4());
  for (std::size_t n : {0, 5, 23, 60}) {
    std::vector<std::uint8_t> bytes(n, 0x41);
    junk.send_to(asio::buffer(bytes), to);
  }
  const auto stop_at = std::chrono::steady_clock::now() + 300ms;
  run_until(f.io, [&] { return std::chrono::steady_clock::now() > stop_at; });
  CHECK(s1->sent() >= 2);
  CHECK(f.seen.empty());

  // A real beacon still gets through afterwards: the junk did not stop the listener.
  auto s3 = f.send(mine, to, 7471);
  run_until(f.io, [&] { return !f.seen.empty(); });
  REQUIRE(f.seen.size() >= 1);
  CHECK(f.seen[0].port == 7471);
}

TEST_CASE("stale beacons are refused once the listener's clock is two windows ahead") {
  Fixture f;
  const BeaconScope scope = BeaconScope::space(beacon_key(key_of(3), 0));
  auto listener = f.listen(scope);
  ManualClock sender_clock{f.clock.now_ms() - 2 * kBeaconWindowSeconds * 1000};
  SenderOptions so;
  so.destinations = listener->local_endpoints();
  so.advertised_port = 7470;
  so.interval = 50ms;
  BeaconSender sender(f.io.get_executor(), so, scope, sender_clock, testing::seeded_random(2));
  REQUIRE(sender.start().ok());
  const auto stop_at = std::chrono::steady_clock::now() + 200ms;
  run_until(f.io, [&] { return std::chrono::steady_clock::now() > stop_at; });
  CHECK(sender.sent() >= 2);
  CHECK(f.seen.empty());
}

TEST_CASE("an unreachable destination is survived: the sender keeps running") {
  Fixture f;
  const BeaconScope scope = BeaconScope::pairing(5);
  auto listener = f.listen(scope);
  SenderOptions so;
  // 0.0.0.0:0 cannot be sent to; the loopback listener still must get the next destination.
  so.destinations = {udp::endpoint(asio::ip::address_v4::any(), 0), listener->local_endpoints()[0]};
  so.advertised_port = 7470;
  so.interval = 50ms;
  BeaconSender sender(f.io.get_executor(), so, scope, f.clock, testing::seeded_random(3));
  REQUIRE(sender.start().ok());
  run_until(f.io, [&] { return f.seen.size() >= 2; });
  CHECK(f.seen.size() >= 2);
}

TEST_CASE("destroying a running sender and listener leaves no dangling work") {
  Fixture f;
  const BeaconScope scope = BeaconScope::pairing(9);
  {
    auto listener = f.listen(scope);
    auto sender = f.send(scope, listener->local_endpoints()[0], 7470);
    f.io.run_for(20ms);
  }
  f.io.restart();
  f.io.run_for(100ms);  // the coroutines finish on their own: aborted waits, no use-after-free
  SUCCEED();
}

TEST_CASE("a listener with no bindable endpoint fails to start with kIo") {
  asio::io_context io;
  ManualClock clock{0};
  const BeaconScope scope = BeaconScope::pairing(1);
  ListenerOptions lo;
  lo.listen = {udp::endpoint(asio::ip::make_address("192.0.2.1"), 0)};  // not a local address
  BeaconListener listener(io.get_executor(), lo, scope, clock, {});
  const Status st = listener.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == Code::kIo);
}

TEST_CASE("default destinations are IPv4 broadcast and IPv6 all-nodes on port 7471") {
  const auto d = default_beacon_destinations();
  REQUIRE(d.size() == 2);
  CHECK(d[0] == udp::endpoint(asio::ip::address_v4::broadcast(), 7471));
  CHECK(d[1] == udp::endpoint(asio::ip::make_address("ff02::1"), 7471));
}
