#include "daemon/config/host_port.hpp"

#include <catch2/catch.hpp>

using tandem::config::parse_listen_address;
using tandem::config::parse_peer_address;

TEST_CASE("listen addresses are IP literals with a port") {
  auto v4 = parse_listen_address("0.0.0.0:7470");
  REQUIRE(v4.ok());
  CHECK(v4->host == "0.0.0.0");
  CHECK(v4->port == 7470);
  CHECK_FALSE(v4->is_ipv6);

  auto v6 = parse_listen_address("[::]:7470");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::");
  CHECK(v6->is_ipv6);
  CHECK(v6->to_string() == "[::]:7470");

  CHECK(parse_listen_address("127.0.0.1:0").ok());  // any free port
}

TEST_CASE("listen refuses names, bare IPv6, missing or out-of-range ports") {
  for (const char* bad :
       {"localhost:7470", "::1:7470", "0.0.0.0", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:-1",
        "0.0.0.0:74x", "[::1:7470", "[::1]7470", "[nope]:7470", "300.1.1.1:7470", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad).ok());
  }
}

TEST_CASE("peers may be names, need a non-zero port") {
  CHECK(parse_peer_address("laptop.tail1234.ts.net:7470").ok());
  CHECK(parse_peer_address("10.0.0.2:7470").ok());
  CHECK(parse_peer_address("[fd00::2]:7470").ok());
  CHECK_FALSE(parse_peer_address("10.0.0.2:0").ok());
  CHECK_FALSE(parse_peer_address("bad_name:7470").ok());
  CHECK_FALSE(parse_peer_address("-lead.example:7470").ok());
  CHECK_FALSE(parse_peer_address("host..example:7470").ok());
}
