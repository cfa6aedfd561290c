// Edits and retracts: the edits index names the newest edit, and a retract erases the bodies of
// its target and of the target's edits while every header stays and the log still verifies.
#include "tests/daemon/store/store_fixture.hpp"

namespace tandem::store::test {
namespace {

bool has_body(StoreFixture& f, const Txn& txn, std::uint64_t seq) {
  auto b = f.store->body(txn, f.device, seq);
  REQUIRE(b);
  return b->has_value();
}

TEST_CASE("latest_edit names the edit with the newest clock, not the last one appended",
          "[store][edits]") {
  StoreFixture f;
  f.append(body_of(contribution("original")), 100);   // seq 1
  f.append(body_of(contribution("unrelated")), 101);  // seq 2
  {
    auto txn = f.read();
    auto none = f.store->latest_edit(txn, record_key(f.device, 1));
    REQUIRE(none);
    CHECK_FALSE(*none);
  }
  f.append(body_of(edit_of(f.device, 1, "first fix")), 300);  // seq 3
  {
    auto txn = f.read();
    auto e = f.store->latest_edit(txn, record_key(f.device, 1));
    REQUIRE(e);
    REQUIRE(*e);
    CHECK(**e == record_key(f.device, 3));
  }
  f.append(body_of(edit_of(f.device, 1, "second fix")), 400);         // seq 4
  f.append(body_of(edit_of(f.device, 1, "late arrival")), 200);       // seq 5, older clock
  f.append(body_of(edit_of(f.device, 2, "edit of the other")), 500);  // seq 6

  auto txn = f.read();
  auto e = f.store->latest_edit(txn, record_key(f.device, 1));
  REQUIRE(e);
  REQUIRE(*e);
  CHECK(**e == record_key(f.device, 4));
  auto e2 = f.store->latest_edit(txn, record_key(f.device, 2));
  REQUIRE(e2);
  REQUIRE(*e2);
  CHECK(**e2 == record_key(f.device, 6));
  // The entry with the greatest key has no edits: the index must not borrow a neighbour's.
  auto none = f.store->latest_edit(txn, record_key(f.device, 6));
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto b = f.store->body(txn, f.device, 4);
  REQUIRE(b);
  REQUIRE(*b);
  CHECK((*b)->note == "second fix");
}

// Regression: latest_edit once sought to target || 0xff and stepped back, skipping an edit whose
// clock starts with the byte 0xff (a far-future HLC, which a peer can send).
TEST_CASE("latest_edit finds an edit whose clock has its top byte set", "[store][edits]") {
  StoreFixture f;
  f.append(body_of(contribution("original")), 100);                              // seq 1
  f.append(body_of(edit_of(f.device, 1, "ordinary")), 200);                      // seq 2
  f.append(body_of(edit_of(f.device, 1, "far future")), 0xff00000000000001ull);  // seq 3
  auto txn = f.read();
  auto e = f.store->latest_edit(txn, record_key(f.device, 1));
  REQUIRE(e);
  REQUIRE(*e);
  CHECK(**e == record_key(f.device, 3));
}

TEST_CASE("a retract erases its target's body and its edits' bodies, keeping every header",
          "[store][retract]") {
  StoreFixture f;
  f.append(body_of(contribution("the target")), 100);   // seq 1
  f.append(body_of(contribution("bystander")), 101);    // seq 2
  f.append(body_of(edit_of(f.device, 1, "fix")), 102);  // seq 3
  {
    auto txn = f.write();
    auto h = f.store->append(txn, f.device, f.keys.secret, 103, 0,
                             body_of(retract_of(f.device, 1)));  // seq 4
    REQUIRE(h);
    REQUIRE(txn.commit());
  }
  auto txn = f.read();
  CHECK_FALSE(has_body(f, txn, 1));
  CHECK_FALSE(has_body(f, txn, 3));
  CHECK(has_body(f, txn, 2));
  CHECK(has_body(f, txn, 4));
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    auto h = f.store->header(txn, f.device, seq);
    REQUIRE(h);
    CHECK(h->has_value());
  }
  auto r = f.store->retract_of(txn, record_key(f.device, 1));
  REQUIRE(r);
  REQUIRE(*r);
  CHECK(**r == record_key(f.device, 4));
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == 4);
  CHECK(rep.bodies == 2);
  CHECK(rep.erased == 2);
}

TEST_CASE("apply reports what an edit or a retract acts on", "[store][retract]") {
  StoreFixture f;
  auto txn = f.write();
  auto plain = f.store->apply(txn, Header{}, std::nullopt);  // seq 0: not the next record
  CHECK_FALSE(plain);
  REQUIRE(f.store->append(txn, f.device, f.keys.secret, 1, 0, body_of(contribution("t"))));
  auto edit = body_of(edit_of(f.device, 1, "x"));
  Header h;
  h.device = f.device;
  h.seq = 2;
  h.hlc = 2;
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  h.prev_hash = head->hash;
  h.body_hash = compute_body_hash(edit);
  sign_header(h, f.keys.secret);
  auto applied = f.store->apply(txn, h, edit);
  REQUIRE(applied);
  CHECK(applied->edit);
  CHECK_FALSE(applied->retract);
  REQUIRE(applied->target);
  CHECK(*applied->target == record_key(f.device, 1));
}

TEST_CASE("an edit that arrives after the retract of its target is erased at once",
          "[store][retract]") {
  StoreFixture f;
  f.append(body_of(contribution("the target")), 100);        // seq 1
  f.append(body_of(retract_of(f.device, 1)), 101);           // seq 2
  f.append(body_of(edit_of(f.device, 1, "too late")), 102);  // seq 3
  auto txn = f.read();
  CHECK_FALSE(has_body(f, txn, 1));
  CHECK_FALSE(has_body(f, txn, 3));
  CHECK(f.verify(txn).problems.empty());
}

TEST_CASE("an aggregate body with its note withheld still matches the header's body hash",
          "[store][aggregate]") {
  StoreFixture f;
  auto full = body_of(contribution("only on the author's device"));
  auto h = f.append(full, 100, kFlagAggregate);

  Body withheld = full;
  withheld.note.reset();
  CHECK(compute_body_hash(withheld) == h.body_hash);

  // Encoded and decoded, the withheld body keeps no note and the same hash.
  auto decoded = decode_body(encode_body(withheld));
  REQUIRE(decoded);
  CHECK_FALSE(decoded->note);
  CHECK(decoded->note_hash == full.note_hash);
  CHECK(compute_body_hash(*decoded) == h.body_hash);

  // A partner's device stores the record with the withheld body and verifies it.
  StoreFixture partner;
  partner.roster = f.roster;
  {
    auto txn = partner.write();
    REQUIRE(partner.store->put_meta(txn, "roster", encode_roster(f.roster)));
    REQUIRE(partner.store->apply(txn, h, *decoded));
    REQUIRE(txn.commit());
  }
  auto txn = partner.read();
  auto b = partner.store->body(txn, f.device, 1);
  REQUIRE(b);
  REQUIRE(*b);
  CHECK_FALSE((*b)->note);
  auto rep = partner.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());

  // A substituted note does not match.
  Body swapped = withheld;
  swapped.note = "something else";
  swapped.note_hash = compute_note_hash(swapped.note_salt, *swapped.note);
  CHECK(compute_body_hash(swapped) != h.body_hash);
}

TEST_CASE("a parsed entry gets its note back where split_entry took it from", "[store][entry]") {
  auto [fields, note] = contribution("cooked dinner");
  CHECK(note == "cooked dinner");
  auto p = ParsedEntry::parse(fields, note);
  REQUIRE(p);
  CHECK(std::string(p->reader().getNote().cStr()) == "cooked dinner");
  CHECK(p->reader().getKind().getContribution().getEffort() == 2);

  auto [efields, enote] = edit_of(DeviceId{1, 2, 3, 4, 5, 6, 7, 8}, 1, "better words");
  CHECK(enote == "better words");
  auto withheld = ParsedEntry::parse(efields, std::nullopt);
  REQUIRE(withheld);
  CHECK(withheld->reader().getReplacement().getNote().size() == 0);
  auto ep = ParsedEntry::parse(efields, enote);
  REQUIRE(ep);
  CHECK(std::string(ep->reader().getReplacement().getNote().cStr()) == "better words");
  CHECK(ep->reader().getNote().size() == 0);

  CHECK_FALSE(ParsedEntry::parse({}, std::nullopt));
  Bytes odd(12, 0);
  CHECK_FALSE(ParsedEntry::parse(odd, std::nullopt));
}

}  // namespace
}  // namespace tandem::store::test
