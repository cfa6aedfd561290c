// The space's members and devices as plain values, and their store.capnp form. A space has two
// members: 1 (who created it) and 2 (the partner).
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"
#include "daemon/store/record.hpp"

#include <string>
#include <vector>

namespace tandem::store {

struct DeviceInfo {
  DeviceId id{};
  std::uint8_t member = 0;
  std::string name;
  crypto::PublicKey sign_key{};
  crypto::PublicKey dh_key{};
  bool revoked = false;
};

struct Roster {
  std::array<std::uint8_t, 16> space_id{};
  std::string member_names[3];  // indexed by member id; [0] unused
  std::vector<DeviceInfo> devices;
  std::uint32_t epoch = 0;

  // nullptr when the device is not in the roster. The pointer is valid while the roster lives
  // and is not modified.
  const DeviceInfo* device(const DeviceId& id) const;
  // The other member of the couple.
  static std::uint8_t other(std::uint8_t member) { return member == 1 ? 2 : 1; }
};

Bytes encode_roster(const Roster& r);
// kCorrupt on malformed bytes or impossible values (member ids other than 1 and 2).
Result<Roster> decode_roster(ByteView bytes);

}  // namespace tandem::store
