// RAII over LMDB: one move-only type per handle. Transactions abort in their destructor unless
// committed; commit clears the handle first (mdb_txn_commit frees the txn even when it fails).
// Every LMDB failure becomes a tandem::Error: MDB_MAP_FULL and ENOSPC are kStorageFull, so a full
// disk is a clear, typed refusal and nothing half-written stays.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"

#include <lmdb.h>

#include <optional>
#include <string>

namespace tandem::store {

// Maps an LMDB or errno code to a tandem Error with `what` as context.
Error lmdb_error(int rc, const char* what);

inline MDB_val to_val(ByteView b) {
  return MDB_val{b.size(), const_cast<std::uint8_t*>(b.data())};
}
// A view into LMDB's memory: valid until the transaction that produced it ends or writes.
inline ByteView from_val(const MDB_val& v) {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

class Env {
 public:
  struct Options {
    std::size_t map_size = std::size_t(1) << 36;  // 64 GiB of address space; the file stays sparse
    unsigned max_dbs = 16;
    unsigned max_readers = 126;
  };
  // Opens (creating) the environment in directory `dir`, which must exist. Durable commits
  // (fsync on every commit): nothing acknowledged is lost on a crash or power loss.
  static Result<Env> open(const std::string& dir, const Options& options);

  Env() = default;
  ~Env();
  Env(Env&& o) noexcept : env_(o.env_) { o.env_ = nullptr; }
  Env& operator=(Env&& o) noexcept;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  MDB_env* get() const { return env_; }

  // Unmaps from this process the store's file pages that reads have made resident; neither the
  // data nor the kernel's page cache is touched, and the next read maps a page again on demand
  // (a minor fault). Reads through LMDB's map count every page they touch in the process's RSS,
  // so a reader of a long history (a sync sender) calls this now and then to keep its resident
  // set bounded. Safe beside concurrent readers and the writer (the map is read-only: writes go
  // through write(2)). Returns the bytes of the map it covered; 0 when nothing was done.
  std::size_t release_mapped_pages() const;
  // Bytes of the data file in use (up to the last page ever allocated); 0 on failure.
  std::size_t used_size() const;

 private:
  explicit Env(MDB_env* e) : env_(e) {}
  MDB_env* env_ = nullptr;
};

// A transaction: read-only or read-write, optionally nested in a parent write transaction.
// Never hold one across a co_await.
class Txn {
 public:
  static Result<Txn> begin_read(const Env& env);
  static Result<Txn> begin_write(const Env& env);
  // A child of `parent` (a write txn): its writes join the parent's only when committed.
  static Result<Txn> begin_nested(const Env& env, Txn& parent);

  Txn() = default;
  ~Txn() { abort(); }
  Txn(Txn&& o) noexcept : txn_(o.txn_) { o.txn_ = nullptr; }
  Txn& operator=(Txn&& o) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Status commit();
  void abort();
  MDB_txn* get() const { return txn_; }

  // Table operations. `get` returns a view valid until this txn ends or writes.
  Result<std::optional<ByteView>> get(MDB_dbi dbi, ByteView key) const;
  Status put(MDB_dbi dbi, ByteView key, ByteView value, unsigned flags = 0);
  // Makes room for a `size`-byte value under `key` (MDB_RESERVE) and returns it, for the caller
  // to fill before this txn's next write: the value is written in place, never copied.
  Result<std::span<std::uint8_t>> reserve(MDB_dbi dbi, ByteView key, std::size_t size);
  // Returns whether the key existed.
  Result<bool> del(MDB_dbi dbi, ByteView key);

 private:
  explicit Txn(MDB_txn* t) : txn_(t) {}
  MDB_txn* txn_ = nullptr;
};

// Opens (creating in a write txn) a named table.
Result<MDB_dbi> open_table(Txn& txn, const char* name, unsigned flags = 0);

// A cursor over one table, closed in its destructor. Views it returns are valid until the next
// cursor move or the end of the transaction.
class Cursor {
 public:
  static Result<Cursor> open(const Txn& txn, MDB_dbi dbi);
  Cursor() = default;
  ~Cursor();
  Cursor(Cursor&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  Cursor& operator=(Cursor&& o) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  struct Item {
    ByteView key;
    ByteView value;
  };
  // Each returns nullopt at the end of the table.
  std::optional<Item> first();
  std::optional<Item> last();
  std::optional<Item> next();
  std::optional<Item> prev();
  // The first item with key >= `key`.
  std::optional<Item> seek(ByteView key);

 private:
  std::optional<Item> move(MDB_val* k, MDB_cursor_op op);
  MDB_cursor* c_ = nullptr;
};

}  // namespace tandem::store
