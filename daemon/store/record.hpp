// The signed log record: a fixed-layout header that is hash-chained per device and signed by the
// device's Ed25519 key, and a body the header commits to through its hash.
//
// Header bytes (153, big-endian integers), also what is stored in the log table:
//   device[8] seq[8] hlc[8] prev_hash[32] body_hash[32] flags[1] signature[64]
// record_hash = BLAKE2b-256("tandem/record/v1" || the first 89 bytes)
// signature   = Ed25519("tandem/sig/v1" || record_hash)
// chain_hash  = BLAKE2b-256("tandem/chain/v1" || all 153 bytes); the next record's prev_hash
//               (so one valid signature vouches for every header below it, signatures included)
// body_hash   = BLAKE2b-256("tandem/body/v1" || BLAKE2b-256("tandem/fields/v1" || fields)
//                                            || note_hash)
// note_hash   = BLAKE2b-256("tandem/note/v1" || note_salt[16] || note)
// A retracted record keeps its header and drops its body; an aggregate record travels with
// note_hash instead of its note. Either way the header still verifies.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/primitives.hpp"

#include <array>
#include <optional>
#include <string>

namespace tandem::store {

using DeviceId = std::array<std::uint8_t, 8>;

// The pseudo device that holds this device's private entries: never signed, never synced.
inline constexpr DeviceId kPrivateDevice = {0, 0, 0, 0, 0, 0, 0, 0};

enum RecordFlags : std::uint8_t {
  kFlagAggregate = 1,  // aggregate visibility: the note never leaves its device
  kFlagRoster = 2,     // the fields are a store.capnp Roster, not an Entry
};

struct Header {
  DeviceId device{};
  std::uint64_t seq = 0;
  std::uint64_t hlc = 0;
  crypto::Hash32 prev_hash{};
  crypto::Hash32 body_hash{};
  std::uint8_t flags = 0;
  crypto::Signature signature{};
};

inline constexpr std::size_t kHeaderSize = 8 + 8 + 8 + 32 + 32 + 1 + 64;
inline constexpr std::size_t kSignedPrefix = kHeaderSize - 64;

std::array<std::uint8_t, kHeaderSize> encode_header(const Header& h);
// kCorrupt on a wrong length.
Result<Header> decode_header(ByteView bytes);

// What the signature covers: the header without its signature.
crypto::Hash32 record_hash(const Header& h);
// What the next record chains to: the whole header, signature included. A batch whose newest
// signature verifies therefore proves every byte of every header below it.
crypto::Hash32 chain_hash(const Header& h);
void sign_header(Header& h, const crypto::SignSecretKey& sk);
bool verify_header(const Header& h, const crypto::PublicKey& device_key);

// The body as the author wrote it: `fields` are exact serialized bytes; the note is separate so
// it can be withheld while the hash still verifies.
struct Body {
  Bytes fields;
  std::array<std::uint8_t, 16> note_salt{};
  std::optional<std::string> note;  // nullopt when withheld
  // The note's hash, which stands in for a withheld note. With the note present it is not read
  // (compute_body_hash hashes the note itself) and decoded bodies leave it zero.
  crypto::Hash32 note_hash{};
};

// Drops the note, keeping its hash in its place (an aggregate entry leaving its device).
void withhold_note(Body& b);

crypto::Hash32 compute_note_hash(ByteView salt, std::string_view note);
crypto::Hash32 compute_body_hash(const Body& b);

// A new body with a fresh random salt.
Body make_body(Bytes fields, std::string note);

// Serialised RecordBody (store.capnp) and back. Decoding is a gate for untrusted bytes: kCorrupt
// on anything malformed, or on anything but zero bytes after the message (see pad_body); a note
// hash stored beside a note is ignored.
Bytes encode_body(const Body& b);
// As encode_body, into `out` (resized, its capacity reused: for a writer that encodes many).
void encode_body_into(const Body& b, Bytes& out);
// Sealed values are padded with zero bytes to a multiple of kBodyPadding: a stolen disk shows a
// page of bodies' length (body_page.hpp) only to the nearest 256 bytes. Stores written before
// pages hold bodies sealed one by one, each padded alone with pad_body; decode_body accepts the
// padding.
inline constexpr std::size_t kBodyPadding = 256;
void pad_body(Bytes& encoded);
Result<Body> decode_body(ByteView bytes);

// Key of a record in the log and body tables: device || big-endian seq (increasing within a run).
using RecordKey = std::array<std::uint8_t, 16>;
RecordKey record_key(const DeviceId& device, std::uint64_t seq);

// "<16 hex>-<seq>" for shared records, "local-<seq>" for private ones.
std::string entry_id(const DeviceId& device, std::uint64_t seq);
// nullopt on a malformed id.
std::optional<std::pair<DeviceId, std::uint64_t>> parse_entry_id(std::string_view id);

}  // namespace tandem::store
