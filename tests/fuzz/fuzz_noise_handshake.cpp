// Fuzzes the peer wire's handshake at each step: a real Noise_XXpsk0 (or, for pairing, Noise_XX)
// handshake with fixed keys runs up to the point where one side reads message 1 (responder),
// 2 (initiator) or 3 (responder); then the fuzz bytes arrive instead of the real message, in
// fuzzer-chosen pieces, through wire::HandshakeDriver (framing, the Noise engine, the roster
// check). Whatever arrives after a finished handshake goes through wire::FrameReader, preloaded
// as the channel preloads it.
//
// Input: the bytes from the peer, then (at the end) a split size (2 bytes) and a mode byte:
// step = 1 + mode % 3, pairing = (mode / 3) % 2, the roster refuses the key = (mode / 6) % 2.
#include "daemon/wire/frame.hpp"
#include "daemon/wire/frame_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/fuzz/handshake_fixture.hpp"

#include <algorithm>
#include <cstdlib>

using namespace tandem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto mode = in.integral<std::uint8_t>();
  const int step = 1 + mode % 3;
  const bool pairing = (mode / 3) % 2 != 0;
  const bool refuse = (mode / 6) % 2 != 0;
  const std::size_t split = in.integral_in_range<std::size_t>(1, 1100);
  const auto& keys = fuzz::handshake_keys();
  const crypto::PublicKey expected = step == 2 ? keys.responder_public : keys.initiator_public;

  int asked = 0;
  auto at = fuzz::handshake_at(step, pairing, [&](const crypto::PublicKey& k) {
    ++asked;
    return !refuse && k == expected;
  });
  const ByteView stream = in.rest_view();
  for (std::size_t pos = 0; pos < stream.size(); pos += split) {
    if (!at.reader.feed(stream.subspan(pos, std::min(split, stream.size() - pos)))) break;
  }

  if (asked > 1) std::abort();  // the roster is asked at most once per handshake
  if (at.reader.failed()) {
    // Failures are final: nothing more is parsed, nothing is sent.
    if (at.reader.feed(stream).ok() || at.reader.finish().ok()) std::abort();
    return 0;
  }
  if (!at.reader.done()) return 0;
  // Finished: only the real peer's key, approved by the roster, gets here.
  if (refuse || asked != 1) std::abort();
  auto est = at.reader.finish();
  if (!est || est->remote_static != expected) std::abort();
  if (at.reader.finish().ok()) std::abort();  // single use

  // The peer's first transport frames, as Channel::receive() takes them: the leftover is
  // preloaded and nothing more arrives.
  wire::FrameReader reader;
  reader.preload(est->leftover);
  while (true) {
    auto message = reader.next(est->transport);
    if (!message || !*message) break;
    if ((*message)->size() + crypto::noise::kTagSize > wire::kMaxFramePayload) std::abort();
  }
  return 0;
}
