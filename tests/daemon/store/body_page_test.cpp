// Pages of bodies: the page layout (a gate for bytes from the disk), and the store filling,
// reading, erasing inside and extending pages, beside bodies stored one by one before pages.
#include "daemon/store/body_page.hpp"

#include "tests/daemon/store/store_fixture.hpp"

#include <algorithm>
#include <cstring>

using namespace tandem;
using namespace tandem::store;
using namespace tandem::store::test;

namespace {

Bytes filled(std::size_t n, std::uint8_t c) {
  return Bytes(n, c);
}

Bytes page_of(std::initializer_list<std::optional<Bytes>> bodies) {
  PageBuilder b;
  for (const auto& body : bodies) {
    if (body) {
      b.add(*body);
    } else {
      b.add_erased();
    }
  }
  Bytes out;
  b.finish(out);
  return out;
}

// Every page key of the store's pages table, in order.
std::vector<std::uint64_t> page_firsts(StoreFixture& f) {
  auto txn = f.read();
  auto cur = Cursor::open(txn, f.store->tables().pages);
  REQUIRE(cur);
  std::vector<std::uint64_t> firsts;
  for (auto it = cur->first(); it; it = cur->next()) firsts.push_back(get_be64(it->key.data() + 8));
  return firsts;
}

// The sealed bytes of the device's page that starts at `first`, as the pages table holds them.
Bytes sealed_page(StoreFixture& f, const Txn& txn, std::uint64_t first) {
  auto v = txn.get(f.store->tables().pages, record_key(f.device, first));
  REQUIRE(v);
  REQUIRE(*v);
  return Bytes((*v)->begin(), (*v)->end());
}

// A page's plaintext, opened with the fixture's storage key as the store does.
Bytes open_page(StoreFixture& f, std::uint64_t first) {
  auto txn = f.read();
  const auto key = record_key(f.device, first);
  Bytes ad(14 + 16);
  std::memcpy(ad.data(), "tandem/page/v1", 14);
  std::memcpy(ad.data() + 14, key.data(), 16);
  auto plain = crypto::open(f.storage_key, sealed_page(f, txn, first), ad);
  REQUIRE(plain);
  return *plain;
}

bool contains(const Bytes& hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// Record `seq` of the fixture's device, chained to `prev` and signed, with `body`.
Header signed_header(StoreFixture& f, std::uint64_t seq, const Head& prev, const Body& body) {
  Header h;
  h.device = f.device;
  h.seq = seq;
  h.hlc = 1000 + seq;
  h.prev_hash = prev.hash;
  h.body_hash = compute_body_hash(body);
  sign_header(h, f.keys.secret);
  return h;
}

// Applies `bodies` as the device's next records in one run of one transaction, as a sync batch is.
void apply_run(StoreFixture& f, std::vector<Body> bodies) {
  auto txn = f.write();
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  Run run;
  run.head = *head;
  for (auto& b : bodies) {
    auto h = signed_header(f, run.head.seq + 1, run.head, b);
    REQUIRE(f.store->apply_checked(txn, h, b, chain_hash(h), &run));
  }
  REQUIRE(f.store->finish_run(txn, f.device, run));
  REQUIRE(txn.commit());
}

std::vector<Body> notes(int from, int n) {
  std::vector<Body> out;
  for (int i = from; i < from + n; ++i)
    out.push_back(body_of(contribution("note " + std::to_string(i))));
  return out;
}

// How many bodies like `b` a page holds (found by filling one).
std::uint64_t per_page(const Body& b) {
  PageBuilder page;
  const Bytes encoded = encode_body(b);
  while (page.fits(encoded.size())) page.add(encoded);
  return page.count();
}

void check_all_read(StoreFixture& f, std::uint64_t last) {
  auto txn = f.read();
  BodyReader reader(*f.store, txn, f.device);
  for (std::uint64_t seq = 1; seq <= last; ++seq) {
    INFO("seq " << seq);
    auto one = f.store->body(txn, f.device, seq);
    REQUIRE(one);
    auto walked = reader.read(seq);
    REQUIRE(walked);
    REQUIRE(one->has_value() == walked->has_value());
    if (*one) CHECK((*one)->note == (*walked)->note);
  }
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == last);
}

}  // namespace

TEST_CASE("a page gives back each body it holds, and nothing for an erased slot", "[store][page]") {
  const Bytes plain = page_of({filled(16, 1), std::nullopt, filled(40, 3)});
  CHECK(plain.size() % kBodyPadding == 0);
  auto v = PageView::parse(plain);
  REQUIRE(v);
  REQUIRE(v->count() == 3);
  REQUIRE(v->body(0));
  CHECK(Bytes(v->body(0)->begin(), v->body(0)->end()) == filled(16, 1));
  CHECK_FALSE(v->body(1));
  REQUIRE(v->body(2));
  CHECK(Bytes(v->body(2)->begin(), v->body(2)->end()) == filled(40, 3));
  CHECK_FALSE(v->body(3));
  // Reloaded with one slot erased, it keeps the others in place.
  PageBuilder b;
  b.load(*v, 0);
  CHECK_FALSE(b.all_erased());
  Bytes again;
  b.finish(again);
  auto w = PageView::parse(again);
  REQUIRE(w);
  CHECK(w->count() == 3);
  CHECK_FALSE(w->body(0));
  CHECK(w->body(2));
  b.load(*w, 2);
  CHECK(b.all_erased());
}

TEST_CASE("a page takes bodies up to its record and byte caps, and any one body alone",
          "[store][page]") {
  PageBuilder b;
  CHECK(b.fits(kPageBytes * 4));  // an empty page takes a large body
  for (std::size_t i = 0; i < kPageRecords; ++i) {
    REQUIRE(b.fits(8));
    b.add(filled(8, 1));
  }
  CHECK_FALSE(b.fits(8));
  b.clear();
  // One or two lengths: 16 bytes of header before the bodies.
  b.add(filled(kPageBytes - 16 - 64, 1));
  CHECK(b.fits(64));
  CHECK_FALSE(b.fits(72));
  // Sealed, a full page fits one 4 KiB LMDB overflow page with its 16-byte header.
  b.add(filled(64, 2));
  Bytes plain;
  b.finish(plain);
  CHECK(plain.size() == kPageBytes);
  CHECK(plain.size() + crypto::kSealOverhead + 16 <= 4096);
}

TEST_CASE("a malformed page is refused, never read past", "[store][page][gate]") {
  const Bytes good = page_of({filled(16, 1), filled(24, 2)});
  REQUIRE(PageView::parse(good));
  auto refused = [](Bytes p) {
    auto v = PageView::parse(p);
    return !v && v.error().code == Code::kCorrupt;
  };
  CHECK(refused({}));
  CHECK(refused(Bytes(good.begin(), good.begin() + 7)));
  Bytes p = good;
  p[0] = 2;  // an unknown version
  CHECK(refused(p));
  p = good;
  p[1] = 0;  // no records
  CHECK(refused(p));
  p = good;
  p[1] = kPageRecords + 1;
  CHECK(refused(p));
  p = good;
  p[1] = 200;  // more lengths than bytes
  CHECK(refused(p));
  p = good;
  p[5] = 1;  // reserved bytes
  CHECK(refused(p));
  p = good;
  put_be32(p.data() + 8, 12);  // not a whole number of words
  CHECK(refused(p));
  p = good;
  put_be32(p.data() + 8, 0x7ffffff8);  // past the end
  CHECK(refused(p));
  p = good;
  p.back() = 1;  // something after the bodies
  CHECK(refused(p));
  p = good;
  p.resize(p.size() + 8, 0);  // not padded to a whole block
  CHECK(refused(p));
}

TEST_CASE("appended bodies fill pages in order, and every body reads back", "[store][page]") {
  StoreFixture f;
  for (int i = 0; i < 40; ++i)
    f.append(body_of(contribution("note " + std::to_string(i))), 100 + i);
  const auto per = per_page(notes(0, 1)[0]);
  REQUIRE(per > 1);
  REQUIRE(per < 40);
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{1, 1 + per});
  check_all_read(f, 40);
  // After a reopen too (no cache of this store's pages in play).
  f.open();
  check_all_read(f, 40);
}

TEST_CASE("a sync run fills pages once each, and the next run goes on with the last page",
          "[store][page]") {
  StoreFixture f;
  apply_run(f, notes(0, 20));
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{1});
  apply_run(f, notes(20, 20));
  const auto per = per_page(notes(0, 1)[0]);
  REQUIRE(per > 20);  // the first run's page had room for the second's first bodies
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{1, 1 + per});
  check_all_read(f, 40);
  auto txn = f.read();
  auto b = f.store->body(txn, f.device, 27);
  REQUIRE(b);
  REQUIRE(*b);
  CHECK((*b)->note == "note 26");
}

TEST_CASE("a retract in the same run as its target erases the target from its page",
          "[store][page][retract]") {
  StoreFixture f;
  std::vector<Body> bodies = notes(0, 3);
  bodies.push_back(body_of(retract_of(f.device, 2)));  // seq 4 retracts seq 2
  bodies.push_back(body_of(contribution("after the retract")));
  apply_run(f, std::move(bodies));
  auto txn = f.read();
  auto two = f.store->body(txn, f.device, 2);
  REQUIRE(two);
  CHECK_FALSE(*two);
  for (std::uint64_t seq : {1, 3, 4, 5}) {
    auto b = f.store->body(txn, f.device, seq);
    REQUIRE(b);
    CHECK(b->has_value());
  }
  // The page's plaintext no longer holds the retracted note; its neighbours' notes are there.
  for (auto first : page_firsts(f)) {
    const Bytes plain = open_page(f, first);
    CHECK_FALSE(contains(plain, "note 1"));
  }
  CHECK(contains(open_page(f, 1), "note 0"));
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.erased == 1);
}

TEST_CASE("a page whose every body is retracted leaves the table", "[store][page][retract]") {
  StoreFixture f;
  f.append(body_of(contribution("only")), 100);
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{1});
  {
    auto txn = f.write();
    auto erased = f.store->erase_body(txn, record_key(f.device, 1));
    REQUIRE(erased);
    CHECK(*erased);
    auto again = f.store->erase_body(txn, record_key(f.device, 1));
    REQUIRE(again);
    CHECK_FALSE(*again);
    REQUIRE(txn.commit());
  }
  CHECK(page_firsts(f).empty());
  auto txn = f.read();
  auto b = f.store->body(txn, f.device, 1);
  REQUIRE(b);
  CHECK_FALSE(*b);
}

TEST_CASE("bodies stored one by one before pages still read, erase and verify",
          "[store][page][upgrade]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) f.append(body_of(contribution("old " + std::to_string(i))), 100 + i);
  // Rewrite the store as the daemon before pages left it: each body sealed alone in `bodies`,
  // padded to 256 bytes, under its record's key as the AD.
  {
    auto txn = f.write();
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      auto b = f.store->body(txn, f.device, seq);
      REQUIRE(b);
      REQUIRE(*b);
      Bytes plain = encode_body(**b);
      pad_body(plain);
      const auto key = record_key(f.device, seq);
      REQUIRE(txn.put(f.store->tables().bodies, key, crypto::seal(f.storage_key, plain, key)));
    }
    REQUIRE(txn.del(f.store->tables().pages, record_key(f.device, 1)));
    REQUIRE(txn.commit());
  }
  CHECK(page_firsts(f).empty());
  // New records go to pages beside them.
  for (int i = 3; i < 6; ++i) f.append(body_of(contribution("new " + std::to_string(i))), 100 + i);
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{4});
  check_all_read(f, 6);
  {
    auto txn = f.write();
    auto erased = f.store->erase_body(txn, record_key(f.device, 2));
    REQUIRE(erased);
    CHECK(*erased);
    REQUIRE(txn.commit());
  }
  auto txn = f.read();
  auto two = f.store->body(txn, f.device, 2);
  REQUIRE(two);
  CHECK_FALSE(*two);
  auto v = txn.get(f.store->tables().bodies, record_key(f.device, 2));
  REQUIRE(v);
  CHECK_FALSE(*v);
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.bodies == 5);
}

// Flips a byte in the middle of the device's page that starts at `first`.
void damage_page(StoreFixture& f, std::uint64_t first) {
  auto txn = f.write();
  Bytes bytes = sealed_page(f, txn, first);
  bytes[bytes.size() / 2] ^= 0x40;
  REQUIRE(txn.put(f.store->tables().pages, record_key(f.device, first), bytes));
  REQUIRE(txn.commit());
}

TEST_CASE("a damaged last page does not stop new records: they start a page of their own",
          "[store][page][tamper]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i)
    f.append(body_of(contribution("before " + std::to_string(i))), 100 + i);
  damage_page(f, 1);
  f.append(body_of(contribution("after")), 200);  // does not throw: REQUIRE inside
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{1, 4});
  auto txn = f.read();
  auto after = f.store->body(txn, f.device, 4);
  REQUIRE(after);
  REQUIRE(*after);
  CHECK((*after)->note == "after");
  CHECK_FALSE(f.store->body(txn, f.device, 2));  // the damage is reported, not hidden
  CHECK_FALSE(f.verify(txn).problems.empty());
}

TEST_CASE("a retract of a body in a damaged page deletes the page", "[store][page][retract]") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i)
    f.append(body_of(contribution("before " + std::to_string(i))), 100 + i);
  damage_page(f, 1);
  f.append(body_of(retract_of(f.device, 2)), 200);  // seq 4, in a page of its own
  CHECK(page_firsts(f) == std::vector<std::uint64_t>{4});
  auto txn = f.read();
  for (std::uint64_t seq : {1, 2, 3}) {
    auto b = f.store->body(txn, f.device, seq);
    REQUIRE(b);
    CHECK_FALSE(*b);
  }
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.erased == 3);
}
