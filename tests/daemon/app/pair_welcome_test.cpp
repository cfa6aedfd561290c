// The roster a pairing welcome carries: the inviter packs its real signed roster record, and the
// joiner accepts it only as sync would (body hash, signature by a device of that roster) and
// only if it lists the joiner exactly as it asked to be listed.
#include "daemon/app/pair_welcome.hpp"
#include "daemon/sync/engine.hpp"
#include "tests/daemon/store/store_fixture.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::store;
using namespace tandem::store::test;

namespace {

// An inviter's store that has just admitted a joiner (Jo's laptop) with a roster record.
struct Admitted {
  StoreFixture inviter;
  crypto::SignKeyPair joiner_sign = crypto::sign_keypair();
  crypto::DhKeyPair joiner_dh = crypto::dh_keypair();
  DeviceId joiner{9, 9, 9, 9, 9, 9, 9, 9};
  Roster roster;
  Bytes roster_bytes;
  Bytes record;
  Admitted() {
    inviter.append(body_of(contribution("before pairing")), 100);
    roster = inviter.roster;
    DeviceInfo d;
    d.id = joiner;
    d.member = 2;
    d.name = "jo-laptop";
    d.sign_key = joiner_sign.pub;
    d.dh_key = joiner_dh.pub;
    roster.devices.push_back(d);
    roster_bytes = encode_roster(roster);
    inviter.append(make_body(roster_bytes, ""), 200, kFlagRoster);
    auto txn = inviter.read();
    auto packed = app::pack_roster_record(*inviter.store, txn, inviter.device);
    REQUIRE(packed);
    record = *packed;
  }
  app::JoinerClaims claims() const {
    return {roster.space_id, 2, joiner, joiner_sign.pub, joiner_dh.pub};
  }
  // The packed record, decoded for tampering.
  sync::WireRecord decoded() const {
    auto m = sync::decode(record);
    REQUIRE(m);
    REQUIRE(m->records.size() == 1);
    return m->records.front();
  }
};

Bytes repack(const sync::WireRecord& r) {
  return sync::encode_batch(0, {r});
}

}  // namespace

TEST_CASE("a welcome's signed roster record verifies and names its signer", "[app][pairing]") {
  Admitted a;
  auto ok = app::verify_welcome_roster(a.record, a.roster_bytes, a.claims());
  REQUIRE(ok);
  CHECK(ok->inviter == a.inviter.device);
  CHECK(ok->roster.devices.size() == 2);
  // It is the record the inviter's log holds (seq 2, after the entry), with its signature.
  auto rec = a.decoded();
  CHECK(rec.header.seq == 2);
  CHECK(rec.header.flags & kFlagRoster);
  CHECK(verify_header(rec.header, a.inviter.keys.pub));
}

TEST_CASE("a welcome whose roster differs from the signed record is refused", "[app][pairing]") {
  Admitted a;
  Roster other = a.roster;
  other.member_names[2] = "Mallory";
  auto r = app::verify_welcome_roster(a.record, encode_roster(other), a.claims());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::kCorrupt);
}

TEST_CASE("a welcome with a tampered roster record is refused", "[app][pairing][security]") {
  Admitted a;
  Roster other = a.roster;
  other.member_names[2] = "Mallory";
  const Bytes other_bytes = encode_roster(other);
  SECTION("the body changed under the old hash") {
    auto rec = a.decoded();
    rec.body->fields = other_bytes;
    auto r = app::verify_welcome_roster(repack(rec), other_bytes, a.claims());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kCorrupt);
  }
  SECTION("the body and its hash changed, the signature not") {
    auto rec = a.decoded();
    rec.body->fields = other_bytes;
    rec.header.body_hash = compute_body_hash(*rec.body);
    auto r = app::verify_welcome_roster(repack(rec), other_bytes, a.claims());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kAuth);
  }
  SECTION("a flipped signature byte") {
    auto rec = a.decoded();
    rec.header.signature[10] ^= 1;
    auto r = app::verify_welcome_roster(repack(rec), a.roster_bytes, a.claims());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kAuth);
  }
  SECTION("re-signed by a key the roster does not list for the signer") {
    auto rec = a.decoded();
    rec.body->fields = other_bytes;
    rec.header.body_hash = compute_body_hash(*rec.body);
    sign_header(rec.header, crypto::sign_keypair().secret);
    auto r = app::verify_welcome_roster(repack(rec), other_bytes, a.claims());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kAuth);
  }
  SECTION("signed by a device outside the roster") {
    auto rec = a.decoded();
    rec.header.device = {7, 7, 7, 7, 7, 7, 7, 7};
    sign_header(rec.header, a.inviter.keys.secret);
    auto r = app::verify_welcome_roster(repack(rec), a.roster_bytes, a.claims());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kCorrupt);
  }
  SECTION("not a roster record") {
    auto rec = a.decoded();
    rec.header.flags = 0;
    sign_header(rec.header, a.inviter.keys.secret);
    CHECK_FALSE(app::verify_welcome_roster(repack(rec), a.roster_bytes, a.claims()));
  }
  SECTION("garbage instead of a record") {
    CHECK_FALSE(app::verify_welcome_roster(Bytes(64, 0x41), a.roster_bytes, a.claims()));
    CHECK_FALSE(app::verify_welcome_roster(Bytes{}, a.roster_bytes, a.claims()));
  }
}

TEST_CASE("a welcome that does not list the joiner as it asked is refused", "[app][pairing]") {
  Admitted a;
  auto claims = a.claims();
  SECTION("another X25519 key") {
    claims.dh_key = crypto::dh_keypair().pub;
  }
  SECTION("another Ed25519 key") {
    claims.sign_key = crypto::sign_keypair().pub;
  }
  SECTION("another member") {
    claims.member = 1;
  }
  SECTION("another space") {
    claims.space_id[0] ^= 1;
  }
  SECTION("another device id") {
    claims.device[0] ^= 1;
  }
  auto r = app::verify_welcome_roster(a.record, a.roster_bytes, claims);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::kCorrupt);
}

TEST_CASE("the inviter packs only a roster record", "[app][pairing]") {
  StoreFixture s;
  {
    auto txn = s.read();
    CHECK(app::pack_roster_record(*s.store, txn, s.device).error().code == Code::kNotFound);
  }
  s.append(body_of(contribution("an entry")), 100);
  auto txn = s.read();
  CHECK(app::pack_roster_record(*s.store, txn, s.device).error().code == Code::kInternal);
}
