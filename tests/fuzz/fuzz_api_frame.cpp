// Fuzzes the local API's Cap'n Proto gate: the input is split into reads of fuzzer-chosen sizes
// and fed to a FrameDecoder (with a fuzzer-chosen cap, so oversized frames happen too); every
// frame it returns goes through Codec::decode_frame.
#include "daemon/api/codec.hpp"
#include "proto/framing.hpp"
#include "tests/fuzz/fuzz_input.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tandem;
  static const api::Codec codec;
  fuzz::FuzzInput fdp(data, size);
  const std::size_t cap =
      fdp.boolean() ? api::kMaxFrameBytes : fdp.integral_in_range<std::size_t>(8, 4096);
  proto::FrameDecoder frames(cap);
  std::size_t fed = 0, framed = 0;
  bool broken = false;
  while (fdp.remaining_bytes() > 0 && !broken) {
    auto chunk = fdp.bytes(fdp.integral_in_range<std::size_t>(1, 512));
    frames.feed(chunk);
    fed += chunk.size();
    for (;;) {
      kj::Array<capnp::word> words;
      auto r = frames.next(words);
      if (r == proto::FrameDecoder::Result::kNeedMore) break;
      if (r == proto::FrameDecoder::Result::kTooLarge) continue;
      if (r == proto::FrameDecoder::Result::kMalformed) {
        broken = true;
        break;
      }
      if (words.size() * 8 > cap) std::abort();  // a frame over the cap got through
      framed += words.size() * 8;
      auto decoded = codec.decode_frame(words);
      if (auto* req = std::get_if<api::RequestMessage>(&decoded)) {
        capnp::MallocMessageBuilder msg;
        auto resp = msg.initRoot<schema::Response>();
        resp.setId(req->id());
        resp.initStatus();
        (void)api::Codec::encode_frame(msg);
      }
    }
    if (frames.buffered() > cap + 512 + 8) std::abort();  // buffering must stay bounded
  }
  if (framed > fed) std::abort();
  return 0;
}
