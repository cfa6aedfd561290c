// The sync engine: what two devices of a space exchange so that every device converges on every
// shared record. Pure over the store (read transactions in, messages out; verified batches in,
// store writes out); the session that runs it over a channel lives in app/network.
//
//   both:     hello {frontier: device -> highest contiguous seq held}
//   sender:   batch {records of one device, in sequence order, contiguous from what the peer
//             holds}, at most kMaxBatchBytes and kMaxBatchRecords
//   receiver: verifies the batch (chain from its own head, body hashes, the device in its roster,
//             the signature of the batch's last record, which vouches for the chain below it;
//             one signature for a run of batches that chain into each other: apply_batches),
//             commits it whole in one transaction, answers ack {batchId}
// Private records never leave their device; aggregate records travel without their note.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/store/store.hpp"

#include <map>
#include <optional>
#include <vector>

namespace tandem::sync {

inline constexpr std::size_t kMaxBatchBytes = 60 * 1024;  // under the 65,519-byte channel message
inline constexpr std::size_t kMaxBatchRecords = 512;

using Frontier = std::map<store::DeviceId, std::uint64_t>;

// This device's frontier: every shared device log's head sequence.
Result<Frontier> frontier(const store::Store& store, const store::Txn& txn);

struct WireRecord {
  store::Header header;
  std::optional<store::Body> body;  // nullopt: erased by a retract
};

// One device's records after `after`, in order, up to the batch caps. Note of aggregate records
// withheld; a revoked device's records stop at its revocation point. Empty when there is nothing
// newer.
Result<std::vector<WireRecord>> collect(const store::Store& store, const store::Txn& txn,
                                        const store::DeviceId& device, std::uint64_t after);

// Peer wire messages (wire.capnp PeerMessage) and back. Decoding is a gate for untrusted bytes:
// kCorrupt on anything malformed or over the caps.
// `listen_port`: where this device accepts peers (0 when it does not listen).
Bytes encode_hello(const Frontier& f, std::uint32_t roster_epoch, std::uint16_t listen_port = 0);
Bytes encode_batch(std::uint64_t batch_id, const std::vector<WireRecord>& records);
Bytes encode_ack(std::uint64_t batch_id);

struct Message {
  enum class Kind {
    kHello,
    kBatch,
    kAck,
    kKeepalive,
    kKeepaliveEcho,
    kGoodbye,
    kOther
  } kind = Kind::kOther;
  Frontier frontier;                // hello
  std::uint16_t listen_port = 0;    // hello: the sender's peer port, 0 when not given
  std::uint64_t id = 0;             // batch id, ack id, keepalive value
  std::vector<WireRecord> records;  // batch
};
Result<Message> decode(ByteView bytes);

// Verifies a batch against this store: one device, contiguous from the local head, chained, body
// hashes matching, the device in the roster, and the last record's signature valid. kCorrupt /
// kAuth / kForbidden with the reason; nothing is written. Equivalent to precheck_batch with the
// roster's key of the device, then confirm_batch, in `txn`.
Status verify_batch(const store::Store& store, const store::Txn& txn,
                    const std::vector<WireRecord>& records);

// The half of verify_batch that needs no store, so that a receiver can run it while its writer
// commits earlier batches: one device (not the private one), sequences from 1 up and contiguous,
// each record chained to the one before it, every body matching its header's hash, and, when
// `sign_key` is given (the device's key in the roster as last read), the last record's signature
// under it. Pure; any thread. kCorrupt / kAuth with the reason.
struct Prechecked {
  store::DeviceId device{};
  std::optional<crypto::PublicKey> signed_by;             // the key the signature was checked under
  std::vector<crypto::Hash32> hashes;                     // chain_hash of each record
  std::vector<std::optional<store::EditTarget>> targets;  // each edit's or retract's entry
};
Result<Prechecked> precheck_batch(const std::vector<WireRecord>& records,
                                  const std::optional<crypto::PublicKey>& sign_key);

// The other half, in the write transaction the batch is applied in: the device in the roster
// (and the signature checked again here unless precheck_batch checked it under the roster's
// current key), the first new record following the local head, records already held identical
// to this store's (a fork otherwise), edits and retracts only of the author's own entries.
Status confirm_batch(const store::Store& store, const store::Txn& txn,
                     const std::vector<WireRecord>& records, const Prechecked& pre);

// Applies a batch that verify_batch (or precheck_batch and confirm_batch) accepted in this same
// `txn` (bodies are not hashed again): stores every record (edits and retracts take effect) and,
// for roster records, merges the roster they carry into this device's. `pre`, when given,
// supplies the record hashes. Returns the keys of the records stored.
Result<std::vector<store::RecordKey>> apply_batch(store::Store& store, store::Txn& txn,
                                                  const std::vector<WireRecord>& records,
                                                  const Prechecked* pre = nullptr);

// A batch as it waits for the writer: its records, and what precheck_batch found in them.
struct Incoming {
  std::vector<WireRecord> records;  // not empty
  Prechecked pre;
};

// What became of one batch handed to apply_batches.
struct Outcome {
  Status status;                         // the refusal, if it was refused
  std::vector<store::RecordKey> stored;  // the records it added (none: duplicates, or refused)
};

// Verifies and applies batches received back to back from one peer, in their order, in `txn`.
// Consecutive batches of one device that chain into each other form a run, verified as one batch
// is: the newest record's signature, under the device's key as the roster in `txn` says when the
// run's turn comes, vouches for every record below it (the chain covers each header whole), so a
// run costs one signature check however many batches it spans. Each batch then goes through
// confirm_batch, which writes nothing, and only once confirmed through apply_batch: a refused
// batch leaves nothing behind and does not undo the others (a roster record that came after a
// batch of the device it admits still lands, so that the peer's next attempt succeeds). One
// outcome per batch. A confirmed batch that cannot be applied (the store failing: a full disk)
// is an error for all of them, and the caller must abort `txn`.
Result<std::vector<Outcome>> apply_batches(store::Store& store, store::Txn& txn,
                                           std::vector<Incoming>& batches);

}  // namespace tandem::sync
