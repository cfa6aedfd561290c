// The roster a pairing welcome hands over, as the joiner checks it before it keeps anything, and
// as the inviter packs it: the inviter's real roster record (signed, as sync carries it), not
// bare roster bytes that only the CPace-keyed seal protects.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/store/store.hpp"

#include <array>

namespace tandem::app {

// The newest record of `self`'s log (the roster record just appended), encoded as sync sends it:
// a wire.capnp PeerMessage batch of that one record. kNotFound when the log is empty; kInternal
// when the newest record is not a roster record.
Result<Bytes> pack_roster_record(const store::Store& store, const store::Txn& txn,
                                 const store::DeviceId& self);

// What the joiner learns from a welcome it accepted.
struct WelcomeRoster {
  store::Roster roster;
  store::DeviceId inviter{};  // the device that signed the roster record
};

// What the joiner expects to find about itself.
struct JoinerClaims {
  std::array<std::uint8_t, 16> space_id{};  // the welcome's space id
  std::uint8_t member = 0;                  // the welcome's member
  store::DeviceId device{};
  crypto::PublicKey sign_key{};
  crypto::PublicKey dh_key{};
};

// Checks a welcome's roster the way sync checks a roster record it receives (sync::decode, then
// sync::precheck_batch: the body matches its hash, the signature verifies), under the key that
// the roster itself lists for the signing device: exactly one roster record; its body is
// `roster_bytes` byte for byte; the signer is a device of that roster, not revoked, not the
// joiner; the roster is of the welcome's space and lists the joiner with exactly the claimed
// keys and member. Pure. kCorrupt (malformed or mismatched) or kAuth (bad signature) with the
// reason; the caller must then store nothing.
Result<WelcomeRoster> verify_welcome_roster(ByteView roster_record, ByteView roster_bytes,
                                            const JoinerClaims& me);

}  // namespace tandem::app
