// The signed, hash-chained log: appends survive a reopen, records chain by seq and prev_hash,
// apply() only accepts the next record of a device, and verify_log notices any tampering.
#include "tests/daemon/store/store_fixture.hpp"

#include <cstring>
#include <set>

namespace tandem::store::test {
namespace {

TEST_CASE("appended records are read back after the environment is reopened and verify",
          "[store][log]") {
  StoreFixture f;
  std::vector<Header> written;
  for (int i = 0; i < 5; ++i) {
    written.push_back(f.append(body_of(contribution("note " + std::to_string(i))), 1000 + i));
  }
  f.open();  // a fresh Env over the same files

  auto txn = f.read();
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    auto h = f.store->header(txn, f.device, seq);
    REQUIRE(h);
    REQUIRE(*h);
    CHECK(encode_header(**h) == encode_header(written[seq - 1]));
    auto b = f.store->body(txn, f.device, seq);
    REQUIRE(b);
    REQUIRE(*b);
    CHECK((*b)->note == "note " + std::to_string(seq - 1));
    CHECK(compute_body_hash(**b) == (*h)->body_hash);
  }
  auto missing = f.store->header(txn, f.device, 6);
  REQUIRE(missing);
  CHECK_FALSE(*missing);
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  CHECK(head->seq == 5);
  CHECK(head->hash == chain_hash(written.back()));

  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == 5);
  CHECK(rep.bodies == 5);
  CHECK(rep.erased == 0);
}

TEST_CASE("records chain: seq counts up from 1 and prev_hash is the previous record's hash",
          "[store][log]") {
  StoreFixture f;
  auto h1 = f.append(body_of(contribution("a")), 10);
  auto h2 = f.append(body_of(contribution("b")), 11);
  auto h3 = f.append(body_of(contribution("c")), 12);
  CHECK(h1.seq == 1);
  CHECK(h2.seq == 2);
  CHECK(h3.seq == 3);
  CHECK(h1.prev_hash == crypto::Hash32{});
  CHECK(h2.prev_hash == chain_hash(h1));
  CHECK(h3.prev_hash == chain_hash(h2));
  CHECK(verify_header(h3, f.keys.pub));
  CHECK_FALSE(verify_header(h3, crypto::sign_keypair().pub));
}

// A second store that receives the first one's records, as sync would.
struct Receiver {
  StoreFixture& src;
  TempDir dir{"tandem-recv"};
  std::unique_ptr<Store> store;

  explicit Receiver(StoreFixture& s) : src(s) {
    auto st = Store::open(dir / "store", random_key());
    REQUIRE(st);
    store = std::move(*st);
    auto txn = Txn::begin_write(store->env());
    REQUIRE(txn);
    REQUIRE(store->put_meta(*txn, "roster", encode_roster(src.roster)));
    REQUIRE(txn->commit());
  }

  // The header and body of record `seq` in the source store.
  std::pair<Header, Body> record(std::uint64_t seq) {
    auto txn = src.read();
    auto h = src.store->header(txn, src.device, seq);
    auto b = src.store->body(txn, src.device, seq);
    REQUIRE(h);
    REQUIRE(*h);
    REQUIRE(b);
    REQUIRE(*b);
    return {**h, std::move(**b)};
  }

  Result<Applied> apply(const Header& h, const std::optional<Body>& b) {
    auto txn = Txn::begin_write(store->env());
    REQUIRE(txn);
    auto r = store->apply(*txn, h, b);
    if (r) REQUIRE(txn->commit());
    return r;
  }
};

TEST_CASE("apply accepts the next record of a device and refuses one that does not extend its log",
          "[store][log]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  Receiver r(f);
  auto [h1, b1] = r.record(1);
  auto [h2, b2] = r.record(2);
  auto [h3, b3] = r.record(3);

  SECTION("a record that skips a seq") {
    REQUIRE(r.apply(h1, b1));
    auto res = r.apply(h3, b3);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
  }
  SECTION("a first record that is not seq 1") {
    auto res = r.apply(h2, b2);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
  }
  SECTION("a record applied twice") {
    REQUIRE(r.apply(h1, b1));
    auto res = r.apply(h1, b1);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
  }
  SECTION("a record whose prev_hash is not the head's hash") {
    REQUIRE(r.apply(h1, b1));
    Header forged = h2;
    forged.prev_hash[7] ^= 1;
    auto res = r.apply(forged, b2);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
  }
  SECTION("a body whose hash does not match the header") {
    REQUIRE(r.apply(h1, b1));
    auto res = r.apply(h2, b3);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
    Body altered = b2;
    altered.fields.back() ^= 0x40;
    res = r.apply(h2, altered);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == Code::kCorrupt);
  }
  SECTION("the whole run in order, then the receiver verifies") {
    REQUIRE(r.apply(h1, b1));
    REQUIRE(r.apply(h2, b2));
    REQUIRE(r.apply(h3, b3));
    auto txn = Txn::begin_read(r.store->env());
    REQUIRE(txn);
    auto rep = verify_log(*r.store, *txn);
    REQUIRE(rep);
    INFO(problems_of(*rep));
    CHECK(rep->problems.empty());
    CHECK(rep->records == 3);
    return;
  }
  // Nothing refused left a trace: the receiver's head is where the accepted records put it.
  auto txn = Txn::begin_read(r.store->env());
  REQUIRE(txn);
  auto rep = verify_log(*r.store, *txn);
  REQUIRE(rep);
  INFO(problems_of(*rep));
  CHECK(rep->problems.empty());
}

// Flips every byte of one stored value in turn, each in its own write txn that is then aborted,
// and returns the positions at which verify_log (or reading the body) saw nothing wrong.
std::vector<std::size_t> undetected_flips(StoreFixture& f, MDB_dbi table, const RecordKey& key) {
  std::vector<std::size_t> missed;
  std::size_t size = 0;
  {
    auto txn = f.read();
    auto v = txn.get(table, key);
    REQUIRE(v);
    REQUIRE(*v);
    size = (*v)->size();
  }
  REQUIRE(size > 0);
  for (std::size_t pos = 0; pos < size; ++pos) {
    auto txn = f.write();
    auto v = txn.get(table, key);
    REQUIRE(v);
    Bytes bytes((*v)->begin(), (*v)->end());
    bytes[pos] ^= 0x01;
    REQUIRE(txn.put(table, key, bytes));
    auto rep = verify_log(*f.store, txn);
    REQUIRE(rep);
    if (rep->problems.empty()) missed.push_back(pos);
  }  // aborted: the store is unchanged for the next position
  return missed;
}

TEST_CASE("one flipped byte anywhere in the newest record's header is detected",
          "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  auto missed = undetected_flips(f, f.store->tables().log, record_key(f.device, 3));
  CHECK(missed.empty());
  CHECK(f.verify().problems.empty());
}

TEST_CASE("one flipped byte in the signed part of an older header is detected through the chain",
          "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  for (std::uint64_t seq : {1, 2}) {
    auto missed = undetected_flips(f, f.store->tables().log, record_key(f.device, seq));
    // The signature bytes of an older record are not what protects it: the chain up to the
    // newest record's signature is. Every byte the record hash covers must be caught.
    std::vector<std::size_t> missed_signed;
    for (auto pos : missed) {
      if (pos < kSignedPrefix) missed_signed.push_back(pos);
    }
    INFO("seq " << seq);
    CHECK(missed_signed.empty());
  }
}

// verify_log checks every signature: a sync batch may end at an older record and carry its
// signature to a peer.
TEST_CASE("one flipped byte anywhere in an older header, signature included, is detected",
          "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  auto missed = undetected_flips(f, f.store->tables().log, record_key(f.device, 1));
  INFO(missed.size() << " undetected positions, the first at " << (missed.empty() ? 0 : missed[0]));
  CHECK(missed.empty());
}

TEST_CASE("one flipped byte anywhere in a stored page of bodies is detected", "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  const auto key = record_key(f.device, 1);  // the page of records 1 to 3
  CHECK(undetected_flips(f, f.store->tables().pages, key).empty());
  // And reading a body of that page fails rather than returning altered bytes, whether or not
  // the page was read (and so held by the reader's cache) before it was altered.
  for (std::uint64_t seq : {1, 3}) {
    INFO("seq " << seq);
    auto txn = f.write();
    REQUIRE(f.store->body(txn, f.device, seq));
    auto v = txn.get(f.store->tables().pages, key);
    REQUIRE(v);
    REQUIRE(*v);
    Bytes bytes((*v)->begin(), (*v)->end());
    bytes[bytes.size() / 2] ^= 0x80;
    REQUIRE(txn.put(f.store->tables().pages, key, bytes));
    auto b = f.store->body(txn, f.device, seq);
    REQUIRE_FALSE(b);
    CHECK((b.error().code == Code::kCorrupt || b.error().code == Code::kAuth));
  }
}

// The sealed size of the one page that holds a lone body of `n` characters' entry.
std::size_t page_size_for_note(std::size_t n) {
  StoreFixture f;
  f.append(body_of(contribution(std::string(n, 'x'))), 100);
  auto txn = f.read();
  auto v = txn.get(f.store->tables().pages, record_key(f.device, 1));
  REQUIRE(v);
  REQUIRE(*v);
  auto b = f.store->body(txn, f.device, 1);  // and it reads back whole
  REQUIRE(b);
  REQUIRE(*b);
  CHECK((*b)->note == std::string(n, 'x'));
  return (*v)->size();
}

TEST_CASE("a stored body shows its length only to the nearest 256 bytes", "[store][log]") {
  std::set<std::size_t> sizes;
  for (std::size_t n : {std::size_t(1), std::size_t(60), std::size_t(300), std::size_t(700)}) {
    const std::size_t size = page_size_for_note(n);
    CHECK((size - crypto::kSealOverhead) % kBodyPadding == 0);
    sizes.insert(size);
  }
  CHECK(sizes.size() == 3);  // 1 and 60 characters share a size; 300 and 700 do not
  // A page of several bodies as well: the whole page is padded, not each body.
  StoreFixture f;
  for (int i = 0; i < 5; ++i) f.append(body_of(contribution(std::string(40 + i, 'y'))), 100 + i);
  auto txn = f.read();
  auto v = txn.get(f.store->tables().pages, record_key(f.device, 1));
  REQUIRE(v);
  REQUIRE(*v);
  CHECK(((*v)->size() - crypto::kSealOverhead) % kBodyPadding == 0);
}

TEST_CASE("a page moved under another record's key does not open", "[store][tamper]") {
  StoreFixture f;
  f.append(body_of(contribution("one")), 1);
  f.append(body_of(contribution("two")), 2);
  auto txn = f.write();
  auto v = txn.get(f.store->tables().pages, record_key(f.device, 1));
  REQUIRE(v);
  REQUIRE(*v);
  Bytes moved((*v)->begin(), (*v)->end());
  REQUIRE(txn.put(f.store->tables().pages, record_key(f.device, 2), moved));
  CHECK_FALSE(f.store->body(txn, f.device, 2));
  CHECK_FALSE(f.verify(txn).problems.empty());
}

// Rewrites record 1's hlc and repairs the chain above it (prev_hashes and head) exactly as an
// attacker with write access to the files could; only the newest signature cannot be redone.
TEST_CASE("a rewritten chain is caught by the signatures of the records it changed",
          "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 4; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  auto txn = f.write();
  auto& t = f.store->tables();
  std::vector<Header> hs;
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    auto h = f.store->header(txn, f.device, seq);
    REQUIRE(h);
    hs.push_back(**h);
  }
  hs[0].hlc = 999999;
  // Stores the headers and the head; with `relink`, each prev_hash first chains to the one below.
  auto store_all = [&](bool relink) {
    for (std::size_t i = 0; i < hs.size(); ++i) {
      if (relink && i > 0) hs[i].prev_hash = chain_hash(hs[i - 1]);
      REQUIRE(txn.put(t.log, record_key(f.device, i + 1), encode_header(hs[i])));
    }
    std::array<std::uint8_t, 40> head{};
    put_be64(head.data(), 4);
    auto ch = chain_hash(hs.back());
    std::memcpy(head.data() + 8, ch.data(), 32);
    REQUIRE(txn.put(t.heads, f.device, head));
  };
  store_all(true);

  SECTION("with the old signatures left in place") {
    auto rep = f.verify(txn);
    REQUIRE(rep.problems.size() == 4);  // every rewritten record
    for (const auto& p : rep.problems) CHECK(p.find("signature") != std::string::npos);
  }
  SECTION("the newest re-signed with a key that is not the device's") {
    auto other = crypto::sign_keypair();
    sign_header(hs.back(), other.secret);
    store_all(false);
    auto rep = f.verify(txn);
    REQUIRE(rep.problems.size() == 4);
    for (const auto& p : rep.problems) CHECK(p.find("signature") != std::string::npos);
  }
  SECTION("every record re-signed with the device's key (the control: the repair is consistent)") {
    for (std::size_t i = 0; i < hs.size(); ++i) {
      if (i > 0) hs[i].prev_hash = chain_hash(hs[i - 1]);  // the signature below is in the chain
      sign_header(hs[i], f.keys.secret);
    }
    store_all(false);
    INFO(problems_of(f.verify(txn)));
    CHECK(f.verify(txn).problems.empty());
  }
}

TEST_CASE("a deleted record in the middle of a log is reported as a gap", "[store][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  auto txn = f.write();
  auto deleted = txn.del(f.store->tables().log, record_key(f.device, 2));
  REQUIRE(deleted);
  REQUIRE(*deleted);
  CHECK_FALSE(f.verify(txn).problems.empty());
}

TEST_CASE("a signed record of a device missing from the roster is reported", "[store][log]") {
  StoreFixture f;
  DeviceId stranger{9, 9, 9, 9, 9, 9, 9, 9};
  f.append(body_of(contribution("x")), 1, 0, &stranger);
  auto rep = f.verify();
  REQUIRE(rep.problems.size() == 1);
  CHECK(rep.problems[0].find("not in the roster") != std::string::npos);
}

TEST_CASE("private records chain without signatures and verify", "[store][private]") {
  StoreFixture f;
  auto p1 = f.append(body_of(contribution("draft one")), 50, 0, &kPrivateDevice);
  auto p2 = f.append(body_of(contribution("draft two")), 51, 0, &kPrivateDevice);
  f.append(body_of(contribution("shared")), 52);
  CHECK(p1.seq == 1);
  CHECK(p2.seq == 2);
  CHECK(p2.prev_hash == chain_hash(p1));
  CHECK(p1.signature == crypto::Signature{});
  CHECK(p2.signature == crypto::Signature{});
  CHECK(entry_id(kPrivateDevice, p2.seq) == "local-2");
  auto rep = f.verify();
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == 3);

  // The private chain is still checked: breaking it is reported.
  auto txn = f.write();
  Header broken = p2;
  broken.prev_hash[0] ^= 1;
  REQUIRE(txn.put(f.store->tables().log, record_key(kPrivateDevice, 2), encode_header(broken)));
  CHECK_FALSE(f.verify(txn).problems.empty());
}

}  // namespace
}  // namespace tandem::store::test
