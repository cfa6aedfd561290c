#include "daemon/wire/frame.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace tandem;
using namespace tandem::wire;

namespace {
Bytes framed(std::size_t n, std::uint8_t fill) {
  Bytes payload(n, fill);
  return encode_frame(payload).value();
}
Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
}  // namespace

TEST_CASE("a frame is a 2-byte big-endian length then the payload", "[frame]") {
  auto f = encode_frame(Bytes{0xaa, 0xbb, 0xcc}).value();
  CHECK(f == Bytes{0x00, 0x03, 0xaa, 0xbb, 0xcc});
  auto big = encode_frame(Bytes(0x1234, 1)).value();
  CHECK(big[0] == 0x12);
  CHECK(big[1] == 0x34);
  CHECK(big.size() == 0x1234 + 2);
}

TEST_CASE("the encoder refuses empty and oversized payloads", "[frame]") {
  CHECK(encode_frame(Bytes{}).error().code == Code::kInvalidArgument);
  CHECK(encode_frame(Bytes(65536, 0)).error().code == Code::kTooLarge);
  CHECK(encode_frame(Bytes(65535, 0)).ok());
}

TEST_CASE("frames split at every byte boundary come out whole", "[frame]") {
  const Bytes stream = concat({framed(1, 1), framed(300, 2), framed(65535, 3), framed(2, 4)});
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                            std::size_t{256}, std::size_t{65537}, stream.size()}) {
    FrameParser parser;
    std::vector<Bytes> frames;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - at);
      auto got = parse_frames(parser, ByteView(stream.data() + at, n));
      REQUIRE(got.ok());
      for (auto& f : *got) frames.push_back(std::move(f));
    }
    REQUIRE(frames.size() == 4);
    CHECK(frames[0] == Bytes(1, 1));
    CHECK(frames[1] == Bytes(300, 2));
    CHECK(frames[2] == Bytes(65535, 3));
    CHECK(frames[3] == Bytes(2, 4));
    CHECK(parser.idle());
  }
}

TEST_CASE("consume stops after one frame so the caller keeps the rest", "[frame]") {
  const Bytes stream = concat({framed(3, 1), framed(4, 2)});
  FrameParser parser;
  auto n = parser.consume(stream);
  REQUIRE(n.ok());
  CHECK(*n == 5);
  REQUIRE(parser.frame());
  CHECK(parser.frame()->size() == 3);
  // While a frame is pending nothing more is taken.
  CHECK(parser.consume(ByteView(stream).subspan(5)).value() == 0);
  parser.pop();
  CHECK(parser.consume(ByteView(stream).subspan(5)).value() == 6);
  CHECK(parser.take() == Bytes(4, 2));
}

TEST_CASE("a zero-length frame is refused and the parser stays dead", "[frame]") {
  FrameParser parser;
  auto r = parser.consume(Bytes{0x00, 0x00, 0x01});
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kCorrupt);
  CHECK(parser.error() == FrameError::kEmpty);
  auto again = parser.consume(framed(3, 1));
  REQUIRE(!again.ok());
  CHECK(again.error().code == Code::kCorrupt);
}

TEST_CASE("a header over the cap is refused before any payload is buffered", "[frame]") {
  FrameParser parser(1024);
  auto r = parser.consume(Bytes{0x04, 0x01});  // 1025
  REQUIRE(!r.ok());
  CHECK(r.error().code == Code::kTooLarge);
  CHECK(parser.error() == FrameError::kTooLarge);
  FrameParser at_cap(1024);
  auto ok = at_cap.consume(Bytes{0x04, 0x00});
  CHECK(ok.ok());
  CHECK(!at_cap.idle());
}

TEST_CASE("the largest frame the wire allows parses with the default cap", "[frame]") {
  FrameParser parser;
  auto frames = parse_frames(parser, Bytes{0xff, 0xff});
  REQUIRE(frames.ok());
  CHECK(frames->empty());
  Bytes rest(65535, 9);
  frames = parse_frames(parser, rest);
  REQUIRE(frames.ok());
  REQUIRE(frames->size() == 1);
  CHECK((*frames)[0].size() == 65535);
}

TEST_CASE("a partial header or payload is not idle", "[frame]") {
  FrameParser parser;
  CHECK(parser.idle());
  CHECK(parser.consume(Bytes{0x00}).value() == 1);
  CHECK(!parser.idle());
  CHECK(parser.consume(Bytes{0x02, 0x01}).value() == 2);
  CHECK(!parser.idle());
  CHECK(!parser.frame());
}
