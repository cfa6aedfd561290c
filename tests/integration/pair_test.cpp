// Pairing and peer connections between real daemons on loopback: a short code, CPace inside
// Noise_XX, the roster handed over, then Noise XXpsk0 connections checked against the roster.
#include "daemon/discovery/pairing_code.hpp"
#include "daemon/discovery/random.hpp"
#include "daemon/pairing/pairing.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/sync/engine.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/listener.hpp"
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

namespace asio = wire::asio;
using wire::awaitable;
using wire::tcp;

// A stranger on the network who connects to an open invite's port: anyone can complete the plain
// Noise_XX handshake there. It keeps the channel (and so the code's one guess) until hang_up().
struct Stranger {
  asio::io_context io;
  crypto::DhKeyPair me = crypto::dh_keypair();
  std::optional<wire::Channel> channel;
  explicit Stranger(std::uint16_t port) {
    wire::ChannelOptions o;
    o.protocol = std::string(wire::kPairingProtocol);
    o.prologue = std::string(wire::kPairingPrologue);
    o.local_static = &me.secret;
    o.authorize = [](const crypto::PublicKey&) { return true; };
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          auto ch = co_await wire::connect(
              io.get_executor(), tcp::endpoint(asio::ip::address_v4::loopback(), port), o);
          if (ch) channel.emplace(std::move(*ch));
        },
        asio::detached);
    io.run();
    io.restart();
  }
  // The inviter's static key as the stranger saw it in the handshake.
  crypto::PublicKey seen() const { return channel->remote_static(); }
  void hang_up() {
    channel->close();
    io.run();
  }
};

// The long-term X25519 public key of `d` (the one its roster entry lists).
crypto::PublicKey long_term_dh(Device& d) {
  auto sk = store::read_key_file<32>(d.dir.path() + "/data/keys/device.dh");
  REQUIRE(sk);
  return crypto::dh_public(*sk);
}

std::string message_of(const Msg& m) {
  return root(m).getError().getMessage().cStr();
}

Msg join(Device& d, const std::string& code, std::uint16_t port) {
  return d.call(R"({"id": 2, "pairJoin": {"code": ")" + code +
                R"(", "name": "Sam", "address": "127.0.0.1:)" + std::to_string(port) + R"("}})");
}

}  // namespace

TEST_CASE("two partners pair with a code and their daemons connect", "[pair][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto joined = sam.call(R"({"id": 2, "pairJoin": {"code": ")" + code +
                         R"(", "name": "Sam", "deviceName": "sam-laptop", "address": "127.0.0.1:)" +
                         std::to_string(port) + R"("}})");
  INFO(sam.daemon.log());
  REQUIRE(root(joined).isPaired());
  CHECK(std::string(root(joined).getPaired().getMemberName().cStr()) == "Sam");
  auto final_answer = parse_response(conn->read_line());
  REQUIRE(root(final_answer).isPaired());
  CHECK(std::string(root(final_answer).getPaired().getDeviceName().cStr()) == "sam-laptop");
  CHECK_FALSE(root(final_answer).getPaired().getAsDevice());

  auto as = alex.call(R"({"id": 3, "status": {}})");
  auto ss = sam.call(R"({"id": 3, "status": {}})");
  CHECK(std::string(root(ss).getStatus().getSpaceId().cStr()) ==
        root(as).getStatus().getSpaceId().cStr());
  CHECK(std::string(root(ss).getStatus().getMemberName().cStr()) == "Sam");
  CHECK(std::string(root(ss).getStatus().getPartnerName().cStr()) == "Alex");
  CHECK(std::string(root(as).getStatus().getPartnerName().cStr()) == "Sam");

  // Sam's daemon dials Alex's; both see the other connected, with a round trip measured.
  auto connected = [](Device& d) {
    auto p = d.call(R"({"id": 4, "peers": {}})");
    auto devs = root(p).getPeers().getDevices();
    return devs.size() == 1 && devs[0].getConnected();
  };
  CHECK(eventually([&] { return connected(alex); }));
  CHECK(eventually([&] { return connected(sam); }));
  auto p = alex.call(R"({"id": 4, "peers": {}})");
  CHECK(root(p).getPeers().getDevices()[0].getMember() == schema::Party::PARTNER);
  CHECK(std::string(root(p).getPeers().getDevices()[0].getMemberName().cStr()) == "Sam");
  // The entries Sam writes are signed by a device Alex's roster knows.
  REQUIRE(root(sam.call(R"({"id": 5, "add": {"entry": {"contribution": {}}}})")).isEntry());
}

TEST_CASE("a wrong code fails on both sides, joins nothing, and spends the code",
          "[pair][network][security]") {
  Device alex, intruder;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  // Same channel, the same (valid) words in another order.
  auto d1 = code.find('-'), d2 = code.find('-', d1 + 1), d3 = code.find('-', d2 + 1);
  std::string wrong = code.substr(0, d1) + "-" + code.substr(d3 + 1) + "-" +
                      code.substr(d1 + 1, d2 - d1 - 1) + "-" + code.substr(d2 + 1, d3 - d2 - 1);
  REQUIRE(wrong != code);
  auto j = intruder.call(R"({"id": 2, "pairJoin": {"code": ")" + wrong +
                         R"(", "name": "Eve", "address": "127.0.0.1:)" + std::to_string(port) +
                         R"("}})");
  REQUIRE(root(j).isError());
  CHECK(root(j).getError().getCode() == schema::ErrorCode::FORBIDDEN);
  CHECK(std::string(root(j).getError().getMessage().cStr()).find("wrong code") !=
        std::string::npos);
  auto final_answer = parse_response(conn->read_line());
  REQUIRE(root(final_answer).isError());
  CHECK(std::string(root(final_answer).getError().getMessage().cStr()).find("wrong code") !=
        std::string::npos);
  // Nothing joined: the intruder has no journal, Alex's roster holds only Alex's device.
  CHECK_FALSE(root(intruder.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
  CHECK(root(alex.call(R"({"id": 4, "peers": {}})")).getPeers().getDevices().size() == 0);
  // The code was spent: the right code no longer works.
  // The code was spent: the right code no longer works, and the joiner is told why.
  Device late;
  auto again = join(late, code, port);
  REQUIRE(root(again).isError());
  CHECK(root(again).getError().getCode() == schema::ErrorCode::UNAVAILABLE);
  INFO(message_of(again));
  CHECK(message_of(again).find("used already or has expired") != std::string::npos);
  CHECK(message_of(again).find("tandem pair invite") != std::string::npos);
  CHECK_FALSE(root(late.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
}

TEST_CASE(
    "a stranger who connects to an open invite learns no long-term key and only spends "
    "the code",
    "[pair][network][security]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  const crypto::PublicKey alex_key = long_term_dh(alex);
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();

  Stranger stranger(port);
  REQUIRE(stranger.channel);
  // The invite's Noise session shows a throwaway key, not the device's long-term one.
  CHECK(stranger.seen() != alex_key);

  // While the stranger holds the code's one guess, the real joiner hears exactly that.
  auto during = join(sam, code, port);
  REQUIRE(root(during).isError());
  INFO(message_of(during));
  CHECK(root(during).getError().getCode() == schema::ErrorCode::FORBIDDEN);
  CHECK(message_of(during).find("already used") != std::string::npos);

  // The stranger hangs up without a guess: the invite fails, saying the code is spent.
  stranger.hang_up();
  auto final_answer = parse_response(conn->read_line());
  REQUIRE(root(final_answer).isError());
  INFO(message_of(final_answer));
  CHECK(message_of(final_answer).find("the code is spent") != std::string::npos);
  CHECK(message_of(final_answer).find("tandem pair invite") != std::string::npos);

  // Afterwards the port is closed: the joiner is told the code was most likely used or expired.
  auto after = join(sam, code, port);
  REQUIRE(root(after).isError());
  INFO(message_of(after));
  CHECK(message_of(after).find("used already or has expired") != std::string::npos);
  CHECK_FALSE(root(sam.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
  CHECK(root(alex.call(R"({"id": 4, "peers": {}})")).getPeers().getDevices().size() == 0);

  // Each invite has a key of its own: nothing links two invites of one device.
  auto [conn2, second] = invite(alex);
  REQUIRE(root(second).isPairCode());
  Stranger again(root(second).getPairCode().getPort());
  REQUIRE(again.channel);
  CHECK(again.seen() != alex_key);
  CHECK(again.seen() != stranger.seen());
  again.hang_up();
  CHECK(root(parse_response(conn2->read_line())).isError());
}

TEST_CASE("an invite code expires", "[pair][network]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex, R"("timeoutSeconds": 1)");
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto final_answer = parse_response(conn->read_line(5000));
  REQUIRE(root(final_answer).isError());
  CHECK(std::string(root(final_answer).getError().getMessage().cStr()).find("expired") !=
        std::string::npos);
  // The joiner who comes too late is told what most likely happened.
  Device sam;
  auto late = join(sam, code, port);
  REQUIRE(root(late).isError());
  INFO(message_of(late));
  CHECK(root(late).getError().getCode() == schema::ErrorCode::UNAVAILABLE);
  CHECK(message_of(late).find("used already or has expired") != std::string::npos);
  CHECK(message_of(late).find("tandem pair invite") != std::string::npos);
  CHECK_FALSE(root(sam.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
}

TEST_CASE("an invite without a timeout is good for ten minutes", "[pair][network]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto [conn, first] = invite(alex);
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  REQUIRE(root(first).isPairCode());
  const auto expires = static_cast<std::int64_t>(root(first).getPairCode().getExpiresAt());
  CHECK(expires >= before + 600'000);
  CHECK(expires <= after + 600'000);
  // And one with a timeout reports that one.
  Device jo;
  REQUIRE(root(jo.call(R"({"id": 1, "init": {"name": "Jo"}})")).isInit());
  auto [conn2, second] = invite(jo, R"("timeoutSeconds": 90)");
  REQUIRE(root(second).isPairCode());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(std::abs(static_cast<std::int64_t>(root(second).getPairCode().getExpiresAt()) -
                 (now + 90'000)) < 5'000);
}

TEST_CASE("a device of another space cannot connect", "[pair][network][security]") {
  Device alex, stranger;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  REQUIRE(root(stranger.call(R"({"id": 1, "init": {"name": "Mallory"}})")).isInit());
  auto added = stranger.call(R"({"id": 2, "peerAdd": {"address": ")" + alex.listen() + R"("}})");
  REQUIRE(root(added).isPeerAddresses());
  CHECK(root(added).getPeerAddresses().getAddresses().size() == 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(root(alex.call(R"({"id": 3, "peers": {}})")).getPeers().getDevices().size() == 0);
  CHECK(root(stranger.call(R"({"id": 3, "peers": {}})")).getPeers().getDevices().size() == 0);
  // Alex's daemon keeps serving its local clients.
  CHECK(root(alex.call(R"({"id": 4, "status": {}})")).isStatus());
}

TEST_CASE("static peers are added, listed and removed", "[pair][network]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  CHECK(root(alex.call(R"({"id": 2, "peerAdd": {"address": "127.0.0.9:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 1);
  CHECK(root(alex.call(R"({"id": 3, "peerAdd": {"address": "[::1]:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 2);
  CHECK(root(alex.call(R"({"id": 4, "peerAdd": {"address": "no-port"}})")).getError().getCode() ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(root(alex.call(R"({"id": 5, "peerRemove": {"address": "127.0.0.9:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 1);
  CHECK(root(alex.call(R"({"id": 6, "peerRemove": {"address": "127.0.0.9:9"}})"))
            .getError()
            .getCode() == schema::ErrorCode::NOT_FOUND);
  auto list = alex.call(R"({"id": 7, "peerList": {}})");
  REQUIRE(root(list).getPeerAddresses().getAddresses().size() == 1);
  CHECK(std::string(root(list).getPeerAddresses().getAddresses()[0].cStr()) == "[::1]:9");
}

namespace {

// An inviter that knows the code (so CPace and the confirmation succeed) but hands over a roster
// its signature does not cover: it signs the roster record with a key the roster does not list
// for the signing device. Runs its own io_context on a thread; one exchange.
struct RogueInviter {
  asio::io_context io;
  crypto::DhKeyPair session = crypto::dh_keypair();
  discovery::PairingCode code = discovery::generate(discovery::system_random());
  std::unique_ptr<wire::Listener> listener;
  std::thread thread;
  std::atomic<bool> welcomed{false};

  RogueInviter() {
    wire::ListenerOptions lo;
    lo.channel.protocol = std::string(wire::kPairingProtocol);
    lo.channel.prologue = std::string(wire::kPairingPrologue);
    lo.channel.local_static = &session.secret;
    lo.channel.authorize = [](const crypto::PublicKey&) { return true; };
    auto opened =
        wire::Listener::open(io.get_executor(), tcp::endpoint(asio::ip::address_v4::loopback(), 0),
                             lo, [this](wire::Channel ch) {
                               asio::co_spawn(io, exchange(std::move(ch)), asio::detached);
                               listener->stop();
                             });
    REQUIRE(opened);
    listener = std::move(*opened);
    asio::co_spawn(io, listener->run(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }
  ~RogueInviter() {
    asio::post(io, [this] { listener->stop(); });
    thread.join();
  }
  std::uint16_t port() const { return listener->local_endpoint().port(); }

  awaitable<void> exchange(wire::Channel ch) {
    const Bytes prs = discovery::prs(code);
    pairing::Binding b{prs, ByteView(ch.handshake_hash().data(), ch.handshake_hash().size()),
                       ch.remote_static(), session.pub};
    auto hello = co_await ch.receive();
    if (!hello) co_return;
    auto inv = pairing::Inviter::on_hello(b, *hello);
    if (!inv || !co_await ch.send(inv->reply())) co_return;
    auto confirm = co_await ch.receive();
    if (!confirm || !inv->on_confirm(*confirm)) co_return;
    // A roster of one inviter device and the joiner exactly as it asked to be listed...
    store::Roster r;
    crypto::random_fill(r.space_id);
    r.member_names[1] = "Mallory";
    r.member_names[2] = inv->joiner().member_name;
    const auto listed = crypto::sign_keypair();
    store::DeviceInfo me;
    me.id = {4, 4, 4, 4, 4, 4, 4, 4};
    me.member = 1;
    me.name = "rogue";
    me.sign_key = listed.pub;
    me.dh_key = session.pub;
    store::DeviceInfo j;
    j.id = inv->joiner().device_id;
    j.member = 2;
    j.name = inv->joiner().device_name;
    j.sign_key = inv->joiner().sign_key;
    j.dh_key = inv->joiner().dh_key;
    r.devices = {me, j};
    const Bytes roster = store::encode_roster(r);
    // ...in a record signed by another key than the one it lists for its signer.
    sync::WireRecord rec;
    rec.header.device = me.id;
    rec.header.seq = 1;
    rec.header.hlc = 1;
    rec.header.flags = store::kFlagRoster;
    rec.body = store::make_body(roster, "");
    rec.header.body_hash = store::compute_body_hash(*rec.body);
    store::sign_header(rec.header, crypto::sign_keypair().secret);
    pairing::Welcome w;
    w.space_id = r.space_id;
    crypto::random_fill({w.space_key.data(), w.space_key.size()});
    w.roster = roster;
    w.roster_record = sync::encode_batch(0, {rec});
    w.member = 2;
    w.peer_port = 9;
    auto sealed = inv->welcome(w);
    if (sealed && co_await ch.send(*sealed)) welcomed = true;
    ch.close();
  }
};

}  // namespace

TEST_CASE("a welcome whose roster signature does not verify is refused and nothing is stored",
          "[pair][network][security]") {
  Device sam;
  RogueInviter rogue;
  auto j = sam.call(R"({"id": 2, "pairJoin": {"code": ")" + discovery::format(rogue.code) +
                    R"(", "name": "Sam", "address": "127.0.0.1:)" + std::to_string(rogue.port()) +
                    R"("}})");
  REQUIRE(rogue.welcomed);  // the code was right: the exchange got as far as the welcome
  REQUIRE(root(j).isError());
  INFO(message_of(j));
  CHECK(root(j).getError().getCode() == schema::ErrorCode::FORBIDDEN);
  CHECK(message_of(j).find("nothing was stored") != std::string::npos);
  CHECK(message_of(j).find("does not verify") != std::string::npos);
  // Nothing stored: no journal, no key file of the joined space.
  CHECK_FALSE(root(sam.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
  for (const char* f : {"device.sign", "device.dh", "space.key"}) {
    CHECK_FALSE(store::read_file(sam.dir.path() + "/data/keys/" + f));
  }
  // And the device can still pair for real afterwards.
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
}
