// Sync between real daemons on loopback: entries converge, live; private entries stay home;
// aggregate entries travel without their note; retracts erase everywhere; three devices relay.
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::test;

namespace {

std::string add(Device& d, const std::string& entry) {
  auto r = d.call(R"({"id": 9, "add": {"entry": )" + entry + "}}");
  REQUIRE(root(r).isEntry());
  return root(r).getEntry().getId().cStr();
}

Msg get(Device& d, const std::string& id) {
  return d.call(R"({"id": 8, "get": {"id": ")" + id + R"("}})");
}

bool has(Device& d, const std::string& id) {
  return root(get(d, id)).isEntry();
}

}  // namespace

TEST_CASE("entries written on either side converge on both", "[sync][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  std::string before =
      add(alex, R"({"contribution": {"actor": "me", "effort": 2}, "note": "before pairing"})");
  pair(alex, sam, "Sam");
  std::string a =
      add(alex, R"({"bid": {"bidder": "partner", "response": "toward"}, "note": "from alex"})");
  std::string s = add(sam, R"({"contribution": {"actor": "me", "effort": 3}, "note": "from sam"})");
  CHECK(eventually([&] { return has(sam, before) && has(sam, a); }));
  CHECK(eventually([&] { return has(alex, s); }));
  // Read from the other side, parties flip: Sam's "me" is Alex's "partner".
  auto v = get(alex, s);
  CHECK(root(v).getEntry().getAuthor() == schema::Party::PARTNER);
  CHECK(root(v).getEntry().getEntry().getKind().getContribution().getActor() ==
        schema::Party::PARTNER);
  CHECK(std::string(root(v).getEntry().getEntry().getNote().cStr()) == "from sam");
  CHECK(std::string(root(v).getEntry().getAuthorName().cStr()) == "Sam");
}

TEST_CASE("a subscriber on the partner's daemon sees a new entry without polling",
          "[sync][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  REQUIRE(eventually([&] {
    auto p = alex.call(R"({"id": 4, "peers": {}})");
    return root(p).getPeers().getDevices().size() == 1 &&
           root(p).getPeers().getDevices()[0].getConnected();
  }));
  JsonClient watcher(sam.daemon.socket());
  REQUIRE(root(parse_response(watcher.call(R"({"id": 77, "subscribe": {}})"))).isSubscribed());
  std::string id = add(alex, R"({"support": {"needed": "partner", "gave": "me"}})");
  Msg ev;
  do {
    ev = parse_response(watcher.read_line(5000));
  } while (root(ev).isEvent() && root(ev).getEvent().isEntryAdded() &&
           std::string(root(ev).getEvent().getEntryAdded().getId().cStr()) != id);
  REQUIRE(root(ev).isEvent());
  CHECK(std::string(root(ev).getEvent().getEntryAdded().getId().cStr()) == id);
}

TEST_CASE("private entries never leave their device; aggregate ones travel without their note",
          "[sync][network][security]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  std::string priv =
      add(alex, R"({"contribution": {}, "visibility": "private", "note": "draft-xyzzy-private"})");
  std::string agg = add(
      alex,
      R"({"initiation": {"what": "intimacy"}, "visibility": "aggregate", "note": "aggregate-plugh"})");
  std::string marker = add(alex, R"({"contribution": {}, "note": "after both"})");
  REQUIRE(eventually([&] { return has(sam, marker); }));
  CHECK(has(sam, agg));
  auto v = get(sam, agg);
  CHECK(root(v).getEntry().getNoteWithheld());
  CHECK(root(v).getEntry().getEntry().getNote().size() == 0);
  CHECK(root(v).getEntry().getEntry().getKind().isInitiation());
  // The private entry's id is local to Alex's device; Sam's store holds no record of it at all.
  auto ss = sam.call(R"({"id": 3, "status": {}})");
  auto as = alex.call(R"({"id": 3, "status": {}})");
  CHECK(root(ss).getStatus().getPrivateEntries() == 0);
  CHECK(root(as).getStatus().getPrivateEntries() == 1);
  auto exported = sam.call(R"({"id": 4, "export": {}})");
  for (auto e : root(exported).getList().getEntries()) {
    CHECK(std::string(e.getEntry().getNote().cStr()).find("xyzzy") == std::string::npos);
    CHECK(std::string(e.getEntry().getNote().cStr()).find("plugh") == std::string::npos);
  }
}

TEST_CASE("a retract erases the entry on the partner's device too", "[sync][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  std::string id = add(alex, R"({"contribution": {}, "note": "to be retracted"})");
  REQUIRE(eventually([&] { return has(sam, id); }));
  REQUIRE(root(alex.call(R"({"id": 2, "retract": {"id": ")" + id + R"("}})")).isRetracted());
  CHECK(eventually([&] { return root(get(sam, id)).getEntry().getRetracted(); }));
  auto v = get(sam, id);
  CHECK(root(v).getEntry().getEntry().getNote().size() == 0);
  // An edit propagates too.
  std::string e = add(alex, R"({"contribution": {"effort": 1}, "note": "v1"})");
  REQUIRE(root(alex.call(R"({"id": 3, "edit": {"id": ")" + e +
                         R"(", "entry": {"contribution": {"effort": 3}, "note": "v2"}}})"))
              .isEntry());
  CHECK(eventually([&] {
    auto g = get(sam, e);
    return root(g).isEntry() && std::string(root(g).getEntry().getEntry().getNote().cStr()) == "v2";
  }));
}

TEST_CASE("three devices converge through a device that did not write the entries",
          "[sync][network]") {
  Device laptop, desktop, sam;
  REQUIRE(root(laptop.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(laptop, sam, "Sam");
  pair(laptop, desktop, "", /*as_device=*/true);
  // The desktop only knows the laptop's address; Sam's entries reach it through the laptop.
  std::string s = add(sam, R"({"contribution": {}, "note": "sam wrote this"})");
  std::string d = add(desktop, R"({"contribution": {}, "note": "desktop wrote this"})");
  CHECK(eventually([&] { return has(desktop, s); }, 20));
  CHECK(eventually([&] { return has(sam, d); }, 20));
  auto v = get(sam, d);
  CHECK(root(v).getEntry().getAuthor() == schema::Party::PARTNER);
  CHECK(std::string(root(v).getEntry().getAuthorName().cStr()) == "Alex");
}
