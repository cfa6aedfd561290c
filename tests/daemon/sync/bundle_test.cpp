// Offline bundles between two stores, no daemon: a bundle written by one store's records reads
// back into the other and verifies; every kind of bad bundle fails with its typed error before
// anything of the bad part is handed out.
#include "daemon/sync/bundle.hpp"
#include "daemon/sync/known.hpp"
#include "tests/daemon/store/store_fixture.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::store;
using namespace tandem::store::test;

namespace {

struct Chunks {
  Bytes start;  // header and frontier chunk
  std::vector<Bytes> batches;
  Bytes end;
  Bytes whole() const {
    Bytes out = start;
    for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
    out.insert(out.end(), end.begin(), end.end());
    return out;
  }
};

struct Bundle {
  StoreFixture sender;
  StoreFixture receiver;
  crypto::SymmetricKey space_key = random_key();
  sync::SpaceId space{};

  explicit Bundle(int records = 1200) {
    space = sender.roster.space_id;
    auto txn = receiver.write();
    REQUIRE(receiver.store->put_meta(txn, "roster", encode_roster(sender.roster)));
    REQUIRE(txn.commit());
    for (int i = 0; i < records; ++i) {
      sender.append(body_of(contribution("note " + std::to_string(i))), 100 + i);
    }
  }

  Chunks write(std::uint64_t after = 0) {
    sync::BundleWriter w(space_key, space, sender.device);
    Chunks c;
    auto txn = sender.read();
    auto f = sync::frontier(*sender.store, txn);
    REQUIRE(f);
    c.start = w.start(*f);
    for (;;) {
      auto recs = sync::collect(*sender.store, txn, sender.device, after);
      REQUIRE(recs);
      if (recs->empty()) break;
      after = recs->back().header.seq;
      c.batches.push_back(w.batch(*recs));
    }
    c.end = w.finish();
    return c;
  }

  // Reads `bytes` in pieces of `piece` bytes, applying each batch to the receiver as the
  // daemon does; returns the first error (from next() or finish()).
  Status read(const Bytes& bytes, std::size_t piece, const crypto::SymmetricKey& key,
              const sync::SpaceId& sp, std::uint64_t* batches = nullptr) {
    sync::BundleReader r(key, sp);
    for (std::size_t i = 0; i < bytes.size() || i == 0; i += piece) {
      r.feed(ByteView(bytes).subspan(i, std::min(piece, bytes.size() - i)));
      for (;;) {
        auto item = r.next();
        if (!item) return item.error();
        if (item->kind == sync::BundleItem::Kind::kNeedMore) break;
        if (item->kind != sync::BundleItem::Kind::kBatch) continue;
        auto txn = receiver.write();
        if (auto st = sync::verify_batch(*receiver.store, txn, item->records); !st) return st;
        REQUIRE(sync::apply_batch(*receiver.store, txn, item->records));
        REQUIRE(txn.commit());
        if (batches) ++*batches;
      }
      if (bytes.empty()) break;
    }
    return r.finish();
  }
  Status read(const Bytes& bytes, std::size_t piece = 1 << 20) {
    return read(bytes, piece, space_key, space);
  }
  std::uint64_t held() {
    auto txn = receiver.read();
    return receiver.store->head(txn, sender.device)->seq;
  }
};

}  // namespace

TEST_CASE("a bundle carries every record, verifies, and reads in pieces of any size",
          "[sync][bundle]") {
  Bundle b;
  Chunks c = b.write();
  CHECK(c.batches.size() >= 2);  // 1,200 records are several batches
  std::uint64_t batches = 0;
  REQUIRE(b.read(c.whole(), 7, b.space_key, b.space, &batches));
  CHECK(batches == c.batches.size());
  CHECK(b.held() == 1200);
  auto txn = b.receiver.read();
  CHECK(b.receiver.verify(txn).problems.empty());
  txn.abort();
  // Importing it again is harmless.
  REQUIRE(b.read(c.whole()));
  CHECK(b.held() == 1200);
}

TEST_CASE("the first chunk tells the importer what the exporter holds", "[sync][bundle]") {
  Bundle b(3);
  sync::BundleReader r(b.space_key, b.space);
  r.feed(b.write().start);
  auto item = r.next();
  REQUIRE(item);
  REQUIRE(item->kind == sync::BundleItem::Kind::kFrontier);
  CHECK(item->exporter == b.sender.device);
  CHECK(item->frontier.at(b.sender.device) == 3);
}

TEST_CASE("a bundle of another space is refused by its header", "[sync][bundle][security]") {
  Bundle b(10);
  sync::SpaceId other = b.space;
  other[0] ^= 1;
  auto st = b.read(b.write().whole(), 1 << 20, b.space_key, other);
  REQUIRE(!st);
  CHECK(st.error().code == Code::kForbidden);
  CHECK(st.error().message.find("another space") != std::string::npos);
  CHECK(b.held() == 0);
}

TEST_CASE("a bundle sealed under another key does not open", "[sync][bundle][security]") {
  Bundle b(10);
  auto st = b.read(b.write().whole(), 1 << 20, random_key(), b.space);
  REQUIRE(!st);
  CHECK(st.error().code == Code::kAuth);
  CHECK(b.held() == 0);
}

TEST_CASE("a truncated bundle is reported, wherever it was cut", "[sync][bundle]") {
  Bundle b(1200);
  Bytes whole = b.write().whole();
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{20}, std::size_t{60}, whole.size() / 2, whole.size() - 1}) {
    Bytes part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    sync::BundleReader r(b.space_key, b.space);
    r.feed(part);
    Status st;
    for (;;) {
      auto item = r.next();
      if (!item || item->kind == sync::BundleItem::Kind::kNeedMore) break;
    }
    st = r.finish();
    INFO("cut at " << cut);
    REQUIRE(!st);
    CHECK(st.error().code == Code::kCorrupt);
    CHECK(st.error().message.find("truncated") != std::string::npos);
  }
  // Cut cleanly before its end chunk: every batch verifies and is kept; the bundle still fails.
  Chunks c = b.write();
  Bytes no_end = c.whole();
  no_end.resize(no_end.size() - c.end.size());
  auto st = b.read(no_end);
  REQUIRE(!st);
  CHECK(st.error().message.find("truncated") != std::string::npos);
}

TEST_CASE("an altered byte anywhere after the header fails the chunk holding it",
          "[sync][bundle][security]") {
  Bundle b(1200);
  Chunks c = b.write();
  const std::size_t first_batch = c.start.size();
  for (std::size_t at : {sync::kBundleHeaderSize + 10, first_batch + 4 + 30, first_batch + 100}) {
    Bytes bad = c.whole();
    bad[at] ^= 0x40;
    INFO("flipped byte " << at);
    auto st = b.read(bad);
    REQUIRE(!st);
    CHECK(st.error().code == Code::kAuth);
  }
  // The header is associated data of every chunk: altering it (the bundle id) fails chunk 0.
  Bytes bad = c.whole();
  bad[40] ^= 1;
  auto st = b.read(bad);
  REQUIRE(!st);
  CHECK(st.error().code == Code::kAuth);
  CHECK(b.held() == 0);
}

TEST_CASE("reordered, dropped or spliced chunks do not open", "[sync][bundle][security]") {
  Bundle b(1200);
  Chunks c = b.write();
  REQUIRE(c.batches.size() >= 2);
  SECTION("two batches swapped") {
    std::swap(c.batches[0], c.batches[1]);
  }
  SECTION("a batch dropped") {
    c.batches.erase(c.batches.begin());
  }
  SECTION("a batch from another bundle of the same records") {
    Chunks other = b.write();
    c.batches[1] = other.batches[1];
  }
  auto st = b.read(c.whole());
  REQUIRE(!st);
  CHECK(st.error().code == Code::kAuth);
  CHECK(b.held() <= 512);  // at most the batch before the bad chunk, which verified on its own
}

TEST_CASE("a forged chunk length is refused before anything is read or held",
          "[sync][bundle][security]") {
  Bundle b(3);
  Bytes start = b.write().start;
  Bytes forged(start.begin(), start.begin() + sync::kBundleHeaderSize);
  for (std::uint32_t len :
       {0xffffffffu, static_cast<std::uint32_t>(sync::kMaxSealedChunk + 1), 0u, 40u}) {
    sync::BundleReader r(b.space_key, b.space);
    Bytes in = forged;
    in.resize(in.size() + 4);
    put_be32(in.data() + sync::kBundleHeaderSize, len);
    r.feed(in);
    auto item = r.next();
    INFO("declared length " << len);
    REQUIRE(!item);
    CHECK(item.error().code == Code::kCorrupt);
  }
}

TEST_CASE("bytes after the end, or another file, are refused", "[sync][bundle]") {
  Bundle b(3);
  Bytes more = b.write().whole();
  more.push_back(0);
  auto st = b.read(more);
  REQUIRE(!st);
  CHECK(st.error().code == Code::kCorrupt);
  auto not_bundle = b.read(Bytes{'P', 'K', 3, 4});
  REQUIRE(!not_bundle);
  CHECK(not_bundle.error().code == Code::kInvalidArgument);
}

TEST_CASE("a remembered frontier only grows", "[sync][bundle]") {
  StoreFixture s;
  DeviceId peer{9, 9, 9, 9, 9, 9, 9, 9};
  DeviceId other{7, 7, 7, 7, 7, 7, 7, 7};
  {
    auto txn = s.write();
    REQUIRE(sync::remember_frontier(*s.store, txn, peer, {{peer, 5}, {other, 9}}));
    REQUIRE(sync::remember_frontier(*s.store, txn, peer, {{peer, 3}, {other, 12}}));
    REQUIRE(txn.commit());
  }
  auto txn = s.read();
  auto f = sync::known_frontier(*s.store, txn, peer);
  REQUIRE(f);
  CHECK(f->at(peer) == 5);
  CHECK(f->at(other) == 12);
  CHECK(sync::known_frontier(*s.store, txn, other)->empty());
}

TEST_CASE("a bundle sealed before the last key rotation still opens; older ones do not",
          "[sync][bundle][security]") {
  Bundle b(600);
  Bytes before_rotation = b.write().whole();  // sealed under what is now the previous key
  crypto::SymmetricKey current = random_key();
  std::uint64_t batches = 0;
  REQUIRE(b.read(before_rotation, 4096, current, b.space, &batches).ok() == false);
  {
    // With the previous key offered, it opens and every chunk after the first uses it too.
    sync::BundleReader r(current, b.space, &b.space_key);
    r.feed(before_rotation);
    std::uint64_t records = 0;
    for (;;) {
      auto item = r.next();
      REQUIRE(item);
      if (item->kind == sync::BundleItem::Kind::kNeedMore) break;
      records += item->records.size();
    }
    REQUIRE(r.finish());
    CHECK(records == 600);
  }
  // A key two rotations old is not offered: the bundle does not open.
  crypto::SymmetricKey previous = random_key();
  sync::BundleReader r(current, b.space, &previous);
  r.feed(before_rotation);
  auto item = r.next();
  REQUIRE(!item);
  CHECK(item.error().code == Code::kAuth);
}
