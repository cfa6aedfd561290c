// The receive side of an established channel without the socket: transport frames (2-byte length,
// then Noise ciphertext) in, decrypted messages out. Channel::receive() is this plus the socket
// reads; the fuzz target fuzz_transport drives it directly, so what is fuzzed is what runs.
//
// Buffer strategy (why this is not FrameParser): a frame found whole in the read buffer is
// decrypted from there straight into the message (no copy); a frame that is not is moved into its
// own buffer, the rest of its body is read straight into that buffer (a scatter read also fills
// the read buffer with what follows), and it is decrypted in place. So a 64 KiB frame costs one
// decryption and at most one read buffer of copying.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/noise_transport.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tandem::wire {

inline constexpr std::size_t kDefaultReadBuffer = 16 * 1024;

// Pure and synchronous: no I/O, no executor. Move-only in spirit (copyable, no reason to).
//
// Usage: call next(); a message is handed out, or std::nullopt asks for more bytes: read up to
// space() (the first span, then the second, as one scatter read), report the count with
// filled(), and call next() again.
//
// Failures are final: kCorrupt for a frame of length 0 or too short to hold a tag, kAuth for a
// frame that fails to decrypt (tampered, replayed, reordered; the transport's nonce does not
// move). After one, every next() returns the same error; a stream that lost its framing or its
// nonce order cannot be resumed.
class FrameReader {
 public:
  explicit FrameReader(std::size_t buffer_size = kDefaultReadBuffer);

  // Puts bytes that arrived before the channel existed (a handshake's leftover) in front of
  // everything read later; the buffer grows to hold them. Precondition: nothing read yet.
  void preload(ByteView bytes);

  // The next message from the bytes read so far (empty when the peer sent an empty one), or
  // std::nullopt when more bytes are needed. Decrypts with `transport`, which must be the same
  // session on every call.
  Result<std::optional<Bytes>> next(crypto::noise::Transport& transport);

  // Where the next read goes: `first` is never empty; `second`, when not empty, takes what does
  // not fit in `first`. Precondition: the last next() returned std::nullopt. Valid until the next
  // call of filled() or next().
  struct Space {
    std::span<std::uint8_t> first;
    std::span<std::uint8_t> second;
  };
  Space space();
  // Records that the first `n` bytes of space() now hold data. Precondition: n <= the sizes of
  // space()'s spans together.
  void filled(std::size_t n);

 private:
  Result<std::optional<Bytes>> fail(Error e);

  // Bytes read but not yet used are rbuf_[rpos_, rend_). A frame that did not arrive whole is
  // read into body_ (body_have_ bytes so far), where it is then decrypted in place.
  Bytes rbuf_;
  std::size_t rpos_ = 0;
  std::size_t rend_ = 0;
  Bytes body_;
  std::size_t body_have_ = 0;
  bool in_body_ = false;
  std::optional<Error> error_;
};

}  // namespace tandem::wire
