// The local API over Cap'n Proto stream framing, against a real tandemd.
#include "tests/support/daemon_process.hpp"

#include <capnp/serialize.h>
#include <catch2/catch.hpp>

#include <cstring>

using namespace tandem;
using namespace tandem::test;

namespace {

struct CapnpFixture {
  TempDir dir;
  DaemonProcess daemon{dir.path() + "/data", dir.path() + "/run/tandemd.sock"};
  CapnpClient client{daemon.socket()};
  std::unique_ptr<capnp::MallocMessageBuilder> last_;

  template <class Fill>
  schema::Response::Reader call(std::uint32_t id, Fill&& fill) {
    capnp::MallocMessageBuilder msg;
    auto req = msg.initRoot<schema::Request>();
    req.setId(id);
    fill(req);
    client.send(msg);
    last_ = client.receive();
    return last_->getRoot<schema::Response>().asReader();
  }
};

}  // namespace

TEST_CASE_METHOD(CapnpFixture, "Cap'n Proto frames: init, add, get and list", "[api][capnp]") {
  auto st = call(1, [](auto r) { r.initStatus(); });
  CHECK(st.getId() == 1);
  REQUIRE(st.isStatus());
  auto in = call(2, [](auto r) { r.initInit().setName("Jordan"); });
  REQUIRE(in.isInit());
  auto add = call(3, [](auto r) {
    auto e = r.initAdd().initEntry();
    auto c = e.getKind().initContribution();
    c.setActor(schema::Party::PARTNER);
    c.setEffort(2);
    c.setPhase(schema::Phase::DECIDE);
    e.setDimension(schema::Dimension::HOUSEHOLD);
    e.setNote("planned the week's meals");
  });
  REQUIRE(add.isEntry());
  std::string id = add.getEntry().getId().cStr();
  CHECK(add.getEntry().getEntry().getKind().getContribution().getPhase() == schema::Phase::DECIDE);
  auto get = call(4, [&](auto r) { r.initGet().setId(id); });
  REQUIRE(get.isEntry());
  CHECK(std::string(get.getEntry().getEntry().getNote().cStr()) == "planned the week's meals");
  auto list = call(5, [](auto r) { r.initList().setDimension(schema::Dimension::HOUSEHOLD); });
  REQUIRE(list.isList());
  CHECK(list.getList().getEntries().size() == 1);
}

TEST_CASE_METHOD(CapnpFixture, "an enum value the schema does not know is an invalid argument",
                 "[api][capnp]") {
  call(1, [](auto r) { r.initInit().setName("Jordan"); });
  auto add = call(2, [](auto r) {
    auto e = r.initAdd().initEntry();
    e.getKind().initContribution();
    e.setDimension(static_cast<schema::Dimension>(200));
  });
  REQUIRE(add.isError());
  CHECK(add.getError().getCode() == schema::ErrorCode::INVALID_ARGUMENT);
  auto add2 = call(3, [](auto r) {
    auto e = r.initAdd().initEntry();
    e.getKind().initBid().setResponse(static_cast<schema::BidResponse>(9));
  });
  REQUIRE(add2.isError());
  CHECK(add2.getError().getCode() == schema::ErrorCode::INVALID_ARGUMENT);
}

TEST_CASE_METHOD(CapnpFixture, "an oversized frame is refused and the next one is served",
                 "[api][capnp]") {
  // A segment table announcing 2 MiB, then the bytes.
  std::uint32_t table[2] = {0, (2u << 20) / 8};
  client.send_raw(table, sizeof table);
  std::vector<char> junk(2u << 20, 0);
  client.send_raw(junk.data(), junk.size());
  auto r = client.receive();
  REQUIRE(r->getRoot<schema::Response>().isError());
  CHECK(r->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::TOO_LARGE);
  auto st = call(9, [](auto q) { q.initStatus(); });
  CHECK(st.isStatus());
}

TEST_CASE_METHOD(CapnpFixture, "garbage inside a well-framed message is a bad request",
                 "[api][capnp]") {
  std::uint32_t frame[2 + 4] = {0, 2, 0xffffffff, 0xffffffff, 0xdeadbeef, 0x12345678};
  client.send_raw(frame, sizeof frame);
  auto r = client.receive();
  REQUIRE(r->getRoot<schema::Response>().isError());
  CHECK(r->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::BAD_REQUEST);
  CHECK(call(3, [](auto q) { q.initStatus(); }).isStatus());
}

TEST_CASE_METHOD(CapnpFixture,
                 "an impossible segment table is refused and the daemon keeps serving others",
                 "[api][capnp]") {
  std::uint32_t table[2] = {100000, 1};
  client.send_raw(table, sizeof table);
  auto r = client.receive();
  CHECK(r->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::BAD_REQUEST);
  CapnpClient other(daemon.socket());
  capnp::MallocMessageBuilder msg;
  msg.initRoot<schema::Request>().initStatus();
  other.send(msg);
  CHECK(other.receive()->getRoot<schema::Response>().isStatus());
}

TEST_CASE_METHOD(CapnpFixture, "a truncated frame from a client that leaves harms nothing",
                 "[api][capnp]") {
  {
    CapnpClient gone(daemon.socket());
    std::uint32_t table[2] = {0, 64};
    gone.send_raw(table, sizeof table);
    gone.send_raw("abc", 3);
  }
  CHECK(call(1, [](auto q) { q.initStatus(); }).isStatus());
}
