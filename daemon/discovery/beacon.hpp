// LAN beacons (pure): what a device broadcasts so that its partner's devices on the same LAN find
// it, and what `tandem pair join` looks for to find the inviter. Bytes in, bytes out; the UDP
// side is lan.hpp.
//
// Wire format, 23 bytes: magic (4: "TNDB" space beacon, "TNDP" pairing beacon) || version (1) ||
// tag (16) || TCP port (2, big-endian). Nothing else: no space id, device id, name or key.
//
// Space beacon: tag = MAC(beacon_key, window)[0..16), beacon_key = derive_key(space_key,
// "tandem-beacon", epoch), window = unix seconds / 300 as 8 big-endian bytes. Only members of
// the space can compute or recognise a tag; for anyone else tags of different windows are
// independent random strings (MAC is a PRF), so a stranger on the LAN cannot link one window's
// beacons to the next, nor two spaces' beacons to each other. The port is the one constant.
//
// Pairing beacon: tag = H("tandem/pair-beacon/v1" || channel || window)[0..16). It depends on the
// channel number only, never on the code's words, so capturing it gives an eavesdropper nothing to
// brute-force the words against offline. The channel is public (said aloud); the beacon only helps
// the joiner find the inviter's address among the LAN's hosts. Anyone may compute it, so a
// pairing beacon proves nothing: the code's secrecy and the peer's authenticity rest on CPace.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/crypto/secret.hpp"

#include <array>
#include <cstdint>
#include <variant>

namespace tandem::discovery {

inline constexpr std::size_t kBeaconSize = 23;
inline constexpr std::size_t kBeaconTagSize = 16;
inline constexpr std::uint8_t kBeaconVersion = 1;
inline constexpr std::int64_t kBeaconWindowSeconds = 300;

using BeaconTag = std::array<std::uint8_t, kBeaconTagSize>;
using BeaconBytes = std::array<std::uint8_t, kBeaconSize>;

enum class BeaconKind : std::uint8_t {
  kSpace,    // "TNDB": a member of a space announces itself to the other members
  kPairing,  // "TNDP": an inviter waits for a joiner on a pairing channel
};

struct Beacon {
  BeaconKind kind = BeaconKind::kSpace;
  BeaconTag tag{};
  std::uint16_t port = 0;  // the sender's TCP port for peer connections

  friend bool operator==(const Beacon&, const Beacon&) = default;
};

// Why bytes are not a beacon. A stranger can send anything: callers drop these quietly.
enum class BeaconError : std::uint8_t { kWrongSize, kWrongMagic, kWrongVersion };
const char* beacon_error_name(BeaconError e);

BeaconBytes encode(const Beacon& beacon);

// Parses untrusted bytes. Pure: reads only `bytes`, no allocation, never throws, any input is
// safe (a fuzz target can call it directly).
std::variant<Beacon, BeaconError> decode(ByteView bytes);

// The 5-minute window number of a unix time in milliseconds (floor division, so times before
// 1970 still map to consecutive windows).
std::int64_t beacon_window(std::int64_t unix_ms);

// The key a space's beacons are made from, one per space-key epoch (a revocation rotates it).
crypto::SymmetricKey beacon_key(const crypto::SymmetricKey& space_key, std::uint64_t epoch);

// The space tag of one window under a beacon key (from beacon_key()).
BeaconTag space_tag(const crypto::SymmetricKey& beacon_key, std::int64_t window);

// The pairing tag of one window for a channel (1..99).
BeaconTag pairing_tag(std::uint8_t channel, std::int64_t window);

// Either side of a beacon exchange: a space (by its beacon key) or a pairing channel. It makes
// the beacons this device sends and recognises the ones its peers send. Move-only (it may own a
// key); not thread-safe, but const methods may be called concurrently.
class BeaconScope {
 public:
  static BeaconScope space(crypto::SymmetricKey beacon_key);
  static BeaconScope pairing(std::uint8_t channel);

  BeaconKind kind() const { return kind_; }

  // The beacon to send at `now_ms` (unix ms), advertising TCP `port`.
  Beacon make(std::int64_t now_ms, std::uint16_t port) const;

  // Whether `beacon` belongs to this scope: the right kind, and the tag of the window at `now_ms`,
  // of the one before (a beacon sent just before the boundary, or a receiver whose clock runs
  // ahead) or of the one after (a sender whose clock runs ahead). Tags compared in constant time.
  bool accepts(const Beacon& beacon, std::int64_t now_ms) const;

 private:
  BeaconScope(BeaconKind kind, crypto::SymmetricKey key, std::uint8_t channel)
      : kind_(kind), key_(std::move(key)), channel_(channel) {}
  BeaconTag tag(std::int64_t window) const;

  BeaconKind kind_;
  crypto::SymmetricKey key_;  // kSpace only
  std::uint8_t channel_;      // kPairing only
};

}  // namespace tandem::discovery
