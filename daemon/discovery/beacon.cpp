#include "daemon/discovery/beacon.hpp"

#include "daemon/crypto/primitives.hpp"

#include <algorithm>
#include <cstring>

namespace tandem::discovery {
namespace {

constexpr std::array<std::uint8_t, 4> kSpaceMagic = {'T', 'N', 'D', 'B'};
constexpr std::array<std::uint8_t, 4> kPairingMagic = {'T', 'N', 'D', 'P'};

std::array<std::uint8_t, 8> window_bytes(std::int64_t window) {
  std::array<std::uint8_t, 8> out{};
  put_be64(out.data(), static_cast<std::uint64_t>(window));
  return out;
}

BeaconTag truncate(const crypto::Hash32& h) {
  BeaconTag tag{};
  std::copy_n(h.begin(), tag.size(), tag.begin());
  return tag;
}

}  // namespace

const char* beacon_error_name(BeaconError e) {
  switch (e) {
    case BeaconError::kWrongSize:
      return "wrong size";
    case BeaconError::kWrongMagic:
      return "wrong magic";
    case BeaconError::kWrongVersion:
      return "unsupported version";
  }
  return "unknown";
}

BeaconBytes encode(const Beacon& beacon) {
  BeaconBytes out{};
  const auto& magic = beacon.kind == BeaconKind::kSpace ? kSpaceMagic : kPairingMagic;
  std::copy(magic.begin(), magic.end(), out.begin());
  out[4] = kBeaconVersion;
  std::copy(beacon.tag.begin(), beacon.tag.end(), out.begin() + 5);
  out[21] = static_cast<std::uint8_t>(beacon.port >> 8);
  out[22] = static_cast<std::uint8_t>(beacon.port & 0xff);
  return out;
}

std::variant<Beacon, BeaconError> decode(ByteView bytes) {
  if (bytes.size() != kBeaconSize) return BeaconError::kWrongSize;
  Beacon b;
  if (std::equal(kSpaceMagic.begin(), kSpaceMagic.end(), bytes.begin())) {
    b.kind = BeaconKind::kSpace;
  } else if (std::equal(kPairingMagic.begin(), kPairingMagic.end(), bytes.begin())) {
    b.kind = BeaconKind::kPairing;
  } else {
    return BeaconError::kWrongMagic;
  }
  if (bytes[4] != kBeaconVersion) return BeaconError::kWrongVersion;
  std::copy_n(bytes.begin() + 5, kBeaconTagSize, b.tag.begin());
  b.port = static_cast<std::uint16_t>((bytes[21] << 8) | bytes[22]);
  return b;
}

std::int64_t beacon_window(std::int64_t unix_ms) {
  constexpr std::int64_t kWindowMs = kBeaconWindowSeconds * 1000;
  std::int64_t q = unix_ms / kWindowMs;
  if (unix_ms % kWindowMs < 0) --q;
  return q;
}

crypto::SymmetricKey beacon_key(const crypto::SymmetricKey& space_key, std::uint64_t epoch) {
  return crypto::derive_key(space_key, "tandem-beacon", epoch);
}

BeaconTag space_tag(const crypto::SymmetricKey& beacon_key, std::int64_t window) {
  const auto w = window_bytes(window);
  return truncate(crypto::mac(beacon_key, w));
}

BeaconTag pairing_tag(std::uint8_t channel, std::int64_t window) {
  const std::array<std::uint8_t, 1> c = {channel};
  const auto w = window_bytes(window);
  return truncate(crypto::hash("tandem/pair-beacon/v1", {ByteView(c), ByteView(w)}));
}

BeaconScope BeaconScope::space(crypto::SymmetricKey beacon_key) {
  return BeaconScope(BeaconKind::kSpace, std::move(beacon_key), 0);
}

BeaconScope BeaconScope::pairing(std::uint8_t channel) {
  return BeaconScope(BeaconKind::kPairing, crypto::SymmetricKey(), channel);
}

BeaconTag BeaconScope::tag(std::int64_t window) const {
  return kind_ == BeaconKind::kSpace ? space_tag(key_, window) : pairing_tag(channel_, window);
}

Beacon BeaconScope::make(std::int64_t now_ms, std::uint16_t port) const {
  return Beacon{kind_, tag(beacon_window(now_ms)), port};
}

bool BeaconScope::accepts(const Beacon& beacon, std::int64_t now_ms) const {
  if (beacon.kind != kind_) return false;
  const std::int64_t w = beacon_window(now_ms);
  bool ok = false;
  for (std::int64_t d : {-1, 0, 1}) ok |= crypto::equal_ct(beacon.tag, tag(w + d));
  return ok;
}

}  // namespace tandem::discovery
