// The report's input read out of the store: every entry the reader may count, as insight facts.
// Free functions of a read transaction so that the daemon (SnapshotCache, snapshot_cache.hpp),
// the tests and the report benchmark run the very same code.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/insight/snapshot.hpp"
#include "daemon/store/lmdb.hpp"
#include "daemon/store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>

namespace tandem::app {

// Which member (1 or 2) each device writes for: the roster's devices, and the private pseudo
// device for the reader.
using MemberOf = std::map<store::DeviceId, std::uint8_t>;
MemberOf members_of(const store::Roster& roster, std::uint8_t reader_member);

// The snapshot's id of the entry at `key` (the device id read as a big-endian number, and seq).
insight::EntryId fact_id(const store::RecordKey& key);

// Reads every entry of the space's roster devices (and this device's private log) in `txn`,
// applies each entry's newest edit, drops retracted entries, edit/retract records and roster
// records, and turns the rest into facts seen by `reader_member` (1 or 2). Bodies that are
// erased, fail to open or fail to parse are skipped, as are records of devices not in the
// roster. Borrows `store` and `txn` for the call only; the Snapshot owns everything it holds.
// Fails with kNotInitialized before `init` (no roster), or with the store's error when a table
// cannot be read.
Result<insight::Snapshot> build_snapshot(const store::Store& store, const store::Txn& txn,
                                         std::uint8_t reader_member);

// The fact build_snapshot holds for the record at `key`, read on its own: nullopt when the record
// is a roster, edit or retract record, is retracted, has no readable body, or its device is not
// in `member_of`. Looks up the record's retract and newest edit in `txn`.
std::optional<insight::Fact> read_fact(const store::Store& store, const store::Txn& txn,
                                       const store::RecordKey& key, const MemberOf& member_of);

// What a new log record means for the snapshot: an entry of its own (with its fact, nullopt when
// build_snapshot would hold none for it), an edit or retract of `target`, or nothing (roster
// records, devices outside `member_of`, erased or unreadable bodies). `header` is the record's
// log value. Reads the body once.
struct RecordEffect {
  enum Kind { kNothing, kEntry, kChanges } kind = kNothing;
  store::RecordKey target{};  // kChanges: the entry edited or retracted
  std::optional<insight::Fact> fact;
};
RecordEffect read_record(const store::Store& store, const store::Txn& txn,
                         const store::RecordKey& key, ByteView header, const MemberOf& member_of);

}  // namespace tandem::app
