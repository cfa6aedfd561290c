// The report's input read out of the store: every entry the reader may count, as insight facts.
// A free function of a read transaction so that the daemon (Journal::on_report) and the report
// benchmark run the very same code.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/insight/snapshot.hpp"
#include "daemon/store/lmdb.hpp"
#include "daemon/store/store.hpp"

#include <cstdint>

namespace tandem::app {

// Reads every entry of the space's roster devices (and this device's private log) in `txn`,
// applies each entry's newest edit, drops retracted entries, edit/retract records and roster
// records, and turns the rest into facts seen by `reader_member` (1 or 2). Bodies that are
// erased, fail to open or fail to parse are skipped, as are records of devices not in the
// roster. Borrows `store` and `txn` for the call only; the Snapshot owns everything it holds.
// Fails with kNotInitialized before `init` (no roster), or with the store's error when a table
// cannot be read.
Result<insight::Snapshot> build_snapshot(const store::Store& store, const store::Txn& txn,
                                         std::uint8_t reader_member);

}  // namespace tandem::app
