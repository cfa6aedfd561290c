// The Noise handshake engine between two in-memory peers: tandem's XXpsk0 transport, every
// supported pattern, and refusal of wrong keys, tampering, truncation, oversize and replay.
#include "daemon/crypto/noise_handshake.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>

namespace tandem::crypto::noise {
namespace {

constexpr std::string_view kXXpsk0 = "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b";

SymmetricKey random_key() {
  SymmetricKey k;
  random_fill(std::span(k.data(), k.size()));
  return k;
}

Bytes bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Two devices' keys and the handshake states built from them.
struct Devices {
  DhKeyPair init_static = dh_keypair();
  DhKeyPair resp_static = dh_keypair();
  std::vector<SymmetricKey> init_psks;
  std::vector<SymmetricKey> resp_psks;

  explicit Devices(int psk_count = 1, bool same_psk = true) {
    for (int i = 0; i < psk_count; ++i) {
      init_psks.push_back(random_key());
      resp_psks.push_back(same_psk ? init_psks.back().clone() : random_key());
    }
  }

  Result<HandshakeState> make(Role role, std::string_view name = kXXpsk0) {
    auto pattern = parse_protocol_name(name);
    REQUIRE(pattern.ok());
    const bool initiator = role == Role::kInitiator;
    HandshakeOptions o;
    o.protocol_name = name;
    o.role = role;
    o.prologue = as_bytes("tandem/test/v1");
    o.local_static = initiator ? &init_static.secret : &resp_static.secret;
    const auto& peer_pre = initiator ? pattern->responder_pre : pattern->initiator_pre;
    if (!peer_pre.empty()) o.remote_static = initiator ? resp_static.pub : init_static.pub;
    o.psks = initiator ? init_psks : resp_psks;
    return HandshakeState::create(o);
  }
};

// Drives the handshake to the end; `tamper(step, message)` may change each message in transit.
// Returns the first error, or nothing when both sides finished.
std::optional<Error> run(HandshakeState& init, HandshakeState& resp,
                         const std::function<void(std::size_t, Bytes&)>& tamper = {}) {
  for (std::size_t step = 0; !init.is_finished(); ++step) {
    const bool init_sends = init.is_my_turn();
    auto& sender = init_sends ? init : resp;
    auto& receiver = init_sends ? resp : init;
    auto msg = sender.write_message(bytes("payload " + std::to_string(step)));
    if (!msg) return msg.error();
    if (tamper) tamper(step, *msg);
    auto payload = receiver.read_message(*msg);
    if (!payload) return payload.error();
    if (*payload != bytes("payload " + std::to_string(step)))
      return Error{Code::kInternal, "payload changed"};
  }
  return std::nullopt;
}

TEST_CASE("completes an XXpsk0 handshake and carries transport both ways", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  REQUIRE(init.ok());
  REQUIRE(resp.ok());
  REQUIRE_FALSE(run(*init, *resp).has_value());
  REQUIRE(resp->is_finished());
  CHECK(init->handshake_hash() == resp->handshake_hash());
  REQUIRE(init->remote_static().has_value());
  CHECK(*init->remote_static() == d.resp_static.pub);
  CHECK(*resp->remote_static() == d.init_static.pub);

  auto ti = init->split();
  auto tr = resp->split();
  REQUIRE(ti.ok());
  REQUIRE(tr.ok());
  CHECK(ti->handshake_hash() == init->handshake_hash());
  for (int i = 0; i < 5; ++i) {
    const Bytes msg = bytes("entry batch " + std::to_string(i));
    auto c = ti->encrypt(as_bytes("ad"), msg);
    REQUIRE(c.ok());
    CHECK(*c != msg);
    auto p = tr->decrypt(as_bytes("ad"), *c);
    REQUIRE(p.ok());
    CHECK(*p == msg);
    auto back = tr->encrypt({}, msg);
    auto p2 = ti->decrypt({}, *back);
    REQUIRE(p2.ok());
    CHECK(*p2 == msg);
  }
  CHECK(ti->send_nonce() == 5);
  CHECK(tr->receive_nonce() == 5);
}

TEST_CASE("splits only once, so no two transports share keys and nonces", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  REQUIRE_FALSE(run(*init, *resp).has_value());
  REQUIRE(init->split().ok());
  auto again = init->split();
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Code::kForbidden);
}

TEST_CASE("uses distinct keys for the two directions", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  REQUIRE_FALSE(run(*init, *resp).has_value());
  auto ti = init->split();
  auto tr = resp->split();
  auto c = ti->encrypt({}, bytes("to responder"));
  // The initiator's own receive direction must not open what it sent.
  CHECK_FALSE(ti->decrypt({}, *c).ok());
  CHECK(tr->decrypt({}, *c).ok());
}

TEST_CASE("refuses a wrong PSK on the first message", "[crypto][noise]") {
  Devices d(1, /*same_psk=*/false);
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  auto first = init->write_message({});
  REQUIRE(first.ok());
  auto got = resp->read_message(*first);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == Code::kAuth);
  // The responder revealed nothing and is done with this handshake.
  auto reply = resp->write_message({});
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().code == Code::kForbidden);
  CHECK_FALSE(resp->split().ok());
}

TEST_CASE("refuses a flipped byte at every handshake step", "[crypto][noise]") {
  Devices d;
  for (std::size_t step = 0; step < 3; ++step) {
    std::size_t size = 0;
    {
      auto init = d.make(Role::kInitiator);
      auto resp = d.make(Role::kResponder);
      REQUIRE_FALSE(run(*init, *resp, [&](std::size_t s, Bytes& m) {
                      if (s == step) size = m.size();
                    }).has_value());
    }
    REQUIRE(size > 0);
    for (std::size_t at = 0; at < size; ++at) {
      INFO("step " << step << " byte " << at);
      auto init = d.make(Role::kInitiator);
      auto resp = d.make(Role::kResponder);
      auto err = run(*init, *resp, [&](std::size_t s, Bytes& m) {
        if (s == step) m[at] ^= 0x01;
      });
      REQUIRE(err.has_value());
      CHECK(err->code == Code::kAuth);
    }
  }
}

TEST_CASE("refuses truncated handshake messages at every length", "[crypto][noise]") {
  Devices d;
  for (std::size_t step = 0; step < 3; ++step) {
    for (std::size_t keep = 0;; ++keep) {
      auto init = d.make(Role::kInitiator);
      auto resp = d.make(Role::kResponder);
      bool cut = false;
      auto err = run(*init, *resp, [&](std::size_t s, Bytes& m) {
        if (s == step && keep < m.size()) {
          m.resize(keep);
          cut = true;
        }
      });
      if (!cut) break;  // reached the full length
      INFO("step " << step << " kept " << keep);
      REQUIRE(err.has_value());
      CHECK((err->code == Code::kCorrupt || err->code == Code::kAuth));
    }
  }
}

TEST_CASE("refuses handshake messages over 65535 bytes", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  // Writing: refused before any state changes, so a smaller payload still works.
  auto big = init->write_message(Bytes(kMaxMessage, 0));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == Code::kTooLarge);
  const std::size_t fits = kMaxMessage - 32 - kTagSize;  // psk0: e, then an encrypted payload
  auto max = init->write_message(Bytes(fits, 0));
  REQUIRE(max.ok());
  CHECK(max->size() == kMaxMessage);
  REQUIRE(resp->read_message(*max).ok());

  // Reading: refused outright.
  auto resp2 = d.make(Role::kResponder);
  auto over = resp2->read_message(Bytes(kMaxMessage + 1, 0));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == Code::kTooLarge);
}

TEST_CASE("refuses a replayed handshake message", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  auto m1 = init->write_message({});
  REQUIRE(resp->read_message(*m1).ok());
  auto m2 = resp->write_message({});
  REQUIRE(m2.ok());

  SECTION("to the same responder, out of turn or as the third message") {
    auto again = resp->read_message(*m1);
    REQUIRE_FALSE(again.ok());
    CHECK((again.error().code == Code::kCorrupt || again.error().code == Code::kAuth));
  }
  SECTION("to the initiator, after it already consumed it") {
    REQUIRE(init->read_message(*m2).ok());
    auto again = init->read_message(*m2);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Code::kInvalidArgument);
  }
  SECTION("to a fresh responder answering a recorded first message") {
    // A replayed first message gets a fresh ephemeral reply; the attacker cannot finish it.
    auto resp2 = d.make(Role::kResponder);
    REQUIRE(resp2->read_message(*m1).ok());
    auto m2b = resp2->write_message({});
    REQUIRE(m2b.ok());
    CHECK(*m2b != *m2);
    // The real initiator's third message belongs to the first session only.
    REQUIRE(init->read_message(*m2).ok());
    auto m3 = init->write_message({});
    auto got = resp2->read_message(*m3);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == Code::kAuth);
  }
}

TEST_CASE("refuses calls out of turn without breaking the handshake", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  auto resp = d.make(Role::kResponder);
  auto early = resp->write_message({});
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == Code::kInvalidArgument);
  CHECK_FALSE(init->split().ok());
  REQUIRE_FALSE(run(*init, *resp).has_value());
}

TEST_CASE("refuses a low-order ephemeral key from the peer", "[crypto][noise]") {
  Devices d(0);
  auto init = d.make(Role::kInitiator, "Noise_NN_25519_ChaChaPoly_BLAKE2b");
  auto resp = d.make(Role::kResponder, "Noise_NN_25519_ChaChaPoly_BLAKE2b");
  REQUIRE(init.ok());
  REQUIRE(resp.ok());
  auto m1 = init->write_message({});
  REQUIRE(m1.ok());
  std::fill(m1->begin(), m1->begin() + 32, 0);  // the identity point as e
  REQUIRE(resp->read_message(*m1).ok());        // NN's first message is not authenticated
  auto m2 = resp->write_message({});            // but ee with a low-order key is refused
  REQUIRE_FALSE(m2.ok());
  CHECK(m2.error().code == Code::kAuth);
}

TEST_CASE("completes every supported pattern, with and without PSKs", "[crypto][noise]") {
  for (std::string base :
       {"N", "K", "X", "NN", "NK", "NX", "XN", "XK", "XX", "KN", "KK", "KX", "IN", "IK", "IX"}) {
    for (std::string mods : {"", "psk0", "psk1", "psk0+psk1"}) {
      const std::string name = "Noise_" + base + mods + "_25519_ChaChaPoly_BLAKE2b";
      INFO(name);
      Devices d(mods.empty() ? 0 : (mods == "psk0+psk1" ? 2 : 1));
      auto init = d.make(Role::kInitiator, name);
      auto resp = d.make(Role::kResponder, name);
      REQUIRE(init.ok());
      REQUIRE(resp.ok());
      auto err = run(*init, *resp);
      INFO((err ? err->message : ""));
      REQUIRE_FALSE(err.has_value());
      CHECK(init->handshake_hash() == resp->handshake_hash());
      auto ti = init->split();
      auto tr = resp->split();
      REQUIRE(ti.ok());
      REQUIRE(tr.ok());
      auto c = ti->encrypt({}, bytes("hello"));
      REQUIRE(c.ok());
      CHECK(tr->decrypt({}, *c).ok());
    }
  }
}

TEST_CASE("lets only the initiator send after a one-way pattern", "[crypto][noise]") {
  Devices d(0);
  auto init = d.make(Role::kInitiator, "Noise_X_25519_ChaChaPoly_BLAKE2b");
  auto resp = d.make(Role::kResponder, "Noise_X_25519_ChaChaPoly_BLAKE2b");
  REQUIRE_FALSE(run(*init, *resp).has_value());
  CHECK(*resp->remote_static() == d.init_static.pub);
  auto ti = init->split();
  auto tr = resp->split();
  auto back = tr->encrypt({}, bytes("reply"));
  REQUIRE_FALSE(back.ok());
  CHECK(back.error().code == Code::kForbidden);
  auto c = ti->encrypt({}, bytes("one way"));
  CHECK(tr->decrypt({}, *c).ok());
}

TEST_CASE("refuses missing keys, unwanted keys and a wrong PSK count", "[crypto][noise]") {
  Devices d;
  HandshakeOptions o;
  o.protocol_name = kXXpsk0;
  o.psks = d.init_psks;
  auto no_static = HandshakeState::create(o);
  REQUIRE_FALSE(no_static.ok());
  CHECK(no_static.error().code == Code::kInvalidArgument);

  o.local_static = &d.init_static.secret;
  o.psks = {};
  auto no_psk = HandshakeState::create(o);
  REQUIRE_FALSE(no_psk.ok());
  CHECK(no_psk.error().code == Code::kInvalidArgument);

  o.psks = d.init_psks;
  o.remote_static = d.resp_static.pub;  // XX sends it; knowing it in advance is a misuse
  auto extra = HandshakeState::create(o);
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.error().code == Code::kInvalidArgument);

  o.remote_static.reset();
  o.protocol_name = "Noise_IK_25519_ChaChaPoly_BLAKE2b";
  o.psks = {};
  auto ik = HandshakeState::create(o);
  REQUIRE_FALSE(ik.ok());
  CHECK(ik.error().code == Code::kInvalidArgument);

  o.protocol_name = "Noise_XXpsk0_448_ChaChaPoly_BLAKE2b";
  auto suite = HandshakeState::create(o);
  REQUIRE_FALSE(suite.ok());
  CHECK(suite.error().code == Code::kInvalidArgument);
}

TEST_CASE("a different prologue makes the handshake fail", "[crypto][noise]") {
  Devices d;
  auto init = d.make(Role::kInitiator);
  HandshakeOptions o;
  o.protocol_name = kXXpsk0;
  o.role = Role::kResponder;
  o.prologue = as_bytes("another prologue");
  o.local_static = &d.resp_static.secret;
  o.psks = d.resp_psks;
  auto resp = HandshakeState::create(o);
  REQUIRE(resp.ok());
  auto err = run(*init, *resp);
  REQUIRE(err.has_value());
  CHECK(err->code == Code::kAuth);
}

}  // namespace
}  // namespace tandem::crypto::noise
