// An authenticated, encrypted peer channel over TCP: a finished Noise handshake (see
// handshake_driver.hpp) and the socket it ran on. One frame per message: 2-byte length, then the
// Noise transport ciphertext. No sync logic here; the sync layer puts one Cap'n Proto PeerMessage
// in each message and chunks anything bigger than kMaxMessage.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/noise_cipher.hpp"
#include "daemon/crypto/noise_symmetric.hpp"
#include "daemon/crypto/secret.hpp"
#include "daemon/wire/asio.hpp"
#include "daemon/wire/handshake_driver.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace tandem::wire {

// The largest plaintext one message may carry: a full frame minus the Poly1305 tag.
inline constexpr std::size_t kMaxMessage = kMaxFramePayload - crypto::noise::kTagSize;  // 65519

// How to run a handshake and the channel after it. Copyable, so a listener can hand the same
// options to every connection.
struct ChannelOptions {
  std::string protocol{kPeerProtocol};  // kPeerProtocol, or kPairingProtocol with psk == nullptr
  std::string prologue{kPeerPrologue};
  // Borrowed: must stay alive (and unchanged) until every connect()/accept_handshake() given
  // these options has completed; the handshake copies them into secret memory.
  const crypto::DhSecretKey* local_static = nullptr;
  const crypto::SymmetricKey* psk = nullptr;
  const crypto::SymmetricKey* psk_previous = nullptr;  // responder only; see DriverOptions
  // local_static's public key, if known (Listener::open fills it in once for all its
  // connections); otherwise each handshake derives it (one X25519 mult).
  std::optional<crypto::PublicKey> local_static_public;
  // The roster check, called on the connection's executor as soon as the peer's static key is
  // known (before this side sends its own static key, for an initiator). Copied per connection.
  Authorize authorize;
  std::chrono::milliseconds connect_timeout{5000};    // TCP connect (initiator only)
  std::chrono::milliseconds handshake_timeout{5000};  // the whole handshake, however it trickles
  // Each receive() must get a whole message within this; 0 waits for ever. The sync layer sends
  // keepalives well inside the default.
  std::chrono::milliseconds read_timeout{120000};
  // Each batch of queued frames must be written within this; 0 waits for ever.
  std::chrono::milliseconds write_timeout{30000};
  const crypto::DhSecretKey* fixed_ephemeral = nullptr;  // tests only
};

// An established channel. Move-only; owns the TCP socket and the transport keys.
//
// Executor: every call must be made from the socket's executor (one io_context thread, or one
// strand); nothing here is thread-safe.
//
// Reading: one reader. At most one receive() may be pending at a time.
//
// Writing: many writers, one writer at a time on the socket, without a strand. send() encrypts at
// once (so messages go out in the order send() was called, which is the nonce order) and appends
// the frame to a queue. If no send is writing, this one becomes the writer and drains the queue,
// including frames queued by others meanwhile; the other sends wait until their own frame has been
// written (or failed), which keeps back-pressure per caller.
//
// Failures are sticky: after a decrypt failure, a framing error, a timeout or a socket error the
// channel is closed and every later call fails with an error of the same code. Codes: kIo (peer
// closed, reset, closed locally), kUnavailable (a deadline passed), kAuth (a frame failed to
// decrypt: tampered, replayed, reordered), kCorrupt (a frame too short to hold a tag, or empty),
// kTooLarge (a message over kMaxMessage, refused before anything is sent; the channel stays
// usable).
//
// Lifetime: do not destroy a Channel while a send() or receive() is pending; close() it and let
// them complete (they fail with kIo) first. A moved-from Channel may only be destroyed or
// assigned to. Cancelling a pending receive() or send() (e.g. with awaitable operator ||) closes
// the channel, since a partly read or written frame cannot be resumed.
class Channel {
 public:
  Channel(Channel&&) noexcept;
  Channel& operator=(Channel&&) noexcept;
  ~Channel();

  // Encrypts `message` (0..kMaxMessage bytes; kTooLarge above, before anything is queued) and
  // writes it. `message` is read before the first suspension only.
  awaitable<Status> send(ByteView message);
  // Reads and decrypts one message (empty when the peer sent an empty one).
  awaitable<Result<Bytes>> receive();
  // Closes the socket at once; pending operations complete with kIo. Idempotent.
  void close();
  bool is_open() const;

  // The peer's static X25519 key, already approved by authorize().
  const crypto::PublicKey& remote_static() const;
  // The Noise handshake hash, identical on both sides (channel binding, e.g. for CPace's sid).
  const crypto::noise::HandshakeHash& handshake_hash() const;
  // The peer's address as seen when the channel was established.
  const tcp::endpoint& remote_endpoint() const;
  void set_read_timeout(std::chrono::milliseconds timeout);
  asio::any_io_executor get_executor() const;

  // Messages and payload bytes sent and received so far (stats, tests).
  std::uint64_t messages_sent() const;
  // Transport bytes written and read on the socket so far (frames, tags; not the handshake).
  std::uint64_t bytes_sent() const;
  std::uint64_t bytes_received() const;
  std::uint64_t messages_received() const;

 private:
  struct State;
  explicit Channel(std::unique_ptr<State> state);
  friend awaitable<Result<Channel>> run_handshake(tcp::socket socket, Role role,
                                                  ChannelOptions options);
  std::unique_ptr<State> s_;
};

// Connects to `endpoint` and runs the initiator handshake. Runs on `executor`. Fails with kIo or
// kUnavailable (connect or handshake deadline) for the network, and as HandshakeDriver for the
// handshake (kAuth, kForbidden when authorize refuses the responder, kCorrupt, kTooLarge). On any
// failure the socket is closed before this returns. Never throws.
// XX ends with the initiator's message, so a responder that refuses this device (its roster does
// not know the key) is only seen afterwards: the first receive() fails with kIo.
awaitable<Result<Channel>> connect(asio::any_io_executor executor, tcp::endpoint endpoint,
                                   ChannelOptions options);

// Runs the responder handshake on an accepted socket (taking it over) within
// options.handshake_timeout. Runs on the socket's executor. Nothing is sent to a peer whose first
// message fails (wrong PSK, wrong prologue, garbage). Fails like connect(); the socket is closed
// on failure. Cancellation (e.g. through awaitable operator ||) ends it with kIo. Never throws.
awaitable<Result<Channel>> accept_handshake(tcp::socket socket, ChannelOptions options);

// The shared core of both: runs the handshake on a connected socket.
awaitable<Result<Channel>> run_handshake(tcp::socket socket, Role role, ChannelOptions options);

}  // namespace tandem::wire
