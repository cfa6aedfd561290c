#include "daemon/discovery/beacon.hpp"

#include "daemon/crypto/primitives.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tandem;
using namespace tandem::discovery;

namespace {

constexpr std::int64_t kWindowMs = kBeaconWindowSeconds * 1000;
constexpr std::int64_t kNow = 1'700'000'000'000;  // a fixed unix time in ms

crypto::SymmetricKey key_of(std::uint8_t fill) {
  crypto::SymmetricKey k;
  std::memset(k.data(), fill, k.size());
  return k;
}

BeaconScope space_scope(std::uint8_t fill, std::uint64_t epoch = 0) {
  return BeaconScope::space(beacon_key(key_of(fill), epoch));
}

BeaconError error_of(ByteView bytes) {
  auto d = decode(bytes);
  REQUIRE(std::holds_alternative<BeaconError>(d));
  return std::get<BeaconError>(d);
}

}  // namespace

TEST_CASE("a beacon encodes to 23 bytes and decodes back") {
  Beacon b{BeaconKind::kSpace, {}, 7470};
  for (std::size_t i = 0; i < b.tag.size(); ++i) b.tag[i] = static_cast<std::uint8_t>(i * 7 + 1);
  const BeaconBytes bytes = encode(b);
  CHECK(std::string(bytes.begin(), bytes.begin() + 4) == "TNDB");
  CHECK(bytes[4] == 1);
  CHECK(bytes[21] == 0x1d);  // 7470 = 0x1d2e, big-endian
  CHECK(bytes[22] == 0x2e);
  auto d = decode(bytes);
  REQUIRE(std::holds_alternative<Beacon>(d));
  CHECK(std::get<Beacon>(d) == b);

  b.kind = BeaconKind::kPairing;
  const BeaconBytes pairing = encode(b);
  CHECK(std::string(pairing.begin(), pairing.begin() + 4) == "TNDP");
  CHECK(std::get<Beacon>(decode(pairing)) == b);
}

TEST_CASE("decode refuses wrong sizes, magic and versions") {
  const BeaconBytes good = encode(Beacon{BeaconKind::kSpace, {}, 1});
  CHECK(error_of(ByteView(good.data(), 0)) == BeaconError::kWrongSize);
  CHECK(error_of(ByteView(good.data(), 22)) == BeaconError::kWrongSize);
  Bytes longer(good.begin(), good.end());
  longer.push_back(0);
  CHECK(error_of(longer) == BeaconError::kWrongSize);

  BeaconBytes bad = good;
  bad[0] = 'X';
  CHECK(error_of(bad) == BeaconError::kWrongMagic);
  bad = good;
  bad[3] = 'Q';
  CHECK(error_of(bad) == BeaconError::kWrongMagic);
  bad = good;
  bad[4] = 2;
  CHECK(error_of(bad) == BeaconError::kWrongVersion);
  bad[4] = 0;
  CHECK(error_of(bad) == BeaconError::kWrongVersion);
}

TEST_CASE("windows are five minutes, floor-divided") {
  CHECK(beacon_window(0) == 0);
  CHECK(beacon_window(kWindowMs - 1) == 0);
  CHECK(beacon_window(kWindowMs) == 1);
  CHECK(beacon_window(-1) == -1);
}

TEST_CASE("space tags rotate between windows and differ between spaces and epochs") {
  const auto k = beacon_key(key_of(1), 0);
  const auto w = beacon_window(kNow);
  CHECK(space_tag(k, w) == space_tag(k, w));
  CHECK(space_tag(k, w) != space_tag(k, w + 1));
  CHECK(space_tag(k, w) != space_tag(beacon_key(key_of(2), 0), w));
  CHECK(space_tag(k, w) != space_tag(beacon_key(key_of(1), 1), w));
}

TEST_CASE("a space accepts its own beacons of the current and neighbouring windows only") {
  const BeaconScope scope = space_scope(1);
  const Beacon b = scope.make(kNow, 7470);
  CHECK(b.kind == BeaconKind::kSpace);
  CHECK(b.port == 7470);
  CHECK(scope.accepts(b, kNow));
  CHECK(scope.accepts(b, kNow + kWindowMs));  // the receiver has moved on one window
  CHECK(scope.accepts(b, kNow - kWindowMs));  // the sender's clock runs ahead
  CHECK_FALSE(scope.accepts(b, kNow + 2 * kWindowMs));
  CHECK_FALSE(scope.accepts(b, kNow - 2 * kWindowMs));
}

TEST_CASE("a space refuses other spaces' beacons, other epochs and pairing beacons") {
  const BeaconScope mine = space_scope(1);
  CHECK_FALSE(mine.accepts(space_scope(2).make(kNow, 7470), kNow));
  CHECK_FALSE(mine.accepts(space_scope(1, 1).make(kNow, 7470), kNow));
  Beacon relabelled = mine.make(kNow, 7470);
  relabelled.kind = BeaconKind::kPairing;
  CHECK_FALSE(mine.accepts(relabelled, kNow));
  Beacon flipped = mine.make(kNow, 7470);
  flipped.tag[15] ^= 1;
  CHECK_FALSE(mine.accepts(flipped, kNow));
}

TEST_CASE("a beacon carries nothing constant across windows but magic, version and port") {
  const crypto::SymmetricKey space_key = key_of(0x5a);
  const BeaconScope scope = BeaconScope::space(beacon_key(space_key, 0));
  const BeaconBytes a = encode(scope.make(kNow, 7470));
  const BeaconBytes b = encode(scope.make(kNow + kWindowMs, 7470));
  // The tags of two windows share no more bytes than chance would (16 bytes, p = 1/256 each).
  int same = 0;
  for (std::size_t i = 5; i < 21; ++i) same += a[i] == b[i];
  CHECK(same <= 3);
  CHECK(std::equal(a.begin(), a.begin() + 5, b.begin()));
  CHECK(std::equal(a.begin() + 21, a.end(), b.begin() + 21));
  // No run of 4 key bytes appears in a beacon.
  const ByteView key(space_key.data(), space_key.size());
  for (std::size_t i = 0; i + 4 <= key.size(); ++i) {
    CHECK(std::search(a.begin(), a.end(), key.begin() + i, key.begin() + i + 4) == a.end());
  }
}

TEST_CASE("pairing tags depend on the channel and the window only") {
  const auto w = beacon_window(kNow);
  CHECK(pairing_tag(17, w) == pairing_tag(17, w));
  CHECK(pairing_tag(17, w) != pairing_tag(18, w));
  CHECK(pairing_tag(17, w) != pairing_tag(17, w + 1));
  // The expected construction: H("tandem/pair-beacon/v1" || channel || window), truncated.
  std::uint8_t c = 17;
  std::uint8_t wb[8];
  put_be64(wb, static_cast<std::uint64_t>(w));
  const auto h = crypto::hash("tandem/pair-beacon/v1", {ByteView(&c, 1), ByteView(wb, 8)});
  CHECK(std::equal(h.begin(), h.begin() + 16, pairing_tag(17, w).begin()));
}

TEST_CASE("a pairing beacon is the same whatever the code's words") {
  // BeaconScope::pairing takes only the channel: two inviters on channel 17 with different
  // words send identical beacons, so a captured beacon says nothing about the words.
  const Beacon a = BeaconScope::pairing(17).make(kNow, 7470);
  const Beacon b = BeaconScope::pairing(17).make(kNow, 7470);
  CHECK(a == b);
  CHECK(a.kind == BeaconKind::kPairing);
  CHECK(BeaconScope::pairing(17).accepts(a, kNow));
  CHECK(BeaconScope::pairing(17).accepts(a, kNow + kWindowMs));
  CHECK_FALSE(BeaconScope::pairing(18).accepts(a, kNow));
  CHECK_FALSE(space_scope(1).accepts(a, kNow));
}
