// Only an entry's author may edit or retract it; the partner's entries read from the reader's
// point of view. The partner's device is admitted to the roster and writes a signed record
// directly into the store, as sync will.
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/daemon_process.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::test;

TEST_CASE("a partner's entry cannot be edited or retracted here", "[api][security]") {
  TempDir dir;
  const std::string data = dir.path() + "/data", sock = dir.path() + "/s.sock";
  auto daemon = std::make_unique<DaemonProcess>(data, sock);
  {
    JsonClient c(sock);
    REQUIRE(parse_response(c.call(R"({"id": 1, "init": {"name": "Alex", "partnerName": "Sam"}})"))
                ->getRoot<schema::Response>()
                .isInit());
  }
  daemon->stop();

  // Sam's laptop joins the roster and writes one entry: "I did the laundry" (actor me = Sam).
  auto partner_key = crypto::sign_keypair();
  store::DeviceId partner_dev = {9, 9, 9, 9, 9, 9, 9, 9};
  {
    auto key = store::read_key_file<32>(data + "/keys/storage.key");
    REQUIRE(key.ok());
    auto st = store::Store::open(data + "/store", std::move(*key));
    REQUIRE(st.ok());
    auto& s = **st;
    auto txn = store::Txn::begin_write(s.env());
    REQUIRE(txn.ok());
    auto roster = s.roster(*txn);
    REQUIRE((roster.ok() && roster->has_value()));
    store::DeviceInfo info;
    info.id = partner_dev;
    info.member = 2;
    info.name = "sam-laptop";
    info.sign_key = partner_key.pub;
    auto r = **roster;
    r.devices.push_back(info);
    REQUIRE(s.put_meta(*txn, "roster", store::encode_roster(r)).ok());
    capnp::MallocMessageBuilder msg;
    auto e = msg.initRoot<schema::Entry>();
    e.getKind().initContribution().setActor(schema::Party::ME);
    e.setDimension(schema::Dimension::HOUSEHOLD);
    e.setDate("2026-11-20");
    e.setNote("laundry");
    auto [fields, note] = store::split_entry(e.asReader());
    auto h = s.append(*txn, partner_dev, partner_key.secret, 1000 << 16, 0,
                      store::make_body(std::move(fields), std::move(note)));
    REQUIRE(h.ok());
    REQUIRE(txn->commit().ok());
  }
  daemon = std::make_unique<DaemonProcess>(data, sock);
  JsonClient c(sock);
  const std::string id = store::entry_id(partner_dev, 1);
  auto got = parse_response(c.call(R"({"id": 2, "get": {"id": ")" + id + R"("}})"));
  auto v = got->getRoot<schema::Response>();
  REQUIRE(v.isEntry());
  CHECK(v.getEntry().getAuthor() == schema::Party::PARTNER);
  CHECK(std::string(v.getEntry().getAuthorName().cStr()) == "Sam");
  // Sam wrote "me"; Alex reads "partner".
  CHECK(v.getEntry().getEntry().getKind().getContribution().getActor() == schema::Party::PARTNER);

  auto r = parse_response(c.call(R"({"id": 3, "retract": {"id": ")" + id + R"("}})"));
  REQUIRE(r->getRoot<schema::Response>().isError());
  CHECK(r->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::FORBIDDEN);
  auto ed = parse_response(
      c.call(R"({"id": 4, "edit": {"id": ")" + id + R"(", "entry": {"contribution": {}}}})"));
  REQUIRE(ed->getRoot<schema::Response>().isError());
  CHECK(ed->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::FORBIDDEN);
  // And the entry is untouched.
  auto again = parse_response(c.call(R"({"id": 5, "get": {"id": ")" + id + R"("}})"));
  CHECK_FALSE(again->getRoot<schema::Response>().getEntry().getRetracted());
  CHECK(std::string(again->getRoot<schema::Response>().getEntry().getEntry().getNote().cStr()) ==
        "laundry");
}
