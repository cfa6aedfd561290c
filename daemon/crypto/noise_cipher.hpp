// Noise CipherState for ChaChaPoly: a 32-byte key, a 64-bit nonce, AEAD with associated data.
// Used inside the handshake (where it may have no key yet) and as each direction of a transport.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tandem::crypto::noise {

inline constexpr std::size_t kTagSize = 16;        // Poly1305
inline constexpr std::size_t kMaxMessage = 65535;  // any Noise message, handshake or transport
inline constexpr std::size_t kMaxPlaintext = kMaxMessage - kTagSize;

// Owns one cipher key (in secret memory) and its nonce counter. Move-only.
//
// Nonce n is encoded as 4 zero bytes then little-endian n (ChaCha20-Poly1305 IETF). It advances
// after every successful encrypt and decrypt; a failed decrypt leaves it unchanged. The nonce
// 2^64-1 is reserved (Noise): reaching it makes every further call fail with kForbidden.
class CipherState {
 public:
  CipherState() = default;  // no key: encrypt and decrypt pass bytes through

  // Sets the key (copied into secret memory) and resets the nonce to 0.
  void initialize_key(std::span<const std::uint8_t, 32> key);
  bool has_key() const { return key_.has_value(); }
  std::uint64_t nonce() const { return n_; }
  // For the rare protocol that needs it (Noise SetNonce); tests use it for nonce exhaustion.
  void set_nonce(std::uint64_t n) { n_ = n; }

  // Encrypts `plaintext` with `ad` into `out`, returning the bytes written (plaintext + 16, or
  // plaintext alone without a key). `out` may alias `plaintext` exactly (in-place). Fails with
  // kTooLarge when the ciphertext would exceed 65535 bytes, kInvalidArgument when `out` is too
  // small, kForbidden when the nonces are used up. Allocates nothing.
  Result<std::size_t> encrypt_with_ad(ByteView ad, ByteView plaintext, std::span<std::uint8_t> out);
  // Decrypts into `out` (at least ciphertext - 16 bytes; may alias exactly). kAuth when the tag,
  // key, nonce or AD is wrong; kCorrupt when shorter than a tag; kTooLarge over 65535 bytes.
  Result<std::size_t> decrypt_with_ad(ByteView ad, ByteView ciphertext,
                                      std::span<std::uint8_t> out);

  // Allocating conveniences over the two calls above.
  Result<Bytes> encrypt_with_ad(ByteView ad, ByteView plaintext);
  Result<Bytes> decrypt_with_ad(ByteView ad, ByteView ciphertext);

  // Noise Rekey(): the key becomes the first 32 bytes of ENCRYPT(k, 2^64-1, "", 32 zero bytes).
  // The nonce is unchanged. No-op without a key.
  void rekey();

 private:
  std::optional<Secret<32>> key_;
  std::uint64_t n_ = 0;
};

}  // namespace tandem::crypto::noise
