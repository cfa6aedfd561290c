// The general Noise handshake engine (Noise spec rev 34): any pattern parse_protocol_name accepts,
// with prologue, pre-messages, payloads and psk modifiers, over 25519 / ChaChaPoly / BLAKE2b.
// A pure state machine: bytes in, bytes out; the caller moves them over the network.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/noise_pattern.hpp"
#include "daemon/crypto/noise_symmetric.hpp"
#include "daemon/crypto/noise_transport.hpp"
#include "daemon/crypto/primitives.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace tandem::crypto::noise {

enum class Role { kInitiator, kResponder };

// Everything a handshake starts from. Views and pointers are borrowed only for the duration of
// HandshakeState::create(), which copies what it keeps (secrets into secret memory).
struct HandshakeOptions {
  std::string_view protocol_name;  // e.g. "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b"
  Role role = Role::kInitiator;
  ByteView prologue;
  // This side's static X25519 key; required when the pattern uses it, ignored otherwise.
  const DhSecretKey* local_static = nullptr;
  // Its public key, when the caller already has it: saves one X25519 mult per handshake. Must
  // match local_static (a mismatch makes the peer's DH disagree, so the handshake fails).
  std::optional<PublicKey> local_static_public;
  // The peer's static key known in advance (responder's for NK/IK/XK/KK/N/K/X, initiator's for
  // the responder of K*); required exactly when the pattern has that pre-message.
  std::optional<PublicKey> remote_static;
  // PSKs in the order of the pattern's psk tokens; the count must match.
  std::span<const SymmetricKey> psks;
  // Tests and published vectors only: use this ephemeral key instead of a fresh random one.
  const DhSecretKey* fixed_ephemeral = nullptr;
};

// One side of one handshake. Move-only. Call write_message() and read_message() in the order the
// pattern gives (is_my_turn() says which); when is_finished(), call split() for the transport.
//
// Failures: any error from read_message() or write_message() (a bad tag, a truncated or oversized
// message, a low-order DH result) leaves the handshake dead: every later call fails with
// kForbidden, as Noise requires a failed handshake to be abandoned. Calls out of turn fail with
// kInvalidArgument and change nothing.
class HandshakeState {
 public:
  // Fails with kInvalidArgument for an unsupported protocol name or missing/extra keys or PSKs.
  static Result<HandshakeState> create(const HandshakeOptions& options);

  bool is_my_turn() const;
  bool is_finished() const { return next_ == pattern_.messages.size(); }

  // Builds the next handshake message carrying `payload` (encrypted once a key exists). kTooLarge
  // when the message would exceed 65535 bytes (checked before any state changes).
  Result<Bytes> write_message(ByteView payload);
  // Consumes the peer's next handshake message and returns its payload. kCorrupt when truncated,
  // kAuth when a tag (wrong PSK, wrong key, flipped byte) or a DH fails, kTooLarge over 65535.
  Result<Bytes> read_message(ByteView message);

  // h: after the last message, the handshake hash both sides share (a channel binding).
  const HandshakeHash& handshake_hash() const { return sym_.handshake_hash(); }
  // The peer's static key once received (or as given in advance).
  const std::optional<PublicKey>& remote_static() const { return rs_; }
  // The local ephemeral public key once generated (tests).
  std::optional<PublicKey> local_ephemeral() const;

  // Split() into the session's two CipherStates. Single use: a second call fails with kForbidden
  // (two transports under the same keys would reuse nonces). kInvalidArgument before
  // is_finished().
  Result<Transport> split();

 private:
  HandshakeState(HandshakePattern pattern, Role role, std::string_view protocol_name);
  Status apply_dh(Token t);
  std::size_t message_size(const MessagePattern& m, std::size_t payload) const;
  Error fail(Error e);  // marks the handshake dead

  HandshakePattern pattern_;
  Role role_;
  SymmetricState sym_;
  std::optional<DhKeyPair> s_;
  std::optional<DhKeyPair> e_;
  std::optional<DhSecretKey> fixed_e_;
  std::optional<PublicKey> rs_;
  std::optional<PublicKey> re_;
  std::vector<SymmetricKey> psks_;
  std::size_t next_psk_ = 0;
  std::size_t next_ = 0;  // index of the next message in the pattern
  bool dead_ = false;
  bool split_ = false;
};

}  // namespace tandem::crypto::noise
