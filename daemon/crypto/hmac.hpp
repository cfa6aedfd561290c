// HMAC-BLAKE2b (RFC 2104 over BLAKE2b-512, 128-byte block) and the HKDF that Noise builds on it.
// libsodium has no HMAC-BLAKE2b, and keyed BLAKE2b is a different function: Noise's vectors only
// pass with the real HMAC construction, so it lives here, built from unkeyed BLAKE2b.
#pragma once

#include "daemon/base/bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace tandem::crypto {

inline constexpr std::size_t kBlake2bLen = 64;     // BLAKE2b-512 output, Noise's HASHLEN
inline constexpr std::size_t kBlake2bBlock = 128;  // BLAKE2b block, HMAC's B

// HMAC-BLAKE2b of the concatenation of `parts` under `key` (any length; keys over 128 bytes are
// hashed first, as RFC 2104 says). Writes 64 bytes to `out`. Intermediate state is wiped.
// Never fails.
void hmac_blake2b(ByteView key, std::initializer_list<ByteView> parts,
                  std::span<std::uint8_t, kBlake2bLen> out);

// Noise's HKDF(chaining_key, input_key_material, num_outputs) with HMAC-BLAKE2b: writes 64-byte
// outputs to out1, out2 and, when `out3` is non-empty, out3. Outputs may not alias the inputs.
// Never fails; temporaries are wiped.
void hkdf_blake2b(ByteView chaining_key, ByteView ikm, std::span<std::uint8_t, kBlake2bLen> out1,
                  std::span<std::uint8_t, kBlake2bLen> out2, std::span<std::uint8_t> out3 = {});

}  // namespace tandem::crypto
