// A real peer-wire handshake (wire::HandshakeDriver) between two devices with fixed static and
// ephemeral keys and a fixed space key, stopped just before one side reads message 1, 2 or 3.
// Shared by fuzz_noise_handshake and fuzz_make_seeds.
#pragma once

#include "daemon/wire/handshake_driver.hpp"
#include "tests/fuzz/fixtures.hpp"

#include <cstdlib>

namespace tandem::fuzz {

struct HandshakeKeys {
  crypto::DhSecretKey initiator_static = fixed_secret<32>(0x01);
  crypto::DhSecretKey responder_static = fixed_secret<32>(0x21);
  crypto::DhSecretKey initiator_ephemeral = fixed_secret<32>(0x41);
  crypto::DhSecretKey responder_ephemeral = fixed_secret<32>(0x61);
  crypto::SymmetricKey psk = fixed_secret<32>(0x81);
  crypto::PublicKey initiator_public = crypto::dh_public(initiator_static);
  crypto::PublicKey responder_public = crypto::dh_public(responder_static);
};

inline const HandshakeKeys& handshake_keys() {
  static const HandshakeKeys keys;
  return keys;
}

// `pairing`: plain Noise_XX with the pairing prologue (no PSK) instead of Noise_XXpsk0.
// `authorize` is the roster check of the side built (empty: accept every key).
inline wire::HandshakeDriver make_driver(wire::Role role, bool pairing,
                                         wire::Authorize authorize = {}) {
  const auto& k = handshake_keys();
  wire::DriverOptions o;
  o.protocol = pairing ? wire::kPairingProtocol : wire::kPeerProtocol;
  o.prologue = pairing ? wire::kPairingPrologue : wire::kPeerPrologue;
  o.role = role;
  const bool initiator = role == wire::Role::kInitiator;
  o.local_static = initiator ? &k.initiator_static : &k.responder_static;
  o.fixed_ephemeral = initiator ? &k.initiator_ephemeral : &k.responder_ephemeral;
  o.psk = pairing ? nullptr : &k.psk;
  o.authorize = std::move(authorize);
  auto d = wire::HandshakeDriver::create(o);
  if (!d) std::abort();
  return std::move(*d);
}

// The side about to read message `step` (1: the responder, 2: the initiator, 3: the responder),
// after a real handshake up to there, and the real framed message it expects.
struct HandshakeAt {
  wire::HandshakeDriver reader;
  Bytes message;
};

inline HandshakeAt handshake_at(int step, bool pairing, wire::Authorize authorize = {}) {
  auto must = [](Result<Bytes> r) {
    if (!r) std::abort();
    return std::move(*r);
  };
  auto init = make_driver(wire::Role::kInitiator, pairing,
                          step == 2 ? std::move(authorize) : wire::Authorize{});
  auto resp = make_driver(wire::Role::kResponder, pairing,
                          step == 2 ? wire::Authorize{} : std::move(authorize));
  Bytes m1 = must(init.start());
  (void)must(resp.start());
  if (step == 1) return {std::move(resp), std::move(m1)};
  Bytes m2 = must(resp.feed(m1));
  if (step == 2) return {std::move(init), std::move(m2)};
  Bytes m3 = must(init.feed(m2));
  return {std::move(resp), std::move(m3)};
}

}  // namespace tandem::fuzz
