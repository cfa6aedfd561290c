// Revoking a device between real daemons on loopback: the space key rotates to every remaining
// device sealed to its own key, the revoked device can no longer connect, what it wrote before
// stays (marked), and a device that missed the rotation still catches up.
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tandem;
using namespace tandem::test;

namespace {

std::string add(Device& d, const std::string& note) {
  auto r =
      d.call(R"({"id": 9, "add": {"entry": {"contribution": {}, "note": ")" + note + R"("}}})");
  REQUIRE(root(r).isEntry());
  return root(r).getEntry().getId().cStr();
}

bool has(Device& d, const std::string& id) {
  return root(d.call(R"({"id": 8, "get": {"id": ")" + id + R"("}})")).isEntry();
}

std::string device_id(Device& d) {
  return root(d.call(R"({"id": 1, "status": {}})")).getStatus().getDeviceId().cStr();
}

std::string space_key(Device& d) {
  std::ifstream in(d.dir.path() + "/data/keys/space.key", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Msg revoke(Device& d, const std::string& which) {
  return d.call(R"({"id": 3, "revokeDevice": {"device": ")" + which + R"("}})");
}

// The peers view of `d` for device `id`: {connected, revoked}.
std::pair<bool, bool> seen(Device& d, const std::string& id) {
  auto m = d.call(R"({"id": 4, "peers": {}})");
  for (auto p : root(m).getPeers().getDevices()) {
    if (id == p.getDeviceId().cStr()) return {p.getConnected(), p.getRevoked()};
  }
  return {false, false};
}

// Alex's laptop and phone, and Jordan's laptop, all in step.
struct Couple {
  Device laptop, phone, jordan;
  std::string phone_id, laptop_id;
  Couple() {
    REQUIRE(root(laptop.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
    pair(laptop, jordan, "Jordan");
    pair(laptop, phone, "", /*as_device=*/true);
    phone_id = device_id(phone);
    laptop_id = device_id(laptop);
  }
};

}  // namespace

TEST_CASE("a revoked device can no longer connect and the space key rotates to the others",
          "[sync][network][security]") {
  Couple c;
  const std::string before = add(c.phone, "written on the phone before it was lost");
  const bool arrived = eventually([&] { return has(c.jordan, before); }, 20);
  INFO("jordan: " << c.jordan.daemon.log() << "\nlaptop: " << c.laptop.daemon.log()
                  << "\nphone: " << c.phone.daemon.log());
  REQUIRE(arrived);
  const std::string old_key = space_key(c.laptop);
  REQUIRE(old_key.size() == 32);
  REQUIRE(space_key(c.jordan) == old_key);

  auto r = revoke(c.laptop, c.phone_id);
  INFO(c.laptop.daemon.log());
  REQUIRE(root(r).isRevoked());
  CHECK(root(r).getRevoked().getEpoch() == 1);
  CHECK(root(r).getRevoked().getRekeyed() == 2);
  CHECK(root(r).getRevoked().getKeptThrough() >= 1);

  // The new key reaches Jordan's device, sealed to it; the phone keeps the old one.
  CHECK(space_key(c.laptop) != old_key);
  CHECK(eventually([&] { return space_key(c.jordan) == space_key(c.laptop); }, 20));
  CHECK(space_key(c.phone) == old_key);
  CHECK(eventually([&] { return seen(c.jordan, c.phone_id) == std::make_pair(false, true); }, 20));
  CHECK(eventually([&] { return seen(c.laptop, c.phone_id) == std::make_pair(false, true); }, 20));

  // What the phone wrote before stays valid, marked; what it writes now goes nowhere.
  auto kept = c.jordan.call(R"({"id": 8, "get": {"id": ")" + before + R"("}})");
  REQUIRE(root(kept).isEntry());
  CHECK(root(kept).getEntry().getFromRevokedDevice());
  const std::string after = add(c.phone, "written by whoever has the phone now");
  const std::string fresh = add(c.jordan, "after the rotation");
  CHECK(eventually([&] { return has(c.laptop, fresh); }, 20));  // the new key carries sync
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK_FALSE(has(c.laptop, after));
  CHECK_FALSE(has(c.jordan, after));
  CHECK_FALSE(has(c.phone, fresh));
  CHECK(seen(c.laptop, c.phone_id).first == false);
  CHECK(c.laptop.daemon.log().find("revoked") != std::string::npos);

  // After a restart the remaining devices still talk under the new key.
  REQUIRE(c.jordan.daemon.stop() == 0);
  c.jordan.daemon.start();
  const std::string later = add(c.jordan, "after a restart");
  CHECK(eventually([&] { return has(c.laptop, later); }, 30));
}

TEST_CASE("a member revokes only their own other devices", "[sync][network][security]") {
  Couple c;
  auto partner = revoke(c.jordan, c.laptop_id);
  REQUIRE(root(partner).isError());
  CHECK(root(partner).getError().getCode() == schema::ErrorCode::FORBIDDEN);
  auto self = revoke(c.laptop, c.laptop_id);
  REQUIRE(root(self).isError());
  CHECK(root(self).getError().getCode() == schema::ErrorCode::INVALID_ARGUMENT);
  auto unknown = revoke(c.laptop, "0011223344556677");
  REQUIRE(root(unknown).isError());
  CHECK(root(unknown).getError().getCode() == schema::ErrorCode::NOT_FOUND);
  // Every device here has the host's name: a name that is not unique is refused.
  const std::string name =
      root(c.phone.call(R"({"id": 1, "status": {}})")).getStatus().getDeviceName().cStr();
  auto ambiguous = revoke(c.laptop, name);
  REQUIRE(root(ambiguous).isError());
  CHECK(root(ambiguous).getError().getCode() == schema::ErrorCode::INVALID_ARGUMENT);
  REQUIRE(root(revoke(c.laptop, c.phone_id)).isRevoked());
  auto twice = revoke(c.laptop, c.phone_id);
  REQUIRE(root(twice).isError());
  CHECK(root(twice).getError().getCode() == schema::ErrorCode::ALREADY_INITIALIZED);
  // Inviting a second partner is refused before a code is shown.
  auto [conn, first] = invite(c.laptop);
  CHECK(root(first).isError());
}

TEST_CASE("a device that was off during the rotation catches up and learns the new key",
          "[sync][network][security]") {
  Couple c;
  REQUIRE(c.jordan.daemon.stop() == 0);
  REQUIRE(root(revoke(c.laptop, c.phone_id)).isRevoked());
  const std::string meanwhile = add(c.laptop, "while Jordan's laptop was off");
  c.jordan.daemon.start();  // still on the old key; it dials the laptop it paired with
  CHECK(eventually([&] { return has(c.jordan, meanwhile); }, 30));
  CHECK(eventually([&] { return space_key(c.jordan) == space_key(c.laptop); }, 20));
  CHECK(eventually([&] { return seen(c.jordan, c.phone_id).second; }, 10));
}
