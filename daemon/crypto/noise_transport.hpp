// A finished Noise session: one CipherState per direction, the handshake hash (for channel
// binding, e.g. CPace's sid) and the peer's static key. Produced by HandshakeState::split().
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/noise_cipher.hpp"
#include "daemon/crypto/noise_symmetric.hpp"
#include "daemon/crypto/secret.hpp"

#include <optional>
#include <span>

namespace tandem::crypto::noise {

// Move-only. Each direction keeps its own nonce; messages must be decrypted in the order they were
// encrypted (a replayed, reordered or dropped message fails with kAuth, and the receiver should
// then close the session). After a one-way pattern only the initiator may send: the responder's
// send direction and the initiator's receive direction fail with kForbidden.
class Transport {
 public:
  Transport(CipherState send, CipherState recv, bool can_send, bool can_receive,
            const HandshakeHash& h, std::optional<PublicKey> remote_static);

  // Encrypts into a caller buffer of at least plaintext + kTagSize bytes (may alias `plaintext`
  // exactly) and returns the bytes written; no allocation. Errors as CipherState::encrypt_with_ad.
  Result<std::size_t> encrypt(ByteView ad, ByteView plaintext, std::span<std::uint8_t> out);
  // Decrypts into a caller buffer of at least ciphertext - kTagSize bytes (may alias exactly).
  Result<std::size_t> decrypt(ByteView ad, ByteView ciphertext, std::span<std::uint8_t> out);
  Result<Bytes> encrypt(ByteView ad, ByteView plaintext);
  Result<Bytes> decrypt(ByteView ad, ByteView ciphertext);

  // Noise Rekey() of one direction; both sides must agree when (the protocol above decides).
  void rekey_send() { send_.rekey(); }
  void rekey_receive() { recv_.rekey(); }
  std::uint64_t send_nonce() const { return send_.nonce(); }
  std::uint64_t receive_nonce() const { return recv_.nonce(); }

  const HandshakeHash& handshake_hash() const { return h_; }
  // The peer's static public key when the pattern had one (to check against the roster).
  const std::optional<PublicKey>& remote_static() const { return remote_static_; }

 private:
  CipherState send_;
  CipherState recv_;
  bool can_send_;
  bool can_receive_;
  HandshakeHash h_;
  std::optional<PublicKey> remote_static_;
};

}  // namespace tandem::crypto::noise
