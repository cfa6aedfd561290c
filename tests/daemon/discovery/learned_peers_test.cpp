#include "daemon/discovery/learned_peers.hpp"

#include <catch2/catch.hpp>

using namespace tandem::discovery;

TEST_CASE("learned peers read back what was written", "[learned_peers]") {
  LearnedPeers peers;
  peers[{1, 2, 3, 4, 5, 6, 7, 8}] = "192.168.1.20:7470";
  peers[{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 1}] = "[fd7a:115c:a1e0::1]:7471";
  const std::string text = format_learned_peers(peers);
  CHECK(text == "0102030405060708 192.168.1.20:7470\naabbccddeeff0001 [fd7a:115c:a1e0::1]:7471\n");
  CHECK(parse_learned_peers(text) == peers);
}

TEST_CASE("learned peers skip lines they cannot read, and the last line for a device wins",
          "[learned_peers]") {
  const auto peers = parse_learned_peers(
      "no-space\n0102 short-id:1\nzz02030405060708 bad-hex:1\n\n"
      "0102030405060708 a:1\n0102030405060708 b:2");
  REQUIRE(peers.size() == 1);
  CHECK(peers.begin()->second == "b:2");
}
