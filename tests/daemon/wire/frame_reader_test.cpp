#include "daemon/wire/frame_reader.hpp"

#include "daemon/wire/frame.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>

using namespace tandem;
using namespace tandem::wire;
namespace noise = crypto::noise;

namespace {
// Both ends of one direction of a session under fixed keys.
struct Pair {
  noise::Transport tx;
  noise::Transport rx;
};
Pair session() {
  auto cipher = [](std::uint8_t fill) {
    noise::CipherState c;
    std::array<std::uint8_t, 32> key;
    key.fill(fill);
    c.initialize_key(key);
    return c;
  };
  noise::HandshakeHash h{};
  return {noise::Transport(cipher(1), cipher(2), true, true, h, std::nullopt),
          noise::Transport(cipher(2), cipher(1), true, true, h, std::nullopt)};
}
Bytes frame_of(noise::Transport& tx, const Bytes& message) {
  return encode_frame(tx.encrypt({}, message).value()).value();
}
// Feeds `stream` to `reader` in reads of at most `split` bytes; every message that comes out.
std::vector<Bytes> drain(FrameReader& reader, noise::Transport& rx, ByteView stream,
                         std::size_t split) {
  std::vector<Bytes> got;
  std::size_t pos = 0;
  while (true) {
    auto m = reader.next(rx);
    REQUIRE(m.ok());
    if (*m) {
      got.push_back(std::move(**m));
      continue;
    }
    if (pos == stream.size()) return got;
    auto space = reader.space();
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

TEST_CASE("frames come out whole and in order however the reads split them", "[frame_reader]") {
  for (std::size_t split : {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{70000}}) {
    auto s = session();
    // Small frames, an empty message and frames larger than the read buffer.
    const std::vector<Bytes> sent{Bytes{1, 2, 3}, Bytes{}, Bytes(40000, 0xab), Bytes(5, 9),
                                  Bytes(65519, 0xcd)};
    Bytes stream;
    for (const auto& m : sent) {
      auto f = frame_of(s.tx, m);
      stream.insert(stream.end(), f.begin(), f.end());
    }
    FrameReader reader(1024);
    CHECK(drain(reader, s.rx, stream, split) == sent);
  }
}

TEST_CASE("preloaded bytes come before anything read", "[frame_reader]") {
  auto s = session();
  Bytes first = frame_of(s.tx, Bytes{1});
  Bytes second = frame_of(s.tx, Bytes(3000, 2));
  Bytes early = first;
  early.insert(early.end(), second.begin(), second.begin() + 10);
  FrameReader reader(64);  // smaller than what is preloaded: it grows
  reader.preload(early);
  auto got = drain(reader, s.rx, ByteView(second).subspan(10), 50);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Bytes{1});
  CHECK(got[1] == Bytes(3000, 2));
}

TEST_CASE("a tampered frame fails with kAuth, and the reader stays failed", "[frame_reader]") {
  auto s = session();
  Bytes stream = frame_of(s.tx, Bytes(10, 1));
  stream.back() ^= 1;
  FrameReader reader;
  reader.preload(stream);
  auto m = reader.next(s.rx);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == Code::kAuth);
  CHECK(reader.next(s.rx).error().code == Code::kAuth);
}

TEST_CASE("a frame too short for a tag fails with kCorrupt", "[frame_reader]") {
  auto s = session();
  FrameReader reader;
  reader.preload(Bytes{0x00, 0x03, 1, 2, 3});
  auto m = reader.next(s.rx);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == Code::kCorrupt);
}
