// Noise SymmetricState for BLAKE2b: the chaining key, the handshake hash and the handshake's
// CipherState. An internal building block of HandshakeState, public so tests can reach it.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/hmac.hpp"
#include "daemon/crypto/noise_cipher.hpp"
#include "daemon/crypto/secret.hpp"

#include <array>
#include <string_view>

namespace tandem::crypto::noise {

inline constexpr std::size_t kHashLen = kBlake2bLen;  // 64
using HandshakeHash = std::array<std::uint8_t, kHashLen>;

// Owns ck (secret memory) and h. Move-only.
class SymmetricState {
 public:
  // InitializeSymmetric(protocol_name): h = name padded (or hashed when over 64 bytes), ck = h.
  explicit SymmetricState(std::string_view protocol_name);

  void mix_hash(ByteView data);
  void mix_key(ByteView ikm);
  void mix_key_and_hash(ByteView ikm);
  // Encrypts (or copies, before any key) and mixes the ciphertext into h. Errors as CipherState.
  Result<Bytes> encrypt_and_hash(ByteView plaintext);
  // Appends the ciphertext to `out` instead of allocating a fresh buffer.
  Status encrypt_and_hash_into(ByteView plaintext, Bytes& out);
  // Decrypts (or copies) and mixes the ciphertext into h; h is unchanged on kAuth.
  Result<Bytes> decrypt_and_hash(ByteView ciphertext);
  bool has_key() const { return cipher_.has_key(); }

  // Split(): the initiator-to-responder and responder-to-initiator CipherStates.
  void split(CipherState& c1, CipherState& c2) const;
  const HandshakeHash& handshake_hash() const { return h_; }

 private:
  Secret<kHashLen> ck_;
  HandshakeHash h_{};
  CipherState cipher_;
};

}  // namespace tandem::crypto::noise
