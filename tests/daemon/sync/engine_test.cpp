// The sync engine between two stores, no sockets: what a sender collects, what a receiver
// accepts, and what it refuses without storing anything.
#include "daemon/sync/engine.hpp"
#include "tests/daemon/store/store_fixture.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::store;
using namespace tandem::store::test;

namespace {

// A receiving store whose roster is the sender's.
struct Pair {
  StoreFixture sender;
  StoreFixture receiver;
  Pair() {
    auto txn = receiver.write();
    REQUIRE(receiver.store->put_meta(txn, "roster", encode_roster(sender.roster)));
    REQUIRE(txn.commit());
  }
  std::vector<sync::WireRecord> collect(std::uint64_t after = 0) {
    auto txn = sender.read();
    auto r = sync::collect(*sender.store, txn, sender.device, after);
    REQUIRE(r);
    return std::move(*r);
  }
  Status deliver(const std::vector<sync::WireRecord>& recs) {
    auto txn = receiver.write();
    if (auto st = sync::verify_batch(*receiver.store, txn, recs); !st) return st;
    auto applied = sync::apply_batch(*receiver.store, txn, recs);
    if (!applied) return applied.error();
    return txn.commit();
  }
  std::uint64_t held() {
    auto txn = receiver.read();
    return receiver.store->head(txn, sender.device)->seq;
  }
};

}  // namespace

TEST_CASE("a batch travels through the wire encoding and verifies on the other side", "[sync]") {
  Pair p;
  for (int i = 0; i < 5; ++i)
    p.sender.append(body_of(contribution("n" + std::to_string(i))), 100 + i);
  auto recs = p.collect();
  REQUIRE(recs.size() == 5);
  auto decoded = sync::decode(sync::encode_batch(7, recs));
  REQUIRE(decoded);
  CHECK(decoded->kind == sync::Message::Kind::kBatch);
  CHECK(decoded->id == 7);
  REQUIRE(p.deliver(decoded->records));
  CHECK(p.held() == 5);
  CHECK(p.receiver.verify().problems.empty());
  // Duplicates are harmless.
  REQUIRE(p.deliver(decoded->records));
  CHECK(p.held() == 5);
}

TEST_CASE("the frontier says exactly what a peer lacks", "[sync]") {
  Pair p;
  for (int i = 0; i < 4; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  REQUIRE(p.deliver(p.collect()));
  p.sender.append(body_of(contribution("new")), 200);
  auto txn = p.receiver.read();
  auto f = sync::frontier(*p.receiver.store, txn);
  REQUIRE(f);
  CHECK(f->at(p.sender.device) == 4);
  auto more = p.collect(f->at(p.sender.device));
  REQUIRE(more.size() == 1);
  CHECK(more[0].header.seq == 5);
  auto hello = sync::decode(sync::encode_hello(*f, 0));
  REQUIRE(hello);
  CHECK(hello->frontier == *f);
}

TEST_CASE("a forged record is refused and nothing of the batch is stored", "[sync][security]") {
  Pair p;
  for (int i = 0; i < 3; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto recs = p.collect();
  SECTION("a signature by another key") {
    auto other = crypto::sign_keypair();
    sign_header(recs.back().header, other.secret);
  }
  SECTION("an altered body") {
    recs[1].body->note = "changed";
    recs[1].body->note_hash = compute_note_hash(recs[1].body->note_salt, "changed");
  }
  SECTION("an altered header under the last signature") {
    recs[0].header.hlc += 1;
  }
  SECTION("an altered signature under the last one (the chain covers signatures too)") {
    recs[0].header.signature[0] ^= 1;
  }
  CHECK_FALSE(p.deliver(recs));
  CHECK(p.held() == 0);
}

TEST_CASE("records out of order or with a gap are refused", "[sync][security]") {
  Pair p;
  for (int i = 0; i < 4; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto recs = p.collect();
  SECTION("starting after a gap") {
    recs.erase(recs.begin());
  }
  SECTION("swapped") {
    std::swap(recs[1], recs[2]);
  }
  SECTION("one missing in the middle") {
    recs.erase(recs.begin() + 2);
  }
  CHECK_FALSE(p.deliver(recs));
  CHECK(p.held() == 0);
}

TEST_CASE("a fork is detected and refused", "[sync][security]") {
  Pair p;
  p.sender.append(body_of(contribution("first")), 100);
  REQUIRE(p.deliver(p.collect()));
  // The same device signs another record with sequence 1 (a second store with the same key).
  StoreFixture twin;
  twin.keys = crypto::sign_keypair();
  auto txn = twin.write();
  auto h = twin.store->append(txn, p.sender.device, p.sender.keys.secret, 999, 0,
                              body_of(contribution("other")));
  REQUIRE(h);
  REQUIRE(txn.commit());
  auto rtxn = twin.read();
  auto recs = sync::collect(*twin.store, rtxn, p.sender.device, 0);
  REQUIRE(recs);
  auto st = p.deliver(*recs);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("fork") != std::string::npos);
}

TEST_CASE("records of a device outside the roster are refused", "[sync][security]") {
  Pair p;
  DeviceId stranger{9, 9, 9, 9, 9, 9, 9, 9};
  p.sender.append(body_of(contribution("n")), 100, 0, &stranger);
  auto txn = p.sender.read();
  auto recs = sync::collect(*p.sender.store, txn, stranger, 0);
  REQUIRE(recs);
  auto st = p.deliver(*recs);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kForbidden);
}

TEST_CASE("a retract of another member's entry is refused", "[sync][security]") {
  Pair p;
  // The receiver's own device (member 2 here) wrote an entry; the sender (member 1) retracts it.
  DeviceInfo mine;
  mine.id = DeviceId{7, 7, 7, 7, 7, 7, 7, 7};
  mine.member = 2;
  mine.sign_key = p.receiver.keys.pub;
  auto roster = p.sender.roster;
  roster.devices.push_back(mine);
  {
    auto txn = p.receiver.write();
    REQUIRE(p.receiver.store->put_meta(txn, "roster", encode_roster(roster)));
    REQUIRE(txn.commit());
  }
  p.receiver.append(body_of(contribution("mine")), 100, 0, &mine.id);
  p.sender.append(body_of(retract_of(mine.id, 1)), 200);
  auto st = p.deliver(p.collect());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kForbidden);
  auto txn = p.receiver.read();
  CHECK(p.receiver.store->body(txn, mine.id, 1)->has_value());  // untouched
}

TEST_CASE("aggregate notes are withheld by the sender and the body still verifies",
          "[sync][security]") {
  Pair p;
  p.sender.append(body_of(contribution("intimate detail")), 100, kFlagAggregate);
  auto recs = p.collect();
  REQUIRE(recs.size() == 1);
  CHECK_FALSE(recs[0].body->note.has_value());
  auto wire = sync::encode_batch(1, recs);
  std::string bytes(wire.begin(), wire.end());
  CHECK(bytes.find("intimate detail") == std::string::npos);
  REQUIRE(p.deliver(recs));
  CHECK(p.receiver.verify().problems.empty());
}

TEST_CASE("malformed or oversized peer messages are refused", "[sync][security]") {
  CHECK_FALSE(sync::decode(Bytes{1, 2, 3}));
  CHECK_FALSE(sync::decode(Bytes(64, 0xff)));
  Pair p;
  p.sender.append(body_of(contribution("n")), 100);
  auto recs = p.collect();
  std::vector<sync::WireRecord> many(sync::kMaxBatchRecords + 1, recs[0]);
  auto decoded = sync::decode(sync::encode_batch(1, many));
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == Code::kTooLarge);
}

TEST_CASE("batches stay under the channel's message size", "[sync]") {
  Pair p;
  std::string big(16 * 1024, 'x');
  for (int i = 0; i < 10; ++i) p.sender.append(body_of(contribution(big)), 100 + i);
  auto recs = p.collect();
  CHECK(recs.size() < 10);
  CHECK(sync::encode_batch(1, recs).size() <= 65519);
}

namespace {

// Sets the roster on both sides of `p`.
void set_roster(Pair& p, const Roster& r) {
  for (auto* f : {&p.sender, &p.receiver}) {
    auto txn = f->write();
    REQUIRE(f->store->put_meta(txn, "roster", encode_roster(r)));
    REQUIRE(txn.commit());
  }
}

}  // namespace

TEST_CASE("a revoked device's records count up to its revocation and no further",
          "[sync][security]") {
  Pair p;
  for (int i = 0; i < 5; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  Roster r = p.sender.roster;
  r.devices[0].revoked = true;
  r.devices[0].revoked_after = 3;
  set_roster(p, r);
  // The sender passes on nothing after the revocation point...
  auto recs = p.collect();
  REQUIRE(recs.size() == 3);
  REQUIRE(p.deliver(recs));
  CHECK(p.held() == 3);
  // ...and a receiver refuses it from anyone who would.
  auto txn = p.sender.read();
  std::vector<sync::WireRecord> late;
  for (std::uint64_t seq = 4; seq <= 5; ++seq) {
    auto h = p.sender.store->header(txn, p.sender.device, seq);
    auto b = p.sender.store->body(txn, p.sender.device, seq);
    REQUIRE(h);
    REQUIRE(b);
    late.push_back({**h, *b});
  }
  auto st = p.deliver(late);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kForbidden);
  CHECK(p.held() == 3);
}

TEST_CASE("a roster record that revokes the partner's device is refused", "[sync][security]") {
  Pair p;
  DeviceInfo partner;
  partner.id = DeviceId{7, 7, 7, 7, 7, 7, 7, 7};
  partner.member = 2;
  partner.sign_key = crypto::sign_keypair().pub;
  Roster r = p.sender.roster;
  r.devices.push_back(partner);
  set_roster(p, r);
  Roster hostile = r;
  hostile.devices[1].revoked = true;
  hostile.epoch = 1;
  p.sender.append(make_body(encode_roster(hostile), ""), 100, kFlagRoster);
  auto st = p.deliver(p.collect());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kForbidden);
  CHECK(p.held() == 0);
  auto txn = p.receiver.read();
  auto held = p.receiver.store->roster(txn);
  REQUIRE(held);
  CHECK_FALSE((*held)->device(partner.id)->revoked);
}

// Found by fuzz_sync_message (tests/fuzz/regressions/fuzz_sync_message/note-with-nul-byte.bin):
// the note was written to the wire as a C string, so a note holding a NUL byte lost its tail,
// its body hash no longer matched, and every device relaying that log was refused.
TEST_CASE("a note holding a NUL byte crosses the wire whole and still verifies", "[sync]") {
  Pair p;
  const std::string note("before\0after", 12);
  p.sender.append(make_body(contribution("").first, note), 100);
  auto decoded = sync::decode(sync::encode_batch(1, p.collect()));
  REQUIRE(decoded);
  REQUIRE(decoded->records.size() == 1);
  CHECK(decoded->records[0].body->note == note);
  REQUIRE(p.deliver(decoded->records));
  CHECK(p.held() == 1);
}

TEST_CASE(
    "a batch checked ahead of its write is still refused when its signature is not the "
    "roster's",
    "[sync][security]") {
  Pair p;
  for (int i = 0; i < 3; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto recs = p.collect();
  auto other = crypto::sign_keypair();
  sign_header(recs.back().header, other.secret);  // forged under a key outside the roster
  SECTION("prechecked without a key (the device was not in the roster yet)") {
    auto pre = sync::precheck_batch(recs, std::nullopt);
    REQUIRE(pre);
    auto txn = p.receiver.write();
    auto st = sync::confirm_batch(*p.receiver.store, txn, recs, *pre);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Code::kAuth);
  }
  SECTION("prechecked under another key (the roster changed since)") {
    auto pre = sync::precheck_batch(recs, other.pub);
    REQUIRE(pre);
    auto txn = p.receiver.write();
    auto st = sync::confirm_batch(*p.receiver.store, txn, recs, *pre);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == Code::kAuth);
  }
  SECTION("prechecked under the roster's key") {
    auto pre = sync::precheck_batch(recs, p.sender.keys.pub);
    REQUIRE_FALSE(pre);
    CHECK(pre.error().code == Code::kAuth);
  }
  CHECK(p.held() == 0);
}

TEST_CASE("a prechecked batch applies with the hashes its precheck computed", "[sync]") {
  Pair p;
  for (int i = 0; i < 5; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto recs = p.collect();
  auto pre = sync::precheck_batch(recs, p.sender.keys.pub);
  REQUIRE(pre);
  {
    auto txn = p.receiver.write();
    REQUIRE(sync::confirm_batch(*p.receiver.store, txn, recs, *pre));
    auto stored = sync::apply_batch(*p.receiver.store, txn, recs, &*pre);
    REQUIRE(stored);
    CHECK(stored->size() == 5);
    REQUIRE(txn.commit());
  }
  CHECK(p.held() == 5);
  auto txn = p.receiver.read();
  auto report = verify_log(*p.receiver.store, txn);
  REQUIRE(report);
  CHECK(report->problems.empty());
}

namespace {

// The sender's log as batches of `per` records, each prechecked without a key (as a receiver's
// io thread does before the writer verifies the signature).
// The first batch `f` would send of its own device's log (the whole of a short one).
std::vector<sync::WireRecord> log_of(StoreFixture& f) {
  auto txn = f.read();
  auto r = sync::collect(*f.store, txn, f.device, 0);
  REQUIRE(r);
  return std::move(*r);
}

std::vector<sync::Incoming> incoming_batches(const std::vector<sync::WireRecord>& recs,
                                             std::size_t per) {
  std::vector<sync::Incoming> out;
  for (std::size_t i = 0; i < recs.size(); i += per) {
    std::vector<sync::WireRecord> part(
        recs.begin() + static_cast<std::ptrdiff_t>(i),
        recs.begin() + static_cast<std::ptrdiff_t>(std::min(recs.size(), i + per)));
    auto pre = sync::precheck_batch(part, std::nullopt);
    REQUIRE(pre);
    out.push_back({std::move(part), std::move(*pre)});
  }
  return out;
}

}  // namespace

TEST_CASE("batches that chain into each other apply as one run under the newest signature",
          "[sync]") {
  Pair p;
  for (int i = 0; i < 10; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto batches = incoming_batches(p.collect(), 3);  // 3 + 3 + 3 + 1
  REQUIRE(batches.size() == 4);
  auto txn = p.receiver.write();
  auto stored = sync::apply_batches(*p.receiver.store, txn, batches);
  REQUIRE(stored);
  REQUIRE(stored->size() == 4);
  for (const auto& o : *stored) CHECK(o.status);
  CHECK((*stored)[0].stored.size() == 3);
  CHECK((*stored)[3].stored.size() == 1);
  for (const auto& b : batches) CHECK(b.pre.signed_by == p.sender.keys.pub);
  REQUIRE(txn.commit());
  CHECK(p.held() == 10);
  CHECK(p.receiver.verify().problems.empty());
}

TEST_CASE("a run whose newest record is forged is refused whole", "[sync][security]") {
  Pair p;
  for (int i = 0; i < 9; ++i) p.sender.append(body_of(contribution("n")), 100 + i);
  auto recs = p.collect();
  auto other = crypto::sign_keypair();
  SECTION("the newest signature by another key") {
    sign_header(recs.back().header, other.secret);
  }
  SECTION(
      "an earlier batch altered: the chain breaks, so it is a run of its own and its own "
      "newest signature is checked") {
    recs[2].header.hlc += 1;                    // the newest of the first batch, altered
    sign_header(recs[2].header, other.secret);  // and signed by a key outside the roster
  }
  auto batches = incoming_batches(recs, 3);
  auto txn = p.receiver.write();
  auto stored = sync::apply_batches(*p.receiver.store, txn, batches);
  REQUIRE(stored);
  // The forged batch is refused, and so is every batch after it (they do not follow what is
  // held); none of them leaves a record behind, even with the transaction committed.
  REQUIRE_FALSE((*stored)[0].status);
  CHECK((*stored)[0].status.error().code == Code::kAuth);
  for (const auto& o : *stored) {
    CHECK_FALSE(o.status);
    CHECK(o.stored.empty());
  }
  REQUIRE(txn.commit());
  CHECK(p.held() == 0);
}

TEST_CASE("batches of two devices interleaved split into runs, each verified", "[sync]") {
  // Alex's records relayed beside the receiver's own partner's: two runs of one device each.
  Pair p;
  StoreFixture third;
  third.device = DeviceId{9, 9, 9, 9, 9, 9, 9, 9};
  third.roster.devices[0].id = third.device;
  third.roster.devices[0].member = 2;
  {
    auto txn = p.receiver.write();
    auto roster = p.sender.roster;
    for (const auto& d : third.roster.devices) roster.devices.push_back(d);
    REQUIRE(p.receiver.store->put_meta(txn, "roster", encode_roster(roster)));
    REQUIRE(txn.commit());
  }
  for (int i = 0; i < 4; ++i) p.sender.append(body_of(contribution("a")), 100 + i);
  for (int i = 0; i < 4; ++i) third.append(body_of(contribution("b")), 100 + i);
  auto a = incoming_batches(p.collect(), 2);
  auto b = incoming_batches(log_of(third), 2);
  std::vector<sync::Incoming> mixed;
  mixed.push_back(std::move(a[0]));
  mixed.push_back(std::move(b[0]));
  mixed.push_back(std::move(a[1]));
  mixed.push_back(std::move(b[1]));
  auto txn = p.receiver.write();
  auto stored = sync::apply_batches(*p.receiver.store, txn, mixed);
  REQUIRE(stored);
  for (const auto& o : *stored) CHECK(o.status);
  CHECK(mixed[1].pre.signed_by == third.keys.pub);
  REQUIRE(txn.commit());
  CHECK(p.held() == 4);
  auto rtxn = p.receiver.read();
  CHECK(p.receiver.store->head(rtxn, third.device)->seq == 4);
}

TEST_CASE("a refused batch leaves the batches around it applied", "[sync][security]") {
  // A relay may send a device's records before the roster record that admits it: the refusal
  // must not take the roster record (or anything else valid) down with it.
  Pair p;
  StoreFixture stranger;
  stranger.device = DeviceId{7, 7, 7, 7, 7, 7, 7, 7};
  for (int i = 0; i < 2; ++i) stranger.append(body_of(contribution("s")), 100 + i);
  for (int i = 0; i < 3; ++i) p.sender.append(body_of(contribution("a")), 100 + i);
  auto batches = incoming_batches(log_of(stranger), 2);
  auto good = incoming_batches(p.collect(), 3);
  batches.push_back(std::move(good[0]));
  auto txn = p.receiver.write();
  auto out = sync::apply_batches(*p.receiver.store, txn, batches);
  REQUIRE(out);
  REQUIRE(out->size() == 2);
  REQUIRE_FALSE((*out)[0].status);
  CHECK((*out)[0].status.error().code == Code::kForbidden);
  CHECK((*out)[1].status);
  CHECK((*out)[1].stored.size() == 3);
  REQUIRE(txn.commit());
  CHECK(p.held() == 3);
  auto rtxn = p.receiver.read();
  CHECK(p.receiver.store->head(rtxn, stranger.device)->seq == 0);
}
