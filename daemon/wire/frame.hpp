// The peer wire's framing: every Noise message (handshake or transport) travels as a 2-byte
// big-endian length followed by that many bytes, at most 65535. This file is the one gate every
// byte from a peer passes before anything else looks at it: a pure, incremental parser (bytes in,
// frames out) with a size cap, and the matching encoder. No sockets, no allocation per byte.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tandem::wire {

inline constexpr std::size_t kFrameHeaderSize = 2;
inline constexpr std::size_t kMaxFramePayload = 65535;

// Why a parser stopped. Each maps onto a Code in the Result the parser returns.
enum class FrameError {
  kNone,
  kEmpty,     // a zero-length frame: no Noise message is empty, so the peer is broken (kCorrupt)
  kTooLarge,  // the header announces more than the parser's cap (kTooLarge)
};

// Splits a byte stream into frames. Move-only in spirit (copyable, but there is no reason to).
//
// Usage: consume() bytes as they arrive; whenever frame() holds a value, handle it and pop().
// consume() stops right after completing one frame, so at most one frame is buffered and the
// caller keeps the rest of its input (it returns how much it took).
//
// Failures: a zero-length frame or a header over `max_payload` fails at the header, before any
// payload is buffered; the parser is then dead (every later consume() fails the same way), since
// a stream that lost its framing cannot be resynchronised.
class FrameParser {
 public:
  // `max_payload` in 1..65535; handshakes use a much smaller cap than transport.
  explicit FrameParser(std::size_t max_payload = kMaxFramePayload);

  // Takes bytes from the front of `in` and returns how many it took (all of them, or fewer when a
  // frame completed first). Taking 0 bytes while frame() is pending is not an error: pop() first.
  Result<std::size_t> consume(ByteView in);

  // The completed frame's payload, if any. The view is valid until the next pop() or consume().
  std::optional<ByteView> frame() const;
  // Drops the completed frame. No-op without one.
  void pop();
  // Moves the completed frame's payload out (and pops it). Precondition: frame() has a value.
  Bytes take();

  // True when no partial frame is buffered (a clean place for the stream to end).
  bool idle() const { return have_header_ == 0 && !complete_; }
  FrameError error() const { return error_; }
  std::size_t max_payload() const { return max_payload_; }

 private:
  Status fail(FrameError e);

  std::size_t max_payload_;
  std::uint8_t header_[kFrameHeaderSize] = {};
  std::size_t have_header_ = 0;
  std::size_t expected_ = 0;  // payload length, once the header is complete
  Bytes payload_;
  bool complete_ = false;
  FrameError error_ = FrameError::kNone;
};

// Parses every complete frame in `in` (a convenience for tests and tools). Fails like consume().
Result<std::vector<Bytes>> parse_frames(FrameParser& parser, ByteView in);

// Reads a 2-byte header and checks it the way FrameParser does: kCorrupt for a zero-length frame,
// kTooLarge over `max_payload`. For readers that place payloads themselves (the channel reads a
// frame's body straight into the buffer it is decrypted in).
Result<std::size_t> frame_length(const std::uint8_t header[kFrameHeaderSize],
                                 std::size_t max_payload = kMaxFramePayload);

// Writes the 2-byte header for a payload of `size` bytes. Precondition: 1 <= size <= 65535.
void put_frame_header(std::uint8_t* out, std::size_t size);
// Header then payload, in a new buffer. kTooLarge over 65535 bytes, kInvalidArgument when empty.
Result<Bytes> encode_frame(ByteView payload);

}  // namespace tandem::wire
