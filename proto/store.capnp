@0xbdc399e98cf859f2;
# tandem's signed log records and space metadata, as stored on disk and carried between devices.
# Schema version 1. Same evolution rules as entry.capnp: add only, never renumber or retype.
#
# A record is a signed header plus a body. The header commits to the body through `bodyHash`,
# so a device can drop a retracted body (or never receive an aggregate entry's note) and still
# verify the whole log. Headers are hash-chained per device: `prevHash` is the record hash of the
# same device's previous record, so one valid signature on the newest record of a run vouches for
# every record before it.
#
# Hashes (BLAKE2b-256, with domain separation; the exact byte layout is in daemon/store/record.hpp):
#   noteHash   = H("tandem/note/v1"   || noteSalt || note)
#   bodyHash   = H("tandem/body/v1"   || H(fields) || noteHash)
#   recordHash = H("tandem/record/v1" || device || seq || hlc || prevHash || bodyHash || flags)
#   signature  = Ed25519(device key, "tandem/sig/v1" || recordHash)

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");
using Json = import "/capnp/compat/json.capnp";

struct RecordHeader {
  device @0 :Data $Json.hex;     # 8-byte device id (see Roster)
  seq @1 :UInt64;                # 1, 2, 3 … per device, no gaps
  hlc @2 :UInt64;                # hybrid logical clock: (unix ms << 16) | counter
  prevHash @3 :Data $Json.hex;   # 32 bytes; all zero for seq 1
  bodyHash @4 :Data $Json.hex;   # 32 bytes
  flags @5 :UInt8;               # bit 0: aggregate visibility; bit 1: roster record
  signature @6 :Data $Json.hex;  # 64 bytes, Ed25519
}

struct RecordBody {
  # What bodyHash commits to. `fields` is a serialized entry.capnp Entry with its note removed,
  # kept as the author's exact bytes so that every device hashes the same thing.
  fields @0 :Data;
  noteSalt @1 :Data;  # 16 random bytes
  note @2 :Text;      # absent when withheld (aggregate entries on other devices)
  noteHash @3 :Data;  # set when the note is withheld, so bodyHash still verifies
}

struct Record {
  header @0 :RecordHeader;
  body @1 :RecordBody;  # absent when erased by a retract
  erased @2 :Bool;
}

struct Member {
  id @0 :UInt8;   # 1 = the member who created the space, 2 = the partner
  name @1 :Text;
}

struct Device {
  id @0 :Data $Json.hex;         # 8 bytes
  member @1 :UInt8;
  name @2 :Text;
  signKey @3 :Data $Json.hex;    # Ed25519 public key, 32 bytes
  dhKey @4 :Data $Json.hex;      # X25519 public key, 32 bytes
  revoked @5 :Bool;
  revokedAfter @6 :UInt64;       # when revoked: its records up to this sequence stay valid
}

struct KeyWrap {
  # The space key of a roster's epoch, sealed (X25519 sealed box) to one device's dhKey.
  device @0 :Data $Json.hex;     # 8 bytes
  sealed @1 :Data;               # box of: epoch (4, big-endian) | space id (16) | key (32)
}

struct Roster {
  # Members and devices of a space. Changes travel as roster records in the log.
  spaceId @0 :Data $Json.hex;   # 16 bytes
  members @1 :List(Member);
  devices @2 :List(Device);
  epoch @3 :UInt32;             # bumped when the space key rotates
  keyId @4 :Data $Json.hex;     # 16 bytes naming the epoch's key (empty for epoch 0)
  keyWraps @5 :List(KeyWrap);   # the epoch's key for every device that was not revoked
}
