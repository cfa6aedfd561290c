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
  std::uint64_t revoked_after = 0;  // when revoked: its records up to this sequence stay valid
};

// The space key of one epoch sealed to one device's dh_key (crypto::seal_to).
struct KeyWrap {
  DeviceId device{};
  Bytes sealed;
};

struct Roster {
  std::array<std::uint8_t, 16> space_id{};
  std::string member_names[3];  // indexed by member id; [0] unused
  std::vector<DeviceInfo> devices;
  std::uint32_t epoch = 0;
  // For epoch > 0: names the epoch's key (see key_id()) and carries it sealed to every device
  // that was not revoked when it was made.
  std::array<std::uint8_t, 16> key_id{};
  std::vector<KeyWrap> wraps;

  // nullptr when the device is not in the roster. The pointer is valid while the roster lives
  // and is not modified.
  const DeviceInfo* device(const DeviceId& id) const;
  // The other member of the couple.
  static std::uint8_t other(std::uint8_t member) { return member == 1 ? 2 : 1; }
};

// A change of roster that `author` (a device of the roster `current`) wrote: kForbidden unless
// every change is one the author's member may make. A member may add devices of their own, add
// the partner's first device (pairing), and revoke their own devices (never one of the
// partner's, never the author itself); nobody may un-revoke, remove a device, move one to the
// other member, change its keys, or move the space. Epochs never go back.
Status check_roster_change(const Roster& current, const Roster& incoming, const DeviceInfo& author);

// The roster that results from applying `incoming` to `current` (same space): every device either
// knows, revocations kept (with the larger revoked_after), names filled in, and the newer epoch's
// key wraps; at one epoch the wraps with the greater key_id win, so every device settles on the
// same key whatever order two concurrent rotations arrive in.
Roster merge_roster(const Roster& current, const Roster& incoming);

// True when the current epoch's key was sealed to a device that is now revoked (two revocations
// crossed): the key must rotate again.
bool key_reaches_revoked(const Roster& r);

// The 16 bytes that name `key` as the space key of `epoch` (a one-way derivation of the key).
std::array<std::uint8_t, 16> space_key_id(const crypto::SymmetricKey& key, std::uint32_t epoch);
// `key` sealed to `device`'s dh_key for roster `r` (its space id and epoch bound inside the box).
KeyWrap wrap_space_key(const Roster& r, const DeviceInfo& device, const crypto::SymmetricKey& key);
// The epoch's key from this device's wrap in `r`. kNotFound when there is no wrap for `me`;
// kAuth when the box does not open with this device's key or names another space, epoch or key.
Result<crypto::SymmetricKey> unwrap_space_key(const Roster& r, const DeviceId& me,
                                              const crypto::DhSecretKey& my_secret);

Bytes encode_roster(const Roster& r);
// kCorrupt on malformed bytes or impossible values (member ids other than 1 and 2).
Result<Roster> decode_roster(ByteView bytes);

}  // namespace tandem::store
