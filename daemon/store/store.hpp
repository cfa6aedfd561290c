// tandem's store: one LMDB environment per data directory holding the signed logs of every
// device of the space, their sealed bodies, and the indexes the journal needs.
//
// Tables (keys increase within a run, so batched inserts stay sequential):
//   log       device[8] seq[8]            -> header (153 bytes, see record.hpp)
//   pages     device[8] first_seq[8]      -> the sealed bodies of records first_seq, first_seq + 1,
//                                            ... of the device (body_page.hpp; XChaCha20-Poly1305,
//                                            AD = "tandem/page/v1" || key)
//   bodies    device[8] seq[8]            -> one sealed RecordBody, zero-padded to 256 bytes
//                                            (AD = key): stores written before pages; read and
//                                            erased, never written any more
//   heads     device[8]                   -> seq[8] chain_hash[32] of the device's newest record
//   meta      name                        -> value ("self": this device's id, "roster": Roster)
//   order     hlc[8] device[8] seq[8]     -> empty: every record in recording order
//   edits     target[16] hlc[8] editor[16] -> empty: edits of an entry, newest last
//   retracts  target[16]                  -> the retract record's key
//
// Threading: write methods take a write Txn and run on the committer's thread (committer.hpp);
// read methods take any Txn. The Store itself holds no mutable state besides the environment;
// body() keeps, per thread, the last page it opened (open_page_cached).
#pragma once

#include "daemon/crypto/secret.hpp"
#include "daemon/store/body_page.hpp"
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
  MDB_dbi log = 0, bodies = 0, pages = 0, heads = 0, meta = 0, order = 0, edits = 0, retracts = 0;
};

struct Head {
  std::uint64_t seq = 0;
  crypto::Hash32 hash{};  // chain_hash of the newest record; zero when seq == 0
};

// A run of one device's records applied back to back in one transaction (sync's batches): the
// device's head, carried from record to record instead of read and written per record, and the
// page of bodies being filled, sealed once it is full. apply_checked advances it; finish_run()
// stores what it holds.
struct Run {
  Head head;
  std::uint64_t page_first = 0;  // the first record of the page being filled; 0: none
  PageBuilder page;
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
  // advanced in place, and the bodies gathered into its page. The caller stores the run once,
  // after its last record, with finish_run(); until then the run's newest bodies may be only in
  // `run`. Without a run the record is stored whole at once.
  // `target`, when given: what edit_target() gives for this body's fields (nullopt for a roster
  // record or another kind), as the caller parsed it already; parsed here otherwise.
  Result<Applied> apply_checked(Txn& txn, const Header& h, const std::optional<Body>& body,
                                const crypto::Hash32& chain, Run* run = nullptr,
                                const std::optional<EditTarget>* target = nullptr);
  // Stores what `run` holds for device `dev`: the page being filled, and the head.
  Status finish_run(Txn& txn, const DeviceId& dev, Run& run);
  // Drops a body, keeping its header (retract): its page is sealed again without it, or deleted
  // when nothing readable is left in it (a page that no longer opens goes whole). Returns whether
  // a body was there.
  Result<bool> erase_body(Txn& txn, const RecordKey& key);

 private:
  friend class BodyReader;
  // A page as found in the table: its key and its sealed bytes (valid until the txn writes).
  struct FoundPage {
    RecordKey key;
    std::uint64_t first = 0;
    ByteView sealed;
  };

  Store(Env env, Tables tables, crypto::SymmetricKey key);
  Status put_head(Txn& txn, const DeviceId& dev, const Head& head);
  Status index(Txn& txn, const Header& h, const std::optional<Body>& body,
               const std::optional<EditTarget>& target, Applied& applied);
  // The device's page with the greatest first record at or below `seq`, if any (it covers `seq`
  // only if it holds enough records: see its count).
  Result<std::optional<FoundPage>> find_page(const Txn& txn, const DeviceId& dev,
                                             std::uint64_t seq) const;
  // Opens a page into `plain` (resized); kCorrupt or kAuth when it does not open.
  Status open_page(const FoundPage& page, Bytes& plain) const;
  // As open_page, through a small per-thread cache of the last page opened (readers that walk
  // the entries in order read each page's bodies one after another).
  Result<ByteView> open_page_cached(const FoundPage& page) const;
  // Adds record `seq`'s body (nullptr: none, erased) to the run's page, sealing the page first
  // when the body does not belong in it.
  Status add_body(Txn& txn, Run& run, const DeviceId& dev, std::uint64_t seq, const Body* body);
  // Starts the run's page at `seq`: from the device's last page when it ends just before `seq`
  // and has room for `size` more bytes, otherwise empty.
  Status resume_page(Txn& txn, Run& run, const DeviceId& dev, std::uint64_t seq, std::size_t size);
  // Seals the run's page into the table (or deletes it when every slot is erased) and empties it.
  Status flush_page(Txn& txn, const DeviceId& dev, Run& run);

  Env env_;
  Tables tables_;
  crypto::SymmetricKey key_;
  std::uint64_t id_;  // tells this store's cached page from another's (open_page_cached)
};

// Reads one device's bodies in increasing sequence order in one transaction, opening each page
// once (a sync sender's or a bundle's walk through a log).
class BodyReader {
 public:
  BodyReader(const Store& store, const Txn& txn, const DeviceId& dev);
  ~BodyReader();  // wipes the open page
  BodyReader(const BodyReader&) = delete;
  BodyReader& operator=(const BodyReader&) = delete;

  // The body of record `seq`, which must be greater than the last asked for; nullopt when it was
  // erased (or never received). kCorrupt or kAuth when its page or body does not open or parse.
  Result<std::optional<Body>> read(std::uint64_t seq);

 private:
  const Store& store_;
  const Txn& txn_;
  DeviceId dev_;
  std::optional<Cursor> legacy_;  // the bodies table, opened on the first read
  std::optional<Cursor::Item> legacy_at_;
  std::uint64_t page_first_ = 0;  // of the open page; 0: none
  Bytes plain_;
  std::optional<PageView> page_;
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
