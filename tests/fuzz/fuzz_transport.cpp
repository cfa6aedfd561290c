// Fuzzes the peer wire after the handshake: transport frames (2-byte length, then Noise
// ChaChaPoly ciphertext) through wire::FrameParser and the session's decrypt, exactly as
// Channel::receive() runs them, on a session with fixed keys.
//
// Mode byte (last byte of the input), even: the rest is the raw stream from the peer, fed in
// pieces of a fuzzer-chosen size. Odd: the rest is a list of plaintext messages (each a 2-byte
// length from the end, its bytes from the front) that the real peer encrypts and frames; the
// stream may then have one byte flipped. The receiver must get back exactly the messages sent
// before the flipped frame, and nothing from it on.
#include "daemon/wire/frame.hpp"
#include "tests/fuzz/fixtures.hpp"
#include "tests/fuzz/fuzz_input.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace tandem;

namespace {

// Receives as Channel::receive() does, until the stream ends or fails.
std::vector<Bytes> receive_all(crypto::noise::Transport& t, ByteView stream, std::size_t split) {
  std::vector<Bytes> got;
  wire::FrameParser parser(wire::kMaxFramePayload);
  for (std::size_t pos = 0; pos < stream.size();) {
    ByteView piece = stream.subspan(pos, std::min(split, stream.size() - pos));
    auto used = parser.consume(piece);
    if (!used) return got;
    pos += *used;
    if (!parser.frame()) continue;
    Bytes frame = parser.take();
    auto n = t.decrypt({}, frame, std::span<std::uint8_t>(frame));
    if (!n) return got;
    frame.resize(*n);
    got.push_back(std::move(frame));
  }
  return got;
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
