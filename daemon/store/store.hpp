// tandem's store: one LMDB environment per data directory holding the signed logs of every
// device of the space, their sealed bodies, and the indexes the journal needs.
//
// Tables (keys increase within a run, so batched inserts stay sequential):
//   log       device[8] seq[8]            -> header (153 bytes, see record.hpp)
//   bodies    device[8] seq[8]            -> sealed RecordBody, zero-padded to 256 bytes
//                                            (XChaCha20-Poly1305, AD = key; record.hpp)
//   heads     device[8]                   -> seq[8] chain_hash[32] of the device's newest record
//   meta      name                        -> value ("self": this device's id, "roster": Roster)
//   order     hlc[8] device[8] seq[8]     -> empty: every record in recording order
//   edits     target[16] hlc[8] editor[16] -> empty: edits of an entry, newest last
//   retracts  target[16]                  -> the retract record's key
//
// Threading: write methods take a write Txn and run on the committer's thread (committer.hpp);
// read methods take any Txn. The Store itself holds no mutable state besides the environment.
#pragma once

#include "daemon/crypto/secret.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/lmdb.hpp"
#include "daemon/store/record.hpp"
#include "daemon/store/roster.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tandem::store {

struct Tables {
  MDB_dbi log = 0, bodies = 0, heads = 0, meta = 0, order = 0, edits = 0, retracts = 0;
};

struct Head {
  std::uint64_t seq = 0;
  crypto::Hash32 hash{};  // chain_hash of the newest record; zero when seq == 0
};

// What apply() learned about a record's effect on other entries.
struct Applied {
  bool edit = false;
  bool retract = false;
  std::optional<RecordKey> target;
};

class Store {
 public:
  // Opens the environment in `dir` (created 0700 if missing) with `storage_key` sealing bodies.
  static Result<std::unique_ptr<Store>> open(const std::string& dir,
                                             crypto::SymmetricKey storage_key,
                                             const Env::Options& options = {});

  const Env& env() const { return env_; }
  const Tables& tables() const { return tables_; }

  // ---- reads (any txn) ----
  Result<std::optional<Header>> header(const Txn& txn, const DeviceId& dev,
                                       std::uint64_t seq) const;
  // The body, unsealed; nullopt when erased (retracted) or never received.
  Result<std::optional<Body>> body(const Txn& txn, const DeviceId& dev, std::uint64_t seq) const;
  // Opens a sealed body as stored under `key` in the bodies table (e.g. read through a cursor).
  // kCorrupt when it does not open or parse.
  Result<Body> unseal_body(const RecordKey& key, ByteView sealed) const;
  Result<Head> head(const Txn& txn, const DeviceId& dev) const;
  Result<std::optional<Bytes>> meta(const Txn& txn, std::string_view name) const;
  // nullopt before `init`.
  Result<std::optional<DeviceId>> self(const Txn& txn) const;
  Result<std::optional<Roster>> roster(const Txn& txn) const;
  // The newest edit record of `target`, if any; and its retract record, if any.
  Result<std::optional<RecordKey>> latest_edit(const Txn& txn, const RecordKey& target) const;
  Result<std::optional<RecordKey>> retract_of(const Txn& txn, const RecordKey& target) const;

  // ---- writes (write txn on the committer thread) ----
  Status put_meta(Txn& txn, std::string_view name, ByteView value);
  // Appends a record of this device: assigns seq, chains, signs, seals and indexes it.
  Result<Header> append(Txn& txn, const DeviceId& dev, const crypto::SignSecretKey& sk,
                        std::uint64_t hlc, std::uint8_t flags, const Body& body);
  // Stores a record that has been verified (chain, signature, roster) by the caller. The record
  // must be the device's next one (seq == head + 1, prev_hash == head hash); kCorrupt otherwise.
  Result<Applied> apply(Txn& txn, const Header& h, const std::optional<Body>& body);
  // As apply(), for a record whose body the caller has already checked against h.body_hash in
  // this transaction and whose chain_hash(h) it passes in (sync's verified batches): skips
  // recomputing both. The chain check against the head stays.
  // `run`: for a run of one device's records in one transaction, the device's head as the
  // caller carries it from record to record (read once with head()): checked against and
  // advanced in place instead of read and written per record. The caller stores it once, after
  // the run, with put_head().
  // `target`, when given: what edit_target() gives for this body's fields (nullopt for a roster
  // record or another kind), as the caller parsed it already; parsed here otherwise.
  Result<Applied> apply_checked(Txn& txn, const Header& h, const std::optional<Body>& body,
                                const crypto::Hash32& chain, Head* run = nullptr,
                                const std::optional<EditTarget>* target = nullptr);
  // Records `head` as the device's newest record (after a run of apply_checked).
  Status put_head(Txn& txn, const DeviceId& dev, const Head& head);
  // Drops a body, keeping its header (retract). Returns whether a body was there.
  Result<bool> erase_body(Txn& txn, const RecordKey& key);

 private:
  Store(Env env, Tables tables, crypto::SymmetricKey key)
      : env_(std::move(env)), tables_(tables), key_(std::move(key)) {}
  Status index(Txn& txn, const Header& h, const std::optional<Body>& body,
               const std::optional<EditTarget>* known, Applied& applied);

  Env env_;
  Tables tables_;
  crypto::SymmetricKey key_;
};

// Walks every device's log from seq 1: chain links, record hashes, head agreement, body hashes
// of every body present, and every record's signature (sync verifies only the newest signature of
// a run, which vouches for the chain below it; this audit checks them all). Private records are
// checked for chain and body but carry no signature.
struct VerifyReport {
  std::uint64_t records = 0;
  std::uint64_t bodies = 0;
  std::uint64_t erased = 0;
  std::vector<std::string> problems;  // empty when the log verifies
};
Result<VerifyReport> verify_log(const Store& store, const Txn& txn);

}  // namespace tandem::store
