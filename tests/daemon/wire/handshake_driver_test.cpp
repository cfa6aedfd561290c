#include "daemon/wire/handshake_driver.hpp"

#include "tests/daemon/wire/wire_fixture.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::wire;
using tandem::wire::testing::Keys;

namespace {

DriverOptions side(Role role, const crypto::DhSecretKey& me, const crypto::SymmetricKey* psk,
                   Authorize authorize = {}) {
  DriverOptions o;
  o.role = role;
  o.local_static = &me;
  o.psk = psk;
  o.authorize = std::move(authorize);
  return o;
}

struct Pair {
  HandshakeDriver initiator;
  HandshakeDriver responder;
};

Pair make_pair(const Keys& k, const crypto::SymmetricKey& ipsk, const crypto::SymmetricKey& rpsk) {
  return {HandshakeDriver::create(side(Role::kInitiator, k.alice, &ipsk)).value(),
          HandshakeDriver::create(side(Role::kResponder, k.bob, &rpsk)).value()};
}

// The three framed handshake messages of a successful run, in order.
struct Transcript {
  Bytes m1, m2, m3;
};

Transcript run_ok(Pair& p) {
  Transcript t;
  t.m1 = p.initiator.start().value();
  REQUIRE(p.responder.start().value().empty());
  t.m2 = p.responder.feed(t.m1).value();
  t.m3 = p.initiator.feed(t.m2).value();
  REQUIRE(p.initiator.done());
  REQUIRE(p.responder.feed(t.m3).value().empty());
  REQUIRE(p.responder.done());
  return t;
}

}  // namespace

TEST_CASE("two drivers complete XXpsk0 and their transports talk both ways", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.space, k.space);
  Transcript t = run_ok(p);
  // XXpsk0 with empty payloads: e+tag, e+s+tag+tag, s+tag+tag, each behind a 2-byte header.
  CHECK(t.m1.size() == 2 + 48);
  CHECK(t.m2.size() == 2 + 96);
  CHECK(t.m3.size() == 2 + 64);
  auto a = p.initiator.finish().value();
  auto b = p.responder.finish().value();
  CHECK(a.remote_static == k.bob_pub);
  CHECK(b.remote_static == k.alice_pub);
  CHECK(a.transport.handshake_hash() == b.transport.handshake_hash());
  CHECK(a.leftover.empty());
  auto c = a.transport.encrypt({}, as_bytes("to bob")).value();
  CHECK(b.transport.decrypt({}, c).value() ==
        Bytes(as_bytes("to bob").begin(), as_bytes("to bob").end()));
  auto d = b.transport.encrypt({}, as_bytes("to alice")).value();
  CHECK(a.transport.decrypt({}, d).value().size() == 8);
  CHECK(p.initiator.messages() == 3);
  CHECK(p.responder.messages() == 3);
}

TEST_CASE("the handshake completes when bytes arrive one at a time", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.space, k.space);
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  Bytes m2;
  for (auto byte : m1) {
    auto out = p.responder.feed(ByteView(&byte, 1)).value();
    m2.insert(m2.end(), out.begin(), out.end());
  }
  Bytes m3;
  for (auto byte : m2) {
    auto out = p.initiator.feed(ByteView(&byte, 1)).value();
    m3.insert(m3.end(), out.begin(), out.end());
  }
  for (auto byte : m3) REQUIRE(p.responder.feed(ByteView(&byte, 1)).value().empty());
  CHECK(p.initiator.done());
  CHECK(p.responder.done());
}

TEST_CASE("plain XX runs for pairing sessions without a PSK", "[driver]") {
  Keys k;
  auto i = side(Role::kInitiator, k.alice, nullptr);
  auto r = side(Role::kResponder, k.bob, nullptr);
  i.protocol = r.protocol = kPairingProtocol;
  i.prologue = r.prologue = kPairingPrologue;
  Pair p{HandshakeDriver::create(i).value(), HandshakeDriver::create(r).value()};
  Transcript t = run_ok(p);
  CHECK(t.m1.size() == 2 + 32);  // no PSK: message 1 is the bare ephemeral key
  CHECK(p.responder.finish().value().remote_static == k.alice_pub);
}

TEST_CASE("options that do not match the protocol are refused", "[driver]") {
  Keys k;
  CHECK(HandshakeDriver::create(side(Role::kInitiator, k.alice, nullptr)).error().code ==
        Code::kInvalidArgument);  // XXpsk0 needs the PSK
  auto plain = side(Role::kInitiator, k.alice, &k.space);
  plain.protocol = kPairingProtocol;
  CHECK(HandshakeDriver::create(plain).error().code == Code::kInvalidArgument);
  DriverOptions no_key;
  no_key.psk = &k.space;
  CHECK(HandshakeDriver::create(no_key).error().code == Code::kInvalidArgument);
  auto wrong = side(Role::kInitiator, k.alice, &k.space);
  wrong.protocol = "Noise_XXpsk0_448_ChaChaPoly_BLAKE2b";
  CHECK(!HandshakeDriver::create(wrong).ok());
}

TEST_CASE("a responder refuses a wrong PSK on message 1 and answers nothing", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.other_space, k.space);
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  auto r = p.responder.feed(m1);
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kAuth);
  CHECK(p.responder.failed());
  CHECK(p.responder.messages() == 0);
  // Dead for good, with the same code.
  CHECK(p.responder.feed(m1).error().code == Code::kAuth);
  CHECK(p.responder.finish().error().code == Code::kAuth);
}

TEST_CASE("after a key rotation a responder also accepts the previous key, and only that one",
          "[driver]") {
  Keys k;
  crypto::SymmetricKey rotated;
  crypto::random_fill({rotated.data(), rotated.size()});
  auto responder_with_previous = [&] {
    DriverOptions o = side(Role::kResponder, k.bob, &rotated);
    o.psk_previous = &k.space;
    return HandshakeDriver::create(o).value();
  };
  for (const crypto::SymmetricKey* initiator_key : {&rotated, &k.space}) {
    Pair p{HandshakeDriver::create(side(Role::kInitiator, k.alice, initiator_key)).value(),
           responder_with_previous()};
    run_ok(p);
    auto a = p.initiator.finish().value();
    auto b = p.responder.finish().value();
    auto sealed = a.transport.encrypt({}, as_bytes("hello")).value();
    CHECK(b.transport.decrypt({}, sealed).value().size() == 5);
  }
  Pair stranger{HandshakeDriver::create(side(Role::kInitiator, k.alice, &k.other_space)).value(),
                responder_with_previous()};
  Bytes m1 = stranger.initiator.start().value();
  (void)stranger.responder.start().value();
  auto r = stranger.responder.feed(m1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kAuth);
}

TEST_CASE("a different prologue fails on message 1 like a wrong PSK", "[driver]") {
  Keys k;
  auto i = side(Role::kInitiator, k.alice, &k.space);
  i.prologue = "tandem/peer/v2";
  Pair p{HandshakeDriver::create(i).value(),
         HandshakeDriver::create(side(Role::kResponder, k.bob, &k.space)).value()};
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  CHECK(p.responder.feed(m1).error().code == Code::kAuth);
}

TEST_CASE("an initiator that does not know the responder's key stops before revealing its own",
          "[driver]") {
  Keys k;
  int calls = 0;
  auto i = side(Role::kInitiator, k.alice, &k.space, [&](const crypto::PublicKey& rs) {
    ++calls;
    CHECK(rs == k.bob_pub);
    return false;
  });
  Pair p{HandshakeDriver::create(i).value(),
         HandshakeDriver::create(side(Role::kResponder, k.bob, &k.space)).value()};
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  Bytes m2 = p.responder.feed(m1).value();
  auto r = p.initiator.feed(m2);
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kForbidden);
  CHECK(calls == 1);
  CHECK(p.initiator.messages() == 2);  // message 3 (with alice's static key) was never written
}

TEST_CASE("a responder refuses an initiator its roster does not know", "[driver]") {
  Keys k;
  auto r = side(Role::kResponder, k.bob, &k.space,
                [&](const crypto::PublicKey& rs) { return rs == k.mallory_pub; });
  Pair p{HandshakeDriver::create(side(Role::kInitiator, k.alice, &k.space)).value(),
         HandshakeDriver::create(r).value()};
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  Bytes m2 = p.responder.feed(m1).value();
  Bytes m3 = p.initiator.feed(m2).value();
  CHECK(p.responder.feed(m3).error().code == Code::kForbidden);
  CHECK(!p.responder.done());
}

TEST_CASE("truncated, garbled and oversized frames fail at every step", "[driver]") {
  Keys k;
  Pair ref = make_pair(k, k.space, k.space);
  Transcript t = run_ok(ref);

  // Feeds the receiving side of step `step` (1..3) the good messages before it, then `bad`.
  auto run_to = [&](int step, ByteView bad) -> Result<Bytes> {
    Pair p = make_pair(k, k.space, k.space);
    Bytes m1 = p.initiator.start().value();
    (void)p.responder.start().value();
    if (step == 1) return p.responder.feed(bad);
    Bytes m2 = p.responder.feed(m1).value();
    if (step == 2) return p.initiator.feed(bad);
    (void)p.initiator.feed(m2).value();
    return p.responder.feed(bad);
  };
  const Bytes* good[] = {&t.m1, &t.m2, &t.m3};
  for (int step = 1; step <= 3; ++step) {
    const Bytes& m = *good[step - 1];
    INFO("step " << step);
    // Truncated inside the Noise message, with an honest header: kCorrupt or kAuth.
    for (std::size_t cut : {std::size_t{1}, std::size_t{16}, m.size() - 2 - 1}) {
      Bytes body(m.begin() + 2, m.end() - static_cast<std::ptrdiff_t>(cut));
      Bytes framed = encode_frame(body).value();
      auto r = run_to(step, framed);
      REQUIRE(!r.ok());
      CHECK((r.error().code == Code::kCorrupt || r.error().code == Code::kAuth));
    }
    // Every single flipped bit of the body is caught.
    for (std::size_t i = 2; i < m.size(); ++i) {
      Bytes garbled = m;
      garbled[i] ^= 0x01;
      auto r = run_to(step, garbled);
      REQUIRE(!r.ok());
      CHECK(r.error().code == Code::kAuth);
    }
    // A header announcing more than a handshake message may hold.
    Bytes huge{0xff, 0xff};
    CHECK(run_to(step, huge).error().code == Code::kTooLarge);
    Bytes just_over{0x04, 0x01};
    CHECK(run_to(step, just_over).error().code == Code::kTooLarge);
    Bytes empty{0x00, 0x00};
    CHECK(run_to(step, empty).error().code == Code::kCorrupt);
    // A well-framed message with trailing garbage inside the frame.
    Bytes longer(m.begin() + 2, m.end());
    longer.push_back(0);
    CHECK(run_to(step, encode_frame(longer).value()).error().code == Code::kAuth);
  }
}

TEST_CASE("a replayed handshake is refused at message 3", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.space, k.space);
  Transcript t = run_ok(p);
  // An eavesdropper replays the initiator's recorded messages to a fresh responder. Message 1
  // cannot be told from a new one, so the responder answers (with nothing the replayer can
  // read: its new ephemeral key differs), but the recorded message 3 no longer decrypts.
  auto fresh = HandshakeDriver::create(side(Role::kResponder, k.bob, &k.space)).value();
  (void)fresh.start().value();
  Bytes m2 = fresh.feed(t.m1).value();
  CHECK(m2 != t.m2);
  auto r = fresh.feed(t.m3);
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kAuth);
}

TEST_CASE("bytes after the last handshake message are kept as leftover", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.space, k.space);
  Bytes m1 = p.initiator.start().value();
  (void)p.responder.start().value();
  Bytes m2 = p.responder.feed(m1).value();
  Bytes m3 = p.initiator.feed(m2).value();
  auto a = p.initiator.finish().value();
  Bytes first = encode_frame(a.transport.encrypt({}, as_bytes("early")).value()).value();
  Bytes both = m3;
  both.insert(both.end(), first.begin(), first.end());
  REQUIRE(p.responder.feed(both).value().empty());
  auto b = p.responder.finish().value();
  CHECK(b.leftover == first);
  CHECK(p.responder.finish().error().code == Code::kInvalidArgument);  // single use
}

TEST_CASE("calls out of order are refused", "[driver]") {
  Keys k;
  Pair p = make_pair(k, k.space, k.space);
  CHECK(p.responder.feed(Bytes{0}).error().code == Code::kInvalidArgument);  // before start()
  (void)p.initiator.start().value();
  CHECK(p.initiator.start().error().code == Code::kInvalidArgument);
  CHECK(p.initiator.finish().error().code == Code::kInvalidArgument);
}
