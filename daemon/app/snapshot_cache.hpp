// The daemon's report snapshot, kept in memory and brought up to date from the store's log, so a
// report request reads and decrypts only what arrived since the last one (usually nothing).
//
// The log is append-only per device, so "what changed" is exactly the records after the heads the
// snapshot has seen: new entries are added; an edit or retract makes its target be read again;
// a roster change that only admits devices or renames members is applied in place, any other
// (a device revoked or moved to the other member) rebuilds. Every path that writes the store
// (local appends, edits, retracts, private entries, sync merges, pairing) is covered, whichever
// code wrote it. After catch_up(txn) the snapshot equals build_snapshot(txn) up to fact order.
//
// Not thread-safe: one owner (the Journal, on the io_context thread) calls it.
#pragma once

#include "daemon/app/snapshot.hpp"
#include "daemon/insight/report.hpp"

#include <cstddef>
#include <cstdint>
#include <map>

namespace tandem::app {

class SnapshotCache {
 public:
  // What build_snapshot reads in `txn`, plus the heads it covers. Same failures as build_snapshot.
  static Result<SnapshotCache> build(const store::Store& store, const store::Txn& txn,
                                     std::uint8_t reader_member);

  // Applies every record committed after the heads seen so far, as visible in `txn` (which must
  // be at least as new as the last one used). Returns how many records it read. Fails with the
  // store's error when a table cannot be read (the snapshot is then unchanged or rebuilt).
  Result<std::size_t> catch_up(const store::Store& store, const store::Txn& txn);

  // Borrowed until the next catch_up or build.
  const insight::Snapshot& snapshot() const { return snap_; }
  // What reports keep between calls over this snapshot (reset here whenever catch_up does more
  // than append facts). Borrowed like snapshot().
  insight::ReportMemo& memo() { return memo_; }
  std::uint8_t reader() const { return snap_.reader; }
  // Heap bytes the snapshot holds (facts and what they own), for the memory figures.
  std::size_t memory_bytes() const;

 private:
  insight::Snapshot snap_;
  insight::ReportMemo memo_;
  MemberOf member_of_;
  Bytes roster_bytes_;
  std::map<store::DeviceId, std::uint64_t> seen_;  // device -> newest seq applied
};

}  // namespace tandem::app
