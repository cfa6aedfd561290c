#include "daemon/store/store.hpp"

#include "daemon/crypto/primitives.hpp"
#include "daemon/store/entry_codec.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cstring>

namespace tandem::store {

namespace {

// A page's AD: its domain and its key, so a page opens only where it was sealed, and never as a
// lone body of the bodies table (AD: the key alone).
std::array<std::uint8_t, 30> page_ad(const RecordKey& key) {
  static constexpr std::string_view kDomain = "tandem/page/v1";
  std::array<std::uint8_t, 30> ad{};
  std::memcpy(ad.data(), kDomain.data(), kDomain.size());
  std::memcpy(ad.data() + kDomain.size(), key.data(), key.size());
  return ad;
}

std::uint64_t next_store_id() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

// Wipes a thread's reused plaintext buffer when the thread ends.
struct WipedBytes {
  Bytes bytes;
  ~WipedBytes() { crypto::wipe(bytes.data(), bytes.size()); }
};

}  // namespace

Store::Store(Env env, Tables tables, crypto::SymmetricKey key)
    : env_(std::move(env)), tables_(tables), key_(std::move(key)), id_(next_store_id()) {}

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
  } specs[] = {{"log", &t.log},     {"bodies", &t.bodies},    {"pages", &t.pages},
               {"heads", &t.heads}, {"meta", &t.meta},        {"order", &t.order},
               {"edits", &t.edits}, {"retracts", &t.retracts}};
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
  if (*v) {
    auto b = unseal_body(key, **v);
    if (!b) return b.error();
    return std::optional<Body>{std::move(*b)};
  }
  auto page = find_page(txn, dev, seq);
  if (!page) return page.error();
  if (!*page) return std::optional<Body>{};
  auto plain = open_page_cached(**page);
  if (!plain) return plain.error();
  auto view = PageView::parse(*plain);
  if (!view) return view.error();
  auto encoded = view->body(seq - (*page)->first);
  if (!encoded) return std::optional<Body>{};
  auto b = decode_body(*encoded);
  if (!b) return b.error();
  return std::optional<Body>{std::move(*b)};
}

Result<std::optional<Store::FoundPage>> Store::find_page(const Txn& txn, const DeviceId& dev,
                                                         std::uint64_t seq) const {
  auto cur = Cursor::open(txn, tables_.pages);
  if (!cur) return cur.error();
  const auto key = record_key(dev, seq);
  auto it = cur->seek(key);
  if (!it || it->key.size() != key.size() ||
      std::memcmp(it->key.data(), key.data(), key.size()) != 0) {
    it = it ? cur->prev() : cur->last();
  }
  if (!it || it->key.size() != key.size() || std::memcmp(it->key.data(), dev.data(), 8) != 0)
    return std::optional<FoundPage>{};
  FoundPage p;
  std::memcpy(p.key.data(), it->key.data(), p.key.size());
  p.first = get_be64(p.key.data() + 8);
  p.sealed = it->value;
  return std::optional<FoundPage>{p};
}

Status Store::open_page(const FoundPage& page, Bytes& plain) const {
  if (page.sealed.size() < crypto::kSealOverhead)
    return Error{Code::kCorrupt, "a stored page of bodies is short"};
  plain.resize(page.sealed.size() - crypto::kSealOverhead);
  const auto ad = page_ad(page.key);
  if (auto st = crypto::open_into(key_, page.sealed, ad, plain); !st) {
    crypto::wipe(plain.data(), plain.size());
    return Error{st.error().code, "a stored page of bodies does not open: " + st.error().message};
  }
  return {};
}

Result<ByteView> Store::open_page_cached(const FoundPage& page) const {
  // The last page this thread opened, with the sealed bytes it came from: a hit needs the same
  // store, key and sealed bytes (the nonce is fresh at every seal), so a page rewritten since (a
  // retract) or altered on disk is opened again, never served from here.
  struct Cache {
    std::uint64_t store = 0;
    RecordKey key{};
    Bytes sealed;
    WipedBytes plain;
  };
  thread_local Cache cache;
  if (cache.store == id_ && cache.key == page.key && cache.sealed.size() == page.sealed.size() &&
      std::memcmp(cache.sealed.data(), page.sealed.data(), page.sealed.size()) == 0) {
    return ByteView(cache.plain.bytes);
  }
  cache.store = 0;
  TANDEM_TRY(open_page(page, cache.plain.bytes));
  cache.sealed.assign(page.sealed.begin(), page.sealed.end());
  cache.key = page.key;
  cache.store = id_;
  return ByteView(cache.plain.bytes);
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
                                     const crypto::Hash32& chain, Run* run,
                                     const std::optional<EditTarget>* known) {
  std::optional<Run> alone;  // a record stored on its own: a run of one, finished here
  if (run == nullptr) {
    auto stored = this->head(txn, h.device);
    if (!stored) return stored.error();
    alone.emplace();
    alone->head = *stored;
  }
  Run& r = run != nullptr ? *run : *alone;
  if (h.seq != r.head.seq + 1 || h.prev_hash != r.head.hash) {
    return Error{Code::kCorrupt,
                 "record " + entry_id(h.device, h.seq) + " does not extend its log"};
  }
  auto key = record_key(h.device, h.seq);
  auto hdr = encode_header(h);
  TANDEM_TRY(txn.put(tables_.log, key, hdr));
  TANDEM_TRY(add_body(txn, r, h.device, h.seq, body ? &*body : nullptr));
  r.head = {h.seq, chain};
  std::optional<EditTarget> target;
  if (known != nullptr) {
    target = *known;
  } else if (body && !(h.flags & kFlagRoster)) {
    target = edit_target(body->fields);
  }
  // An edit or a retract may erase bodies, this run's too: they go to the table first, where
  // erase_body finds them.
  if (target) TANDEM_TRY(flush_page(txn, h.device, r));
  if (run == nullptr) TANDEM_TRY(finish_run(txn, h.device, r));
  Applied applied;
  TANDEM_TRY(index(txn, h, body, target, applied));
  return applied;
}

Status Store::finish_run(Txn& txn, const DeviceId& dev, Run& run) {
  TANDEM_TRY(flush_page(txn, dev, run));
  return put_head(txn, dev, run.head);
}

Status Store::add_body(Txn& txn, Run& run, const DeviceId& dev, std::uint64_t seq,
                       const Body* body) {
  const bool follows = run.page_first != 0 && run.page_first + run.page.count() == seq;
  if (body == nullptr) {
    // An erased body keeps its slot when the page goes on past it; no page starts with one.
    if (follows && run.page.count() < kPageRecords) run.page.add_erased();
    return {};
  }
  thread_local WipedBytes encoded;
  encode_body_into(*body, encoded.bytes);
  Status st;
  if (!follows || !run.page.fits(encoded.bytes.size())) {
    st = flush_page(txn, dev, run);
    if (st && follows) {
      run.page_first = seq;  // the page just sealed is full: a new one starts here
    } else if (st) {
      st = resume_page(txn, run, dev, seq, encoded.bytes.size());
    }
  }
  if (st) run.page.add(encoded.bytes);
  crypto::wipe(encoded.bytes.data(), encoded.bytes.size());
  return st;
}

Status Store::resume_page(Txn& txn, Run& run, const DeviceId& dev, std::uint64_t seq,
                          std::size_t size) {
  run.page.clear();
  run.page_first = seq;
  if (seq <= 1) return {};
  auto found = find_page(txn, dev, seq - 1);
  if (!found) return found.error();
  if (!*found) return {};
  // A last page that does not open or parse (a damaged disk) is left as it is, for verify_log to
  // report: the new records start a page of their own rather than refuse to be stored.
  thread_local WipedBytes plain;
  if (open_page(**found, plain.bytes)) {
    auto view = PageView::parse(plain.bytes);
    if (view && (*found)->first + view->count() == seq) {
      run.page.load(*view);
      if (run.page.fits(size)) {
        run.page_first = (*found)->first;
      } else {
        run.page.clear();
      }
    }
  }
  crypto::wipe(plain.bytes.data(), plain.bytes.size());
  return {};
}

Status Store::flush_page(Txn& txn, const DeviceId& dev, Run& run) {
  if (run.page_first == 0) return {};
  const auto key = record_key(dev, run.page_first);
  Status st;
  if (run.page.all_erased()) {
    auto gone = txn.del(tables_.pages, key);
    if (!gone) st = gone.error();
  } else {
    thread_local WipedBytes plain;
    run.page.finish(plain.bytes);
    auto slot = txn.reserve(tables_.pages, key, plain.bytes.size() + crypto::kSealOverhead);
    if (slot) crypto::seal_into(key_, plain.bytes, page_ad(key), *slot);
    crypto::wipe(plain.bytes.data(), plain.bytes.size());
    if (!slot) st = slot.error();
  }
  run.page.clear();
  run.page_first = 0;
  return st;
}

Status Store::index(Txn& txn, const Header& h, const std::optional<Body>& body,
                    const std::optional<EditTarget>& target, Applied& applied) {
  auto key = record_key(h.device, h.seq);
  std::array<std::uint8_t, 24> ord{};
  put_be64(ord.data(), h.hlc);
  std::memcpy(ord.data() + 8, key.data(), 16);
  TANDEM_TRY(txn.put(tables_.order, ord, {}));
  if (!body || (h.flags & kFlagRoster)) return {};
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
  auto legacy = txn.del(tables_.bodies, key);
  if (!legacy || *legacy) return legacy;
  DeviceId dev;
  std::memcpy(dev.data(), key.data(), 8);
  const std::uint64_t seq = get_be64(key.data() + 8);
  auto found = find_page(txn, dev, seq);
  if (!found) return found.error();
  if (!*found) return false;
  // The page is sealed again without the body: its plaintext leaves the table with the old value.
  // A page that does not open or parse (a damaged disk) goes whole: what it held could not be read
  // any more, and the retracted body must not stay behind in it.
  thread_local WipedBytes plain;
  Run run;
  run.page_first = (*found)->first;
  const std::size_t slot = seq - (*found)->first;
  bool held = true;
  if (open_page(**found, plain.bytes)) {
    if (auto view = PageView::parse(plain.bytes)) {
      held = view->body(slot).has_value();
      run.page.load(*view, slot);
    }
  }
  crypto::wipe(plain.bytes.data(), plain.bytes.size());
  if (!held) return false;
  TANDEM_TRY(flush_page(txn, dev, run));  // an empty page (all erased, or unreadable) is deleted
  return true;
}

BodyReader::BodyReader(const Store& store, const Txn& txn, const DeviceId& dev)
    : store_(store), txn_(txn), dev_(dev) {}

BodyReader::~BodyReader() {
  crypto::wipe(plain_.data(), plain_.size());
}

Result<std::optional<Body>> BodyReader::read(std::uint64_t seq) {
  const auto key = record_key(dev_, seq);
  // Stores written before pages: the bodies table, walked beside the log.
  if (!legacy_) {
    auto cur = Cursor::open(txn_, store_.tables_.bodies);
    if (!cur) return cur.error();
    legacy_ = std::move(*cur);
    legacy_at_ = legacy_->seek(key);
  }
  while (legacy_at_ && legacy_at_->key.size() == key.size() &&
         std::memcmp(legacy_at_->key.data(), key.data(), key.size()) < 0) {
    legacy_at_ = legacy_->next();
  }
  if (legacy_at_ && legacy_at_->key.size() == key.size() &&
      std::memcmp(legacy_at_->key.data(), key.data(), key.size()) == 0) {
    auto b = store_.unseal_body(key, legacy_at_->value);
    if (!b) return b.error();
    return std::optional<Body>{std::move(*b)};
  }
  // Pages: the open one while it covers `seq`, else the one that does, opened once.
  if (!page_ || seq < page_first_ || seq - page_first_ >= page_->count()) {
    auto found = store_.find_page(txn_, dev_, seq);
    if (!found) return found.error();
    if (!*found) return std::optional<Body>{};
    if (!page_ || (*found)->first != page_first_) {
      page_.reset();
      TANDEM_TRY(store_.open_page(**found, plain_));
      auto view = PageView::parse(plain_);
      if (!view) return view.error();
      page_ = *view;
      page_first_ = (*found)->first;
    }
  }
  auto encoded = page_->body(seq - page_first_);
  if (!encoded) return std::optional<Body>{};
  auto b = decode_body(*encoded);
  if (!b) return b.error();
  return std::optional<Body>{std::move(*b)};
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
