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

// Raises what is remembered for `device` to at least `seen`, per log (never lowers it). Write
// txn, on the committer thread.
Status remember_frontier(store::Store& store, store::Txn& txn, const store::DeviceId& device,
                         const Frontier& seen);

}  // namespace tandem::sync
