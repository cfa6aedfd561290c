// Cap'n Proto standard stream framing for tandem's local API, shared by tandemd and every client.
//
// A frame is: uint32 (segment count - 1), uint32 size of each segment in words, padding to 8
// bytes, then the segments. FrameDecoder is a pure incremental parser (bytes in, frames out): it
// never reads a socket, so it is tested and fuzzed without one.
#pragma once

#include <capnp/message.h>
#include <kj/array.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tandem::proto {

// Reader limits for every untrusted Cap'n Proto message (one gate: see daemon/api and wire).
capnp::ReaderOptions strict_reader_options();

class FrameDecoder {
 public:
  enum class Result {
    kNeedMore,   // no complete frame buffered yet
    kFrame,      // `out` holds one whole frame's words
    kTooLarge,   // a frame over the cap was announced; its bytes are skipped as they arrive,
                 // and the decoder then goes on with the next frame
    kMalformed,  // the segment table is impossible; the stream cannot be resynchronised
  };

  // max_frame_bytes: the largest frame accepted, segment table included.
  explicit FrameDecoder(std::size_t max_frame_bytes, std::uint32_t max_segments = 64);

  // Appends bytes read from the stream. The decoder buffers at most one frame (bounded by the
  // cap) plus whatever the caller feeds before calling next().
  void feed(std::span<const std::uint8_t> bytes);

  // Extracts the next frame. After kMalformed, every later call returns kMalformed.
  Result next(kj::Array<capnp::word>& out);

  // Bytes buffered but not yet returned as a frame.
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  void compact();

  std::size_t max_frame_bytes_;
  std::uint32_t max_segments_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  std::size_t skip_ = 0;  // bytes of an oversized frame still to drop
  bool broken_ = false;
};

// Parses the segment table of a whole frame held in `words` and returns a reader over it.
// `words` must outlive the reader. Throws kj::Exception on a malformed table (callers at the
// socket gate catch it).
class FrameReader {
 public:
  FrameReader(kj::ArrayPtr<const capnp::word> words, capnp::ReaderOptions options);
  capnp::MessageReader& reader() { return *reader_; }

 private:
  kj::Own<capnp::MessageReader> reader_;
};

// The words of a flat (unframed) message for a FlatArrayMessageReader: `bytes` themselves when
// they are word-aligned (a vector's buffer is), else an aligned copy held in `copy`. Empty when
// the length is not a whole, non-zero number of words. Valid while `bytes` and `copy` live.
kj::ArrayPtr<const capnp::word> aligned_words(std::span<const std::uint8_t> bytes,
                                              kj::Array<capnp::word>& copy);

// The message as capnp::messageToFlatArray writes it (segment table, then the segments), into
// `out`: resized, its capacity reused, so a loop that flattens many messages allocates rarely.
void flatten_into(capnp::MessageBuilder& message, std::vector<std::uint8_t>& out);

// Serialises a message in the standard framing.
kj::Array<capnp::word> encode_frame(capnp::MessageBuilder& message);

}  // namespace tandem::proto
