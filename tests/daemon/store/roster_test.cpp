// The roster as values: who may change it, how concurrent changes merge, and the space key
// sealed to each device when it rotates.
#include "daemon/store/roster.hpp"
#include "daemon/crypto/primitives.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::store;

namespace {

DeviceInfo device(std::uint8_t n, std::uint8_t member, const crypto::DhKeyPair& dh) {
  DeviceInfo d;
  d.id.fill(n);
  d.member = member;
  d.name = "device " + std::to_string(n);
  d.sign_key = crypto::sign_keypair().pub;
  d.dh_key = dh.pub;
  return d;
}

struct Space {
  crypto::DhKeyPair dh1 = crypto::dh_keypair(), dh2 = crypto::dh_keypair(),
                    dh3 = crypto::dh_keypair();
  Roster roster;
  Space() {
    roster.space_id.fill(0x42);
    roster.member_names[1] = "Alex";
    roster.member_names[2] = "Jordan";
    roster.devices = {device(1, 1, dh1), device(2, 1, dh2), device(3, 2, dh3)};
  }
  const DeviceInfo& alex_laptop() const { return roster.devices[0]; }
  const DeviceInfo& alex_phone() const { return roster.devices[1]; }
  const DeviceInfo& jordan() const { return roster.devices[2]; }
  Roster revoking(std::size_t i) const {
    Roster r = roster;
    r.devices[i].revoked = true;
    r.devices[i].revoked_after = 7;
    r.epoch = roster.epoch + 1;
    return r;
  }
};

crypto::SymmetricKey fresh_key() {
  crypto::SymmetricKey k;
  crypto::random_fill({k.data(), k.size()});
  return k;
}

}  // namespace

TEST_CASE("a member may revoke their own devices and nobody else's", "[store][roster]") {
  Space s;
  CHECK(check_roster_change(s.roster, s.revoking(1), s.alex_laptop()));
  auto other = check_roster_change(s.roster, s.revoking(2), s.alex_laptop());
  REQUIRE_FALSE(other);
  CHECK(other.error().code == Code::kForbidden);
  auto self = check_roster_change(s.roster, s.revoking(0), s.alex_laptop());
  REQUIRE_FALSE(self);
  CHECK(self.error().message.find("itself") != std::string::npos);
}

TEST_CASE("roster records may not un-revoke, re-key, move or take the epoch back",
          "[store][roster]") {
  Space s;
  Roster revoked = s.revoking(1);
  Roster undo = revoked;
  undo.devices[1].revoked = false;
  CHECK_FALSE(check_roster_change(revoked, undo, s.alex_laptop()));
  Roster rekeyed = s.roster;
  rekeyed.devices[2].sign_key = crypto::sign_keypair().pub;
  CHECK_FALSE(check_roster_change(s.roster, rekeyed, s.alex_laptop()));
  Roster moved = s.roster;
  moved.devices[2].member = 1;
  CHECK_FALSE(check_roster_change(s.roster, moved, s.alex_laptop()));
  Roster other_space = s.roster;
  other_space.space_id.fill(1);
  CHECK_FALSE(check_roster_change(s.roster, other_space, s.alex_laptop()));
  Roster back = revoked;
  back.epoch = 0;
  CHECK_FALSE(check_roster_change(revoked, back, s.alex_laptop()));
}

TEST_CASE("only the partner adds devices of their own, once the partner has one",
          "[store][roster]") {
  Space s;
  auto dh = crypto::dh_keypair();
  Roster more = s.roster;
  more.devices.push_back(device(4, 2, dh));
  CHECK_FALSE(check_roster_change(s.roster, more, s.alex_laptop()));  // Alex adds to Jordan
  CHECK(check_roster_change(s.roster, more, s.jordan()));             // Jordan adds their own
  // Pairing: the first device of the partner is added by the inviter.
  Roster alone = s.roster;
  alone.devices.pop_back();
  CHECK(check_roster_change(alone, s.roster, s.alex_laptop()));
}

TEST_CASE("concurrent roster changes merge the same way in any order", "[store][roster]") {
  Space s;
  Roster a = s.revoking(1);  // Alex revokes the phone
  a.key_id.fill(1);
  Roster b = s.revoking(2);  // Jordan, at the same time, revokes a device of theirs
  b.devices[2].revoked_after = 3;
  b.key_id.fill(2);
  Roster ab = merge_roster(merge_roster(s.roster, a), b);
  Roster ba = merge_roster(merge_roster(s.roster, b), a);
  CHECK(encode_roster(ab) == encode_roster(ba));
  CHECK(ab.devices[1].revoked);
  CHECK(ab.devices[2].revoked);
  CHECK(ab.key_id == b.key_id);  // the same epoch: the greater key id wins everywhere
  // A later record that does not know of a revocation does not undo it.
  Roster stale = merge_roster(ab, s.roster);
  CHECK(stale.devices[1].revoked);
  CHECK(stale.epoch == 1);
  // Two revocations of one device keep the later revocation point.
  Roster later = s.revoking(1);
  later.devices[1].revoked_after = 9;
  CHECK(merge_roster(a, later).devices[1].revoked_after == 9);
  CHECK(merge_roster(later, a).devices[1].revoked_after == 9);
}

TEST_CASE("a rotated space key opens only for the device it was sealed to", "[store][roster]") {
  Space s;
  Roster r = s.revoking(1);
  auto key = fresh_key();
  r.key_id = space_key_id(key, r.epoch);
  r.wraps = {wrap_space_key(r, s.alex_laptop(), key), wrap_space_key(r, s.jordan(), key)};
  auto decoded = decode_roster(encode_roster(r));
  REQUIRE(decoded);
  auto mine = unwrap_space_key(*decoded, s.jordan().id, s.dh3.secret);
  REQUIRE(mine);
  CHECK(crypto::equal_ct({mine->data(), 32}, {key.data(), 32}));
  // The revoked phone has no wrap, and its key opens nobody else's.
  CHECK(unwrap_space_key(*decoded, s.alex_phone().id, s.dh2.secret).error().code ==
        Code::kNotFound);
  Roster stolen = *decoded;
  stolen.wraps[0].device = s.alex_phone().id;
  CHECK(unwrap_space_key(stolen, s.alex_phone().id, s.dh2.secret).error().code == Code::kAuth);
  // A wrap moved to another epoch or another space does not open as that epoch's key.
  Roster replayed = *decoded;
  replayed.epoch = 5;
  CHECK(unwrap_space_key(replayed, s.jordan().id, s.dh3.secret).error().code == Code::kAuth);
  CHECK(key_reaches_revoked(*decoded) == false);
  Roster crossed = *decoded;
  crossed.devices[2].revoked = true;
  CHECK(key_reaches_revoked(crossed));
}
