// Fixed keys and small real worlds the fuzz targets (and fuzz_make_seeds, which writes their seed
// corpora) share, so that a seed recorded once is still a valid message at its step on every run:
// Noise handshakes with fixed static and ephemeral keys, a transport session with fixed keys,
// deterministic signed records, and a CPace exchange with fixed scalars. Test code only: none of
// these keys protect anything.
#pragma once

#include "daemon/crypto/noise_transport.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/crypto/secret.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

namespace tandem::fuzz {

// The clock of every fuzz target that needs one (beacon windows), in unix milliseconds.
inline constexpr std::int64_t kNowMs = 1'764'000'000'000;

// N secret bytes of a fixed pattern: tag, tag+1, ...
template <std::size_t N>
crypto::Secret<N> fixed_secret(std::uint8_t tag) {
  crypto::Secret<N> s;
  for (std::size_t i = 0; i < N; ++i) s.data()[i] = static_cast<std::uint8_t>(tag + i);
  return s;
}

// An Ed25519 key pair from the seed 0x30..0x4f (libsodium's seed || public key layout).
inline crypto::SignSecretKey fixed_sign_key() {
  static constexpr std::uint8_t kPublic[32] = {0x8b, 0xb0, 0x4e, 0x1c, 0x1b, 0x83, 0xdd, 0xdf,
                                               0x31, 0x1f, 0x5b, 0xcd, 0xdf, 0x7c, 0x50, 0xed,
                                               0xe3, 0xc0, 0x80, 0x2f, 0x47, 0xec, 0x79, 0x6e,
                                               0x2a, 0x13, 0x1c, 0xf4, 0x12, 0x98, 0xd9, 0xf3};
  auto sk = fixed_secret<64>(0x30);
  std::memcpy(sk.data() + 32, kPublic, 32);
  return sk;
}

// One direction pair of a finished session under fixed keys: what `a` sends, `b` receives.
// Built from the CipherStates directly (not a handshake) so that each fuzz input starts from
// nonce 0 cheaply; the cipher code is exactly the channel's.
struct SessionPair {
  crypto::noise::Transport a;
  crypto::noise::Transport b;
};
inline SessionPair fixed_session() {
  auto k1 = fixed_secret<32>(0x70);
  auto k2 = fixed_secret<32>(0x90);
  auto cipher = [](const crypto::SymmetricKey& k) {
    crypto::noise::CipherState c;
    c.initialize_key(k.view());
    return c;
  };
  crypto::noise::HandshakeHash h{};
  h.fill(0x11);
  return {crypto::noise::Transport(cipher(k1), cipher(k2), true, true, h, std::nullopt),
          crypto::noise::Transport(cipher(k2), cipher(k1), true, true, h, std::nullopt)};
}

}  // namespace tandem::fuzz
