// The listener over real loopback TCP: addresses, authenticated channels handed over, failures
// counted and logged once per kind, floods of idle connections, the cap on handshakes.
#include "daemon/wire/listener.hpp"

#include "tests/daemon/wire/raw_peer.hpp"
#include "tests/daemon/wire/wire_fixture.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace tandem;
using namespace tandem::wire;
using namespace tandem::wire::testing;
using namespace std::chrono_literals;

TEST_CASE("listen addresses parse for IPv4, IPv6 and localhost", "[listener]") {
  auto e = parse_endpoint("0.0.0.0:7470").value();
  CHECK(e.address().to_string() == "0.0.0.0");
  CHECK(e.port() == 7470);
  e = parse_endpoint("[::1]:7471").value();
  CHECK(e.address().is_v6());
  CHECK(e.address().is_loopback());
  CHECK(e.port() == 7471);
  e = parse_endpoint("localhost:7470").value();
  CHECK(e.address().to_string() == "127.0.0.1");
  e = parse_endpoint("[::]").value();
  CHECK(e.address().is_unspecified());
  CHECK(e.port() == kDefaultPort);
  CHECK(parse_endpoint("::1").value().port() == kDefaultPort);
  CHECK(parse_endpoint("192.168.1.20").value().port() == 7470);
  CHECK(parse_endpoint("127.0.0.1:0").value().port() == 0);
  for (const char* bad : {"", ":7470", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:7x", "[::1",
                          "[::1]7470", "example.org:7470", "300.1.1.1:7470", "127.0.0.1:-1"}) {
    INFO(bad);
    auto r = parse_endpoint(bad);
    REQUIRE(!r.ok());
    CHECK(r.error().code == Code::kInvalidArgument);
  }
}

namespace {

struct Harness {
  explicit Harness(ListenerOptions options, tcp::endpoint at = loopback_v4()) {
    options.log_sink = [this](const std::string& line) { lines.push_back(line); };
    listener = Listener::open(io.get_executor(), at, std::move(options), [this](Channel c) {
                 channels.push_back(std::move(c));
               }).value();
    asio::co_spawn(io, listener->run(), asio::detached);
  }
  ~Harness() {
    listener->stop();
    channels.clear();
    io.restart();
    io.run_for(1s);  // let the coroutines unwind
  }
  asio::io_context io;
  std::unique_ptr<Listener> listener;
  std::vector<Channel> channels;
  std::vector<std::string> lines;
};

// Whether this machine lets a socket listen on `address` (port 0): IPv6 may be off.
bool can_listen_on(const asio::ip::address& address) {
  asio::io_context probe;
  boost::system::error_code ec;
  tcp::acceptor a(probe);
  a.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) a.bind(tcp::endpoint(address, 0), ec);
  return !ec;
}

ListenerOptions listener_options(const Keys& k, std::optional<crypto::PublicKey> allowed = {}) {
  ListenerOptions o;
  o.channel = options_for(k.bob, k.space, allowed);
  return o;
}

}  // namespace

TEST_CASE("the listener hands authenticated channels to its callback", "[listener]") {
  Keys k;
  Harness h(listener_options(k, k.alice_pub));
  run_for(h.io, [&]() -> awaitable<void> {
    auto a = co_await connect(h.io.get_executor(), h.listener->local_endpoint(),
                              options_for(k.alice, k.space, k.bob_pub));
    REQUIRE(a.ok());
    while (h.channels.empty()) co_await sleep_for(1ms);
    Channel& b = h.channels.front();
    CHECK(b.remote_static() == k.alice_pub);
    auto got47 = co_await a->send(as_bytes("hello"));
    REQUIRE(got47.ok());
    auto got49 = co_await b.receive();
    CHECK(got49.value().size() == 5);
    auto got51 = co_await b.send(as_bytes("hi"));
    REQUIRE(got51.ok());
    auto got53 = co_await a->receive();
    CHECK(got53.value().size() == 2);
    auto s = h.listener->stats();
    CHECK(s.accepted == 1);
    CHECK(s.established == 1);
    CHECK(s.in_flight == 0);
  });
}

TEST_CASE("the listener works on IPv6 loopback", "[listener]") {
  Keys k;
  if (!can_listen_on(asio::ip::address_v6::loopback())) {
    WARN("no IPv6 loopback here; skipped");
    return;
  }
  Harness h(listener_options(k), parse_endpoint("[::1]:0").value());
  CHECK(h.listener->local_endpoint().address().is_v6());
  run_for(h.io, [&]() -> awaitable<void> {
    auto c = co_await connect(h.io.get_executor(), h.listener->local_endpoint(),
                              options_for(k.alice, k.space));
    REQUIRE(c.ok());
    while (h.channels.empty()) co_await sleep_for(1ms);
    CHECK(h.channels.front().remote_endpoint().address().is_v6());
  });
}

TEST_CASE("the default listen address, IPv6 any, takes IPv4 connections too", "[listener]") {
  Keys k;
  if (!can_listen_on(asio::ip::address_v6::any())) {
    WARN("no IPv6 here; skipped");
    return;
  }
  // Whatever this machine's net.ipv6.bindv6only, the listener asks for both families.
  Harness h(listener_options(k), parse_endpoint("[::]:0").value());
  const auto port = h.listener->local_endpoint().port();
  run_for(h.io, [&]() -> awaitable<void> {
    auto c =
        co_await connect(h.io.get_executor(), tcp::endpoint(asio::ip::address_v4::loopback(), port),
                         options_for(k.alice, k.space));
    REQUIRE(c.ok());
    while (h.channels.empty()) co_await sleep_for(1ms);
    const auto from = h.channels.front().remote_endpoint().address();
    CHECK((from.is_v4() || from.to_v6().is_v4_mapped()));
  });
}

TEST_CASE("refusals are counted by kind and logged once per kind per interval", "[listener]") {
  Keys k;
  Harness h(listener_options(k, k.alice_pub));
  run_for(h.io, [&]() -> awaitable<void> {
    const auto at = h.listener->local_endpoint();
    for (int i = 0; i < 20; ++i) {
      auto r = co_await connect(h.io.get_executor(), at, options_for(k.mallory, k.other_space));
      CHECK(!r.ok());
    }
    for (int i = 0; i < 5; ++i) {
      auto r = co_await connect(h.io.get_executor(), at, options_for(k.mallory, k.space));
      if (r.ok()) (void)co_await r->receive();  // wait for the refusal to land
    }
    while (h.listener->stats().refused_key < 5) co_await sleep_for(1ms);
    auto s = h.listener->stats();
    CHECK(s.refused_psk == 20);
    CHECK(s.refused_key == 5);
    CHECK(s.established == 0);
    // One line per kind so far (the first event of each), however many events.
    CHECK(h.lines.size() == 2);
    CHECK(h.listener->log().pending("peer handshakes refused: wrong space key (PSK) or tampered "
                                    "message") == 19);
    h.listener->stop();  // flushes what is pending
    REQUIRE(h.lines.size() == 4);
    const std::string flushed = h.lines[2] + "\n" + h.lines[3];
    CHECK(flushed.find("(PSK) or tampered message: 19 in the last") != std::string::npos);
    CHECK(flushed.find("not in the roster: 4 in the last") != std::string::npos);
  });
}

TEST_CASE("over the cap, the oldest handshake is closed at once", "[listener]") {
  Keys k;
  auto options = listener_options(k);
  options.max_handshakes = 4;
  Harness h(std::move(options));
  run_for(h.io, [&]() -> awaitable<void> {
    std::vector<RawPeer> idle;
    for (int i = 0; i < 10; ++i) idle.push_back(co_await raw_connect(h.listener->local_endpoint()));
    while (h.listener->stats().accepted < 10) co_await sleep_for(1ms);
    auto s = h.listener->stats();
    CHECK(s.evicted == 6);
    CHECK(s.in_flight == 4);
    for (int i = 0; i < 6; ++i) {
      auto got55 = co_await idle[i].read_until_closed(1s);
      CHECK(got55 == Code::kIo);
    }
    for (int i = 6; i < 10; ++i) CHECK(idle[i].socket.is_open());
  });
}

TEST_CASE(
    "1000 half-open connections are closed within the deadline while a real peer still "
    "gets through",
    "[listener][slow]") {
  Keys k;
  for (std::size_t cap : {std::size_t{64}, std::size_t{2000}}) {
    INFO("max_handshakes " << cap);
    auto options = listener_options(k, k.alice_pub);
    options.max_handshakes = cap;
    options.channel.handshake_timeout = 2000ms;
    Harness h(std::move(options));
    run_for(
        h.io,
        [&]() -> awaitable<void> {
          const auto at = h.listener->local_endpoint();
          std::vector<RawPeer> idle;
          idle.reserve(1000);
          for (int i = 0; i < 1000; ++i) idle.push_back(co_await raw_connect(at));
          const auto t0 = std::chrono::steady_clock::now();
          // A real peer during the flood.
          auto real =
              co_await connect(h.io.get_executor(), at, options_for(k.alice, k.space, k.bob_pub));
          REQUIRE(real.ok());
          while (h.channels.empty()) co_await sleep_for(1ms);
          CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);
          // Every idle connection is closed by the listener, none later than the deadline.
          int closed = 0;
          for (auto& p : idle) {
            if (co_await p.read_until_closed(3s) == Code::kIo) ++closed;
          }
          const auto elapsed = std::chrono::steady_clock::now() - t0;
          CHECK(closed == 1000);
          CHECK(elapsed < 2000ms + 1000ms);
          auto s = h.listener->stats();
          CHECK(s.accepted == 1001);
          CHECK(s.established == 1);
          CHECK(s.evicted + s.timed_out == 1000);
          if (cap == 64) CHECK(s.evicted == 1000 - 63);  // 63 idle and the real peer fit
          CHECK(s.in_flight == 0);
          // The channel still works.
          auto got57 = co_await real->send(as_bytes("through"));
          REQUIRE(got57.ok());
          auto got59 = co_await h.channels.front().receive();
          CHECK(got59.ok());
          // Two kinds at most, each logged once so far, not a thousand lines.
          CHECK(h.lines.size() <= 2);
        },
        30s);
  }
}

TEST_CASE("a trickling peer is dropped by the listener at the handshake deadline",
          "[listener][slow]") {
  Keys k;
  auto options = listener_options(k);
  options.channel.handshake_timeout = 1500ms;
  Harness h(std::move(options));
  run_for(h.io, [&]() -> awaitable<void> {
    RawPeer slow = co_await raw_connect(h.listener->local_endpoint());
    const auto t0 = std::chrono::steady_clock::now();
    std::uint8_t byte = 0x01;  // a header of 257 bytes, then a payload that never completes
    while (h.listener->stats().timed_out == 0 && std::chrono::steady_clock::now() - t0 < 5s) {
      (void)co_await slow.write(ByteView(&byte, 1));
      co_await sleep_for(1000ms);
    }
    CHECK(h.listener->stats().timed_out == 1);
    CHECK(std::chrono::steady_clock::now() - t0 < 2600ms);
    auto got61 = co_await slow.read_until_closed(1s);
    CHECK(got61 == Code::kIo);
  });
}

TEST_CASE("stop() ends handshakes in flight at once", "[listener]") {
  Keys k;
  Harness h(listener_options(k));
  run_for(h.io, [&]() -> awaitable<void> {
    RawPeer idle = co_await raw_connect(h.listener->local_endpoint());
    while (h.listener->stats().in_flight == 0) co_await sleep_for(1ms);
    const auto t0 = std::chrono::steady_clock::now();
    h.listener->stop();
    auto got63 = co_await idle.read_until_closed(2s);
    CHECK(got63 == Code::kIo);
    CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
    CHECK(h.listener->stats().in_flight == 0);
  });
}

TEST_CASE("opening on an address in use fails with kIo", "[listener]") {
  Keys k;
  asio::io_context io;
  tcp::acceptor busy(io, loopback_v4());
  auto r = Listener::open(io.get_executor(), busy.local_endpoint(), listener_options(k), {});
  // SO_REUSEADDR does not allow two listeners on one port on Linux.
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kIo);
}
