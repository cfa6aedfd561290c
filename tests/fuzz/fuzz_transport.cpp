// Fuzzes the peer wire after the handshake: transport frames (2-byte length, then Noise
// ChaChaPoly ciphertext) through wire::FrameReader, the receive side Channel::receive() runs
// (framing, the whole-in-buffer fast path, partial frames read into their own buffer and
// decrypted in place), on a session with fixed keys.
//
// Mode byte (last byte of the input), even: the rest is the raw stream from the peer, fed in
// reads of at most a fuzzer-chosen size, as the socket hands them to the channel. Odd: the rest is
// a list of plaintext messages (each a 2-byte length from the end, its bytes from the front) that
// the real peer encrypts and frames; the stream may then have one byte flipped. The receiver must
// get back exactly the messages sent before the flipped frame, and nothing from it on.
#include "daemon/wire/frame.hpp"
#include "daemon/wire/frame_reader.hpp"
#include "tests/fuzz/fixtures.hpp"
#include "tests/fuzz/fuzz_input.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace tandem;

namespace {

// Receives as Channel::receive() does, each read taking at most `split` bytes of `stream` into
// the reader's space (scatter: its first span, then its second), until the stream ends or fails.
std::vector<Bytes> receive_all(crypto::noise::Transport& t, ByteView stream, std::size_t split) {
  std::vector<Bytes> got;
  wire::FrameReader reader;
  std::size_t pos = 0;
  while (true) {
    auto message = reader.next(t);
    if (!message) {
      // Failures are final.
      if (reader.next(t).ok()) std::abort();
      return got;
    }
    if (*message) {
      got.push_back(std::move(**message));
      continue;
    }
    if (pos == stream.size()) return got;
    const wire::FrameReader::Space space = reader.space();
    if (space.first.empty()) std::abort();  // the reader must always have room
    const std::size_t n = std::min(split, stream.size() - pos);
    const std::size_t a = std::min(n, space.first.size());
    const std::size_t b = std::min(n - a, space.second.size());
    std::memcpy(space.first.data(), stream.data() + pos, a);
    if (b > 0) std::memcpy(space.second.data(), stream.data() + pos + a, b);
    pos += a + b;
    reader.filled(a + b);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  auto session = fuzz::fixed_session();
  const bool honest = in.boolean();
  const std::size_t split = in.integral_in_range<std::size_t>(1, 4096);
  if (!honest) {
    auto got = receive_all(session.b, in.rest_view(), split);
    if (session.b.receive_nonce() != got.size()) std::abort();
    return 0;
  }

  const bool flip = in.boolean();
  const auto flip_at = in.integral<std::uint32_t>();
  const auto flip_bits = static_cast<std::uint8_t>(in.integral_in_range<unsigned>(1, 255));
  std::vector<Bytes> sent;
  std::vector<std::size_t> frame_end;  // stream offset just past each frame
  Bytes stream;
  while (in.remaining_bytes() > 0) {
    Bytes msg = in.bytes(in.integral_in_range<std::size_t>(0, 2048));
    auto ct = session.a.encrypt({}, msg);
    if (!ct) std::abort();
    auto framed = wire::encode_frame(*ct);
    if (!framed) std::abort();
    stream.insert(stream.end(), framed->begin(), framed->end());
    frame_end.push_back(stream.size());
    sent.push_back(std::move(msg));
  }
  std::size_t intact = sent.size();  // frames wholly before the flipped byte
  if (flip && !stream.empty()) {
    const std::size_t at = flip_at % stream.size();
    stream[at] ^= flip_bits;
    intact = static_cast<std::size_t>(std::upper_bound(frame_end.begin(), frame_end.end(), at) -
                                      frame_end.begin());
  }
  auto got = receive_all(session.b, stream, split);
  if (got.size() != intact) std::abort();  // a tampered frame decrypted, or a good one failed
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != sent[i]) std::abort();
  }
  return 0;
}
