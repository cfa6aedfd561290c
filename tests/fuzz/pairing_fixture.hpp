// A real pairing exchange (pairing::Joiner and pairing::Inviter) with fixed CPace scalars, a
// fixed code and a fixed Noise binding, so that every step's real message is the same bytes on
// every run. Shared by fuzz_pairing and fuzz_make_seeds.
#pragma once

#include "daemon/pairing/pairing.hpp"
#include "tests/fuzz/fixtures.hpp"

#include <cstdlib>
#include <string_view>

namespace tandem::fuzz {

struct PairingSetup {
  Bytes prs = [] {
    auto b = as_bytes("tandem-pair-v1:17-orbit-lantern-maple");
    return Bytes(b.begin(), b.end());
  }();
  Bytes handshake_hash = Bytes(64, 0x33);
  crypto::cpace::Scalar joiner_scalar = fixed_secret<32>(0x05);
  crypto::cpace::Scalar inviter_scalar = fixed_secret<32>(0x09);
  pairing::JoinerInfo info = [] {
    pairing::JoinerInfo i;
    i.device_id = {1, 2, 3, 4, 5, 6, 7, 8};
    i.device_name = "sam-laptop";
    i.member_name = "Sam";
    i.sign_key.fill(0x44);
    i.dh_key.fill(0x45);
    return i;
  }();

  pairing::Binding binding() const {
    crypto::PublicKey js{}, is{};
    js.fill(0x0a);
    is.fill(0x0b);
    return {prs, handshake_hash, js, is};
  }
  pairing::Welcome welcome() const {
    pairing::Welcome w;
    w.space_id.fill(0x5a);
    w.space_key = fixed_secret<32>(0xc0);
    w.roster = Bytes(24, 0);
    w.roster_record = Bytes(32, 0);  // opaque to the pairing module (the app verifies it)
    w.member = 2;
    w.peer_port = 7470;
    return w;
  }

  pairing::Joiner joiner() const {
    auto j = pairing::Joiner::start(binding(), info, &joiner_scalar);
    if (!j) std::abort();
    return std::move(*j);
  }
  pairing::Inviter inviter(ByteView hello) const {
    auto i = pairing::Inviter::on_hello(binding(), hello, &inviter_scalar);
    if (!i) std::abort();
    return std::move(*i);
  }
};

inline const PairingSetup& pairing_setup() {
  static const PairingSetup setup;
  return setup;
}

}  // namespace tandem::fuzz
