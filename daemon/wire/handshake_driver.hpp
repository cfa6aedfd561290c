// Runs one Noise handshake for the peer wire as a pure state machine: framed bytes from the peer
// in, framed bytes for the peer out. No sockets and no clock; the Asio layer (channel.hpp) moves
// the bytes and enforces deadlines.
//
// Peer connections use Noise_XXpsk0 with the space key as PSK: the PSK is mixed in before the
// initiator's first message, so a responder refuses a stranger on message 1 and replies nothing,
// revealing neither its static key nor that it is a tandem device of this space. Pairing sessions
// use plain Noise_XX (the new device has no space key yet). Either way the peer's static key is
// passed to `authorize` (the roster check) the moment it is known, before this side sends
// anything more; a refusal ends the handshake. The initiator therefore never reveals its own
// static key to a responder the roster does not know.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/noise_handshake.hpp"
#include "daemon/crypto/noise_transport.hpp"
#include "daemon/crypto/secret.hpp"
#include "daemon/wire/frame.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace tandem::wire {

inline constexpr std::string_view kPeerProtocol = "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b";
inline constexpr std::string_view kPairingProtocol = "Noise_XX_25519_ChaChaPoly_BLAKE2b";
inline constexpr std::string_view kPeerPrologue = "tandem/peer/v1";
inline constexpr std::string_view kPairingPrologue = "tandem/pair/v1";
// Handshake messages carry empty payloads (XX: 48, 96 and 64 bytes with psk0); anything much
// bigger is garbage and is refused at its header, before it is buffered.
inline constexpr std::size_t kMaxHandshakeFrame = 1024;

using Role = crypto::noise::Role;

// Returns true when the peer's static key may talk to this device (the roster check). Called at
// most once per handshake, synchronously, from inside feed()/start().
using Authorize = std::function<bool(const crypto::PublicKey& remote_static)>;

// Everything a driver starts from. Pointers and views are borrowed only for the duration of
// HandshakeDriver::create(), which copies what it keeps (keys into secret memory).
struct DriverOptions {
  std::string_view protocol = kPeerProtocol;  // kPeerProtocol or kPairingProtocol
  Role role = Role::kInitiator;
  std::string_view prologue = kPeerPrologue;          // both sides must agree, or message 1 fails
  const crypto::DhSecretKey* local_static = nullptr;  // required
  std::optional<crypto::PublicKey> local_static_public;  // see noise::HandshakeOptions
  const crypto::SymmetricKey* psk = nullptr;  // required exactly when the protocol has psk0
  // Responder only: the space key before the last rotation. A message 1 that fails under `psk`
  // is tried once more under this one, so a device that has not yet learned the new key can
  // still connect and learn it (the roster check still decides who may talk).
  const crypto::SymmetricKey* psk_previous = nullptr;
  Authorize authorize;  // empty: every key is accepted (tests, pairing)
  const crypto::DhSecretKey* fixed_ephemeral = nullptr;  // tests only
};

// What a finished handshake hands to the channel.
struct Established {
  crypto::noise::Transport transport;
  crypto::PublicKey remote_static;
  // Bytes that arrived after the last handshake message (the peer's first transport frames);
  // the channel parses them before reading the socket again.
  Bytes leftover;
};

// One side of one handshake. Move-only.
//
// Lifecycle: create(); start() once (the initiator gets message 1, the responder nothing); then
// feed() every byte received, sending whatever it returns, until done(); then finish().
//
// Failures are final: after any error (a malformed or oversized frame, a wrong PSK, a bad tag, a
// refused key) every later call fails with the same code, and the caller must close the
// connection without sending anything further. Codes: kCorrupt (zero-length or truncated
// message), kTooLarge (frame over kMaxHandshakeFrame), kAuth (wrong PSK or prologue, tampered
// message, low-order key), kForbidden (authorize refused), kInvalidArgument (bad options, or
// calls out of order).
class HandshakeDriver {
 public:
  static Result<HandshakeDriver> create(const DriverOptions& options);

  // The framed bytes to send first: message 1 for the initiator, empty for the responder.
  Result<Bytes> start();
  // Consumes bytes from the peer, in any split. Returns framed bytes to send now (possibly
  // empty). Once done(), further bytes are kept as leftover instead of being parsed.
  Result<Bytes> feed(ByteView bytes);

  bool done() const { return done_; }
  bool failed() const { return failure_.has_value(); }
  // Number of handshake messages processed so far (sent or received); 0..3 for XX.
  std::size_t messages() const { return messages_; }
  Role role() const { return role_; }

  // The transport, the peer's static key and any leftover bytes. Single use; kInvalidArgument
  // before done().
  Result<Established> finish();

 private:
  HandshakeDriver(crypto::noise::HandshakeState hs, Role role, Authorize authorize);
  Result<Bytes> read_first_or_previous(ByteView frame);
  Error fail(Error e);
  Status append_next_message(Bytes& out);
  Status check_remote();

  crypto::noise::HandshakeState hs_;
  std::optional<crypto::noise::HandshakeState> previous_;  // the same handshake under psk_previous
  Role role_;
  Authorize authorize_;
  FrameParser parser_{kMaxHandshakeFrame};
  bool started_ = false;
  bool authorized_ = false;
  bool done_ = false;
  bool finished_ = false;
  std::size_t messages_ = 0;
  Bytes leftover_;
  std::optional<Error> failure_;
};

}  // namespace tandem::wire
