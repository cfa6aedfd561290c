// The CPACE-RISTR255-SHA512 group environment (draft-irtf-cfrg-cpace-21, section 8.3): generator
// from PRS/CI/sid, scalar sampling, scalar_mult and scalar_mult_vfy on ristretto255 encodings.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"

#include <array>
#include <cstddef>
#include <string_view>

namespace tandem::crypto::cpace {

inline constexpr std::string_view kDsi = "CPaceRistretto255";
inline constexpr std::string_view kDsiIsk = "CPaceRistretto255_ISK";
inline constexpr std::size_t kHashBlock = 128;  // SHA-512 s_in_bytes
inline constexpr std::size_t kPointSize = 32;

using Point = std::array<std::uint8_t, kPointSize>;  // a public ristretto255 encoding
using Scalar = Secret<32>;                           // little-endian scalar
using Generator = Secret<32>;    // encoded g; derived from the PRS, so kept secret
using SharedPoint = Secret<32>;  // K; never leaves the module's callers' secret memory

// SHA-512(generator_string(DSI, PRS, CI, sid, 128)): 64 bytes from the PRS, kept secret.
Secret<64> generator_hash(ByteView prs, ByteView ci, ByteView sid);
// g = ristretto255 element derivation (crypto_core_ristretto255_from_hash) of generator_hash.
Generator calculate_generator(ByteView prs, ByteView ci, ByteView sid);
// A uniformly random non-zero scalar.
Scalar sample_scalar();
// Y = encode(y * g). kAuth when the result is the identity (a zero scalar).
Result<Point> scalar_mult(const Scalar& y, const Generator& g);
// encode(y * decode(X)). kAuth (the draft's abort) when X is not a valid encoding or the result is
// the identity (X the identity itself); kInvalidArgument when X is not 32 bytes.
Result<SharedPoint> scalar_mult_vfy(const Scalar& y, ByteView x);

// SHA-512 of the concatenation of `parts`.
std::array<std::uint8_t, 64> sha512(std::initializer_list<ByteView> parts);

}  // namespace tandem::crypto::cpace
