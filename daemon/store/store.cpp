#include "daemon/store/store.hpp"

#include "daemon/crypto/primitives.hpp"
#include "daemon/store/entry_codec.hpp"

#include <sys/stat.h>

#include <cstring>

namespace tandem::store {

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, crypto::SymmetricKey storage_key,
                                           const Env::Options& options) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{Code::kIo, "cannot create " + dir + ": " + std::strerror(errno)};
  }
  auto env = Env::open(dir, options);
  if (!env) return env.error();
  auto txn = Txn::begin_write(*env);
  if (!txn) return txn.error();
  Tables t;
  struct {
    const char* name;
    MDB_dbi* dbi;
  } specs[] = {{"log", &t.log},          {"bodies", &t.bodies}, {"heads", &t.heads},
               {"meta", &t.meta},        {"order", &t.order},   {"edits", &t.edits},
               {"retracts", &t.retracts}};
  for (auto& s : specs) {
    auto dbi = open_table(*txn, s.name);
    if (!dbi) return dbi.error();
    *s.dbi = *dbi;
  }
  if (auto st = txn->commit(); !st) return st.error();
  return std::unique_ptr<Store>(new Store(std::move(*env), t, std::move(storage_key)));
}

Result<std::optional<Header>> Store::header(const Txn& txn, const DeviceId& dev,
                                            std::uint64_t seq) const {
  auto key = record_key(dev, seq);
  auto v = txn.get(tables_.log, key);
  if (!v) return v.error();
  if (!*v) return std::optional<Header>{};
  auto h = decode_header(**v);
  if (!h) return h.error();
  return std::optional<Header>{*h};
}

Result<std::optional<Body>> Store::body(const Txn& txn, const DeviceId& dev,
                                        std::uint64_t seq) const {
  auto key = record_key(dev, seq);
  auto v = txn.get(tables_.bodies, key);
  if (!v) return v.error();
  if (!*v) return std::optional<Body>{};
  auto b = unseal_body(key, **v);
  if (!b) return b.error();
  return std::optional<Body>{std::move(*b)};
}

Result<Body> Store::unseal_body(const RecordKey& key, ByteView sealed) const {
  if (sealed.size() < crypto::kSealOverhead) return Error{Code::kCorrupt, "a stored body is short"};
  thread_local Bytes plain;  // reused by the thread: a sender opens thousands in a row
  plain.resize(sealed.size() - crypto::kSealOverhead);
  auto opened = crypto::open_into(key_, sealed, key, plain);
  auto b = opened ? decode_body(plain)
                  : Result<Body>(Error{Code::kCorrupt,
                                       "a stored body does not open: " + opened.error().message});
  crypto::wipe(plain.data(), plain.size());
  return b;
}

Result<Head> Store::head(const Txn& txn, const DeviceId& dev) const {
  auto v = txn.get(tables_.heads, dev);
  if (!v) return v.error();
  Head h;
  if (!*v) return h;
  if ((*v)->size() != 40) return Error{Code::kCorrupt, "bad head record"};
  h.seq = get_be64((*v)->data());
  std::memcpy(h.hash.data(), (*v)->data() + 8, 32);
  return h;
}

Result<std::optional<Bytes>> Store::meta(const Txn& txn, std::string_view name) const {
  auto v = txn.get(tables_.meta, as_bytes(name));
  if (!v) return v.error();
  if (!*v) return std::optional<Bytes>{};
  return std::optional<Bytes>{Bytes((*v)->begin(), (*v)->end())};
}

Result<std::optional<DeviceId>> Store::self(const Txn& txn) const {
  auto v = meta(txn, "self");
  if (!v) return v.error();
  if (!*v) return std::optional<DeviceId>{};
  if ((*v)->size() != 8) return Error{Code::kCorrupt, "bad device id in the store"};
  DeviceId id;
  std::memcpy(id.data(), (*v)->data(), 8);
  return std::optional<DeviceId>{id};
}

Result<std::optional<Roster>> Store::roster(const Txn& txn) const {
  auto v = meta(txn, "roster");
  if (!v) return v.error();
  if (!*v) return std::optional<Roster>{};
  auto r = decode_roster(**v);
  if (!r) return r.error();
  return std::optional<Roster>{std::move(*r)};
}

Result<std::optional<RecordKey>> Store::latest_edit(const Txn& txn, const RecordKey& target) const {
  auto cur = Cursor::open(txn, tables_.edits);
  if (!cur) return cur.error();
  // Seek to the largest possible key with this prefix (edits keys are 40 bytes), then step back
  // unless it is an exact match.
  std::array<std::uint8_t, 40> past{};
  std::memcpy(past.data(), target.data(), 16);
  std::memset(past.data() + 16, 0xff, 24);
  auto it = cur->seek(ByteView(past.data(), past.size()));
  if (it && it->key.size() == 40 && std::memcmp(it->key.data(), past.data(), 40) == 0) {
    RecordKey k;
    std::memcpy(k.data(), it->key.data() + 24, 16);
    return std::optional<RecordKey>{k};
  }
  it = it ? cur->prev() : cur->last();
  if (!it || it->key.size() != 40 || std::memcmp(it->key.data(), target.data(), 16) != 0) {
    return std::optional<RecordKey>{};
  }
  RecordKey k;
  std::memcpy(k.data(), it->key.data() + 24, 16);
  return std::optional<RecordKey>{k};
}

Result<std::optional<RecordKey>> Store::retract_of(const Txn& txn, const RecordKey& target) const {
  auto v = txn.get(tables_.retracts, target);
  if (!v) return v.error();
  if (!*v || (*v)->size() != 16) return std::optional<RecordKey>{};
  RecordKey k;
  std::memcpy(k.data(), (*v)->data(), 16);
  return std::optional<RecordKey>{k};
}

Status Store::put_meta(Txn& txn, std::string_view name, ByteView value) {
  return txn.put(tables_.meta, as_bytes(name), value);
}

Result<Header> Store::append(Txn& txn, const DeviceId& dev, const crypto::SignSecretKey& sk,
                             std::uint64_t hlc, std::uint8_t flags, const Body& body) {
  auto head = this->head(txn, dev);
  if (!head) return head.error();
  Header h;
  h.device = dev;
  h.seq = head->seq + 1;
  h.hlc = hlc;
  h.prev_hash = head->hash;
  h.body_hash = compute_body_hash(body);
  h.flags = flags;
  if (dev != kPrivateDevice) sign_header(h, sk);
  auto applied = apply(txn, h, body);
  if (!applied) return applied.error();
  return h;
}

Result<Applied> Store::apply(Txn& txn, const Header& h, const std::optional<Body>& body) {
  if (body && compute_body_hash(*body) != h.body_hash) {
    return Error{Code::kCorrupt,
                 "record " + entry_id(h.device, h.seq) + " has a body that does not match"};
  }
  return apply_checked(txn, h, body, chain_hash(h));
}

Status Store::put_head(Txn& txn, const DeviceId& dev, const Head& head) {
  std::array<std::uint8_t, 40> v{};
  put_be64(v.data(), head.seq);
  std::memcpy(v.data() + 8, head.hash.data(), 32);
  return txn.put(tables_.heads, dev, v);
}

Result<Applied> Store::apply_checked(Txn& txn, const Header& h, const std::optional<Body>& body,
                                     const crypto::Hash32& chain, Head* run,
                                     const std::optional<EditTarget>* target) {
  Head head;
  if (run != nullptr) {
    head = *run;
  } else {
    auto stored = this->head(txn, h.device);
    if (!stored) return stored.error();
    head = *stored;
  }
  if (h.seq != head.seq + 1 || h.prev_hash != head.hash) {
    return Error{Code::kCorrupt,
                 "record " + entry_id(h.device, h.seq) + " does not extend its log"};
  }
  auto key = record_key(h.device, h.seq);
  auto hdr = encode_header(h);
  TANDEM_TRY(txn.put(tables_.log, key, hdr));
  Applied applied;
  if (body) {
    // Encoded and padded (pad_body) in a buffer this thread reuses, sealed straight into the table.
    thread_local Bytes plain;
    encode_body_into(*body, plain);
    pad_body(plain);
    auto slot = txn.reserve(tables_.bodies, key, plain.size() + crypto::kSealOverhead);
    if (slot) crypto::seal_into(key_, plain, key, *slot);
    crypto::wipe(plain.data(), plain.size());
    if (!slot) return slot.error();
  }
  if (run != nullptr) {
    *run = {h.seq, chain};
  } else {
    TANDEM_TRY(put_head(txn, h.device, {h.seq, chain}));
  }
  TANDEM_TRY(index(txn, h, body, target, applied));
  return applied;
}

Status Store::index(Txn& txn, const Header& h, const std::optional<Body>& body,
                    const std::optional<EditTarget>* known, Applied& applied) {
  auto key = record_key(h.device, h.seq);
  std::array<std::uint8_t, 24> ord{};
  put_be64(ord.data(), h.hlc);
  std::memcpy(ord.data() + 8, key.data(), 16);
  TANDEM_TRY(txn.put(tables_.order, ord, {}));
  if (!body || (h.flags & kFlagRoster)) return {};
  const auto target = known ? *known : edit_target(body->fields);
  if (!target) return {};  // not an edit or a retract (or unreadable: listed as is)
  applied.target = target->key;
  if (target->retract) {
    applied.retract = true;
    TANDEM_TRY(txn.put(tables_.retracts, target->key, key));
    // Erase the target's body and every edit's body: the headers keep the log verifiable.
    TANDEM_TRY(erase_body(txn, target->key));
    auto cur = Cursor::open(txn, tables_.edits);
    if (!cur) return cur.error();
    std::vector<RecordKey> edits;
    for (auto it = cur->seek(ByteView(target->key.data(), 16));
         it && it->key.size() == 40 && std::memcmp(it->key.data(), target->key.data(), 16) == 0;
         it = cur->next()) {
      RecordKey ek;
      std::memcpy(ek.data(), it->key.data() + 24, 16);
      edits.push_back(ek);
    }
    for (const auto& ek : edits) TANDEM_TRY(erase_body(txn, ek));
  } else {
    applied.edit = true;
    std::array<std::uint8_t, 40> ek{};
    std::memcpy(ek.data(), target->key.data(), 16);
    put_be64(ek.data() + 16, h.hlc);
    std::memcpy(ek.data() + 24, key.data(), 16);
    TANDEM_TRY(txn.put(tables_.edits, ek, {}));
    // An edit that arrives after the retract of its target is erased at once.
    auto r = retract_of(txn, target->key);
    if (!r) return r.error();
    if (*r) TANDEM_TRY(erase_body(txn, key));
  }
  return {};
}

Result<bool> Store::erase_body(Txn& txn, const RecordKey& key) {
  return txn.del(tables_.bodies, key);
}

Result<VerifyReport> verify_log(const Store& store, const Txn& txn) {
  VerifyReport rep;
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  auto cur = Cursor::open(txn, store.tables().log);
  if (!cur) return cur.error();
  DeviceId dev{};
  std::uint64_t expect_seq = 1;
  crypto::Hash32 prev{};
  std::optional<Header> last;
  auto finish_device = [&](const std::optional<Header>& newest) {
    if (!newest) return;
    auto head = store.head(txn, newest->device);
    if (!head || head->seq != newest->seq || head->hash != chain_hash(*newest)) {
      rep.problems.push_back("head of " + to_hex(newest->device) + " disagrees with its log");
    }
    if (newest->device == kPrivateDevice) return;
    const DeviceInfo* info = *roster ? (*roster)->device(newest->device) : nullptr;
    if (!info) rep.problems.push_back("device " + to_hex(newest->device) + " is not in the roster");
  };
  for (auto it = cur->first(); it; it = cur->next()) {
    auto h = decode_header(it->value);
    if (!h || it->key.size() != 16) {
      rep.problems.push_back("unreadable header");
      continue;
    }
    if (std::memcmp(it->key.data(), h->device.data(), 8) != 0 ||
        get_be64(it->key.data() + 8) != h->seq) {
      rep.problems.push_back("header of " + entry_id(h->device, h->seq) +
                             " is filed under another key");
    }
    if (!last || h->device != dev) {
      finish_device(last);
      dev = h->device;
      expect_seq = 1;
      prev = {};
    }
    if (h->seq != expect_seq) rep.problems.push_back("gap before " + entry_id(h->device, h->seq));
    if (h->prev_hash != prev)
      rep.problems.push_back("broken chain at " + entry_id(h->device, h->seq));
    // Every signature, not only the newest: sync may end a batch at any record and carry its
    // signature to a peer, so a rotten older signature must show here first.
    if (h->device != kPrivateDevice && h->seq != 0) {
      const DeviceInfo* info = *roster ? (*roster)->device(h->device) : nullptr;
      if (info && !verify_header(*h, info->sign_key)) {
        rep.problems.push_back("signature of " + entry_id(h->device, h->seq) + " fails");
      }
    }
    auto b = store.body(txn, h->device, h->seq);
    if (!b) {
      rep.problems.push_back("body of " + entry_id(h->device, h->seq) + ": " + b.error().message);
    } else if (*b) {
      ++rep.bodies;
      if (compute_body_hash(**b) != h->body_hash) {
        rep.problems.push_back("body of " + entry_id(h->device, h->seq) +
                               " does not match its hash");
      }
    } else {
      ++rep.erased;
    }
    prev = chain_hash(*h);
    expect_seq = h->seq + 1;
    ++rep.records;
    last = *h;
  }
  finish_device(last);
  return rep;
}

}  // namespace tandem::store
