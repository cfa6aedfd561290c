// What this device knows other devices hold: a lower bound on each device's frontier, learnt from
// sync sessions (its hello and acknowledged batches) and from bundles it imported from it. Kept in
// the store's meta table ("known/<device hex>": device[8] seq[8] pairs), so an offline bundle
// written "for" a device leaves out what it already has, even after a restart. Devices never lose
// records, so a stale entry only makes a bundle larger, never incomplete.
#pragma once

#include "daemon/sync/engine.hpp"

namespace tandem::sync {

// The frontier remembered for `device`; empty when nothing is known.
Result<Frontier> known_frontier(const store::Store& store, const store::Txn& txn,
                                const store::DeviceId& device);

// The stored form, "known/<device hex>" in the meta table: device[8] seq[8] pairs, in device
// order. decode_known_frontier fails with kCorrupt when the size is not a multiple of 16; a device
// listed twice keeps its last sequence number. Pure.
Result<Frontier> decode_known_frontier(ByteView bytes);
Bytes encode_known_frontier(const Frontier& frontier);

// Raises what is remembered for `device` to at least `seen`, per log (never lowers it). Write
// txn, on the committer thread.
Status remember_frontier(store::Store& store, store::Txn& txn, const store::DeviceId& device,
                         const Frontier& seen);

}  // namespace tandem::sync
