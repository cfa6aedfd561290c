// Pairing and peer connections between real daemons on loopback: a short code, CPace inside
// Noise_XX, the roster handed over, then Noise XXpsk0 connections checked against the roster.
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace tandem;
using namespace tandem::test;

TEST_CASE("two partners pair with a code and their daemons connect", "[pair][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto joined = sam.call(R"({"id": 2, "pairJoin": {"code": ")" + code +
                         R"(", "name": "Sam", "deviceName": "sam-laptop", "address": "127.0.0.1:)" +
                         std::to_string(port) + R"("}})");
  INFO(sam.daemon.log());
  REQUIRE(root(joined).isPaired());
  CHECK(std::string(root(joined).getPaired().getMemberName().cStr()) == "Sam");
  auto final_answer = parse_response(conn->read_line());
  REQUIRE(root(final_answer).isPaired());
  CHECK(std::string(root(final_answer).getPaired().getDeviceName().cStr()) == "sam-laptop");
  CHECK_FALSE(root(final_answer).getPaired().getAsDevice());

  auto as = alex.call(R"({"id": 3, "status": {}})");
  auto ss = sam.call(R"({"id": 3, "status": {}})");
  CHECK(std::string(root(ss).getStatus().getSpaceId().cStr()) ==
        root(as).getStatus().getSpaceId().cStr());
  CHECK(std::string(root(ss).getStatus().getMemberName().cStr()) == "Sam");
  CHECK(std::string(root(ss).getStatus().getPartnerName().cStr()) == "Alex");
  CHECK(std::string(root(as).getStatus().getPartnerName().cStr()) == "Sam");

  // Sam's daemon dials Alex's; both see the other connected, with a round trip measured.
  auto connected = [](Device& d) {
    auto p = d.call(R"({"id": 4, "peers": {}})");
    auto devs = root(p).getPeers().getDevices();
    return devs.size() == 1 && devs[0].getConnected();
  };
  CHECK(eventually([&] { return connected(alex); }));
  CHECK(eventually([&] { return connected(sam); }));
  auto p = alex.call(R"({"id": 4, "peers": {}})");
  CHECK(root(p).getPeers().getDevices()[0].getMember() == schema::Party::PARTNER);
  CHECK(std::string(root(p).getPeers().getDevices()[0].getMemberName().cStr()) == "Sam");
  // The entries Sam writes are signed by a device Alex's roster knows.
  REQUIRE(root(sam.call(R"({"id": 5, "add": {"entry": {"contribution": {}}}})")).isEntry());
}

TEST_CASE("a wrong code fails on both sides, joins nothing, and spends the code",
          "[pair][network][security]") {
  Device alex, intruder;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  // Same channel, the same (valid) words in another order.
  auto d1 = code.find('-'), d2 = code.find('-', d1 + 1), d3 = code.find('-', d2 + 1);
  std::string wrong = code.substr(0, d1) + "-" + code.substr(d3 + 1) + "-" +
                      code.substr(d1 + 1, d2 - d1 - 1) + "-" + code.substr(d2 + 1, d3 - d2 - 1);
  REQUIRE(wrong != code);
  auto j = intruder.call(R"({"id": 2, "pairJoin": {"code": ")" + wrong +
                         R"(", "name": "Eve", "address": "127.0.0.1:)" + std::to_string(port) +
                         R"("}})");
  REQUIRE(root(j).isError());
  CHECK(root(j).getError().getCode() == schema::ErrorCode::FORBIDDEN);
  CHECK(std::string(root(j).getError().getMessage().cStr()).find("wrong code") !=
        std::string::npos);
  auto final_answer = parse_response(conn->read_line());
  REQUIRE(root(final_answer).isError());
  CHECK(std::string(root(final_answer).getError().getMessage().cStr()).find("wrong code") !=
        std::string::npos);
  // Nothing joined: the intruder has no journal, Alex's roster holds only Alex's device.
  CHECK_FALSE(root(intruder.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
  CHECK(root(alex.call(R"({"id": 4, "peers": {}})")).getPeers().getDevices().size() == 0);
  // The code was spent: the right code no longer works.
  Device late;
  auto again =
      late.call(R"({"id": 5, "pairJoin": {"code": ")" + code +
                R"(", "name": "Sam", "address": "127.0.0.1:)" + std::to_string(port) + R"("}})");
  CHECK(root(again).isError());
  CHECK_FALSE(root(late.call(R"({"id": 3, "status": {}})")).getStatus().getInitialized());
}

TEST_CASE("an invite code expires", "[pair][network]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex, R"("timeoutSeconds": 1)");
  REQUIRE(root(first).isPairCode());
  auto final_answer = parse_response(conn->read_line(5000));
  REQUIRE(root(final_answer).isError());
  CHECK(std::string(root(final_answer).getError().getMessage().cStr()).find("expired") !=
        std::string::npos);
}

TEST_CASE("a device of another space cannot connect", "[pair][network][security]") {
  Device alex, stranger;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  REQUIRE(root(stranger.call(R"({"id": 1, "init": {"name": "Mallory"}})")).isInit());
  auto added = stranger.call(R"({"id": 2, "peerAdd": {"address": ")" + alex.listen() + R"("}})");
  REQUIRE(root(added).isPeerAddresses());
  CHECK(root(added).getPeerAddresses().getAddresses().size() == 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(root(alex.call(R"({"id": 3, "peers": {}})")).getPeers().getDevices().size() == 0);
  CHECK(root(stranger.call(R"({"id": 3, "peers": {}})")).getPeers().getDevices().size() == 0);
  // Alex's daemon keeps serving its local clients.
  CHECK(root(alex.call(R"({"id": 4, "status": {}})")).isStatus());
}

TEST_CASE("static peers are added, listed and removed", "[pair][network]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  CHECK(root(alex.call(R"({"id": 2, "peerAdd": {"address": "127.0.0.9:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 1);
  CHECK(root(alex.call(R"({"id": 3, "peerAdd": {"address": "[::1]:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 2);
  CHECK(root(alex.call(R"({"id": 4, "peerAdd": {"address": "no-port"}})")).getError().getCode() ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(root(alex.call(R"({"id": 5, "peerRemove": {"address": "127.0.0.9:9"}})"))
            .getPeerAddresses()
            .getAddresses()
            .size() == 1);
  CHECK(root(alex.call(R"({"id": 6, "peerRemove": {"address": "127.0.0.9:9"}})"))
            .getError()
            .getCode() == schema::ErrorCode::NOT_FOUND);
  auto list = alex.call(R"({"id": 7, "peerList": {}})");
  REQUIRE(root(list).getPeerAddresses().getAddresses().size() == 1);
  CHECK(std::string(root(list).getPeerAddresses().getAddresses()[0].cStr()) == "[::1]:9");
}
