#include "daemon/discovery/peers.hpp"

#include "tests/daemon/discovery/fake_random.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::discovery;
using std::chrono::milliseconds;

namespace {

PeerAddress ok(std::string_view text) {
  auto r = parse_peer_address(text);
  INFO(text);
  REQUIRE(std::holds_alternative<PeerAddress>(r));
  return std::get<PeerAddress>(r);
}

AddressError bad(std::string_view text) {
  auto r = parse_peer_address(text);
  INFO(text);
  REQUIRE(std::holds_alternative<AddressError>(r));
  return std::get<AddressError>(r);
}

}  // namespace

TEST_CASE("address-book entries parse as host and port") {
  CHECK(ok("laptop.tail1234.ts.net:7470") == PeerAddress{"laptop.tail1234.ts.net", 7470, false});
  CHECK(ok("10.0.0.2:1") == PeerAddress{"10.0.0.2", 1, false});
  CHECK(ok("  home-server:65535 ") == PeerAddress{"home-server", 65535, false});
  CHECK(ok("[fd00::1]:7470") == PeerAddress{"fd00::1", 7470, true});
  CHECK(ok("[::1]:80") == PeerAddress{"::1", 80, true});
}

TEST_CASE("entries format back to their canonical text") {
  for (auto text : {"laptop.lan:7470", "10.0.0.2:1", "[fd00::1]:7470"}) {
    CHECK(format_peer_address(ok(text)) == text);
  }
}

TEST_CASE("bad address-book entries are refused with a typed error") {
  CHECK(bad("") == AddressError::kEmpty);
  CHECK(bad("   ") == AddressError::kEmpty);
  CHECK(bad("laptop") == AddressError::kMissingPort);
  CHECK(bad("laptop:") == AddressError::kMissingPort);
  CHECK(bad("[::1]") == AddressError::kMissingPort);
  CHECK(bad("[::1]:") == AddressError::kMissingPort);
  CHECK(bad("laptop:0") == AddressError::kBadPort);
  CHECK(bad("laptop:65536") == AddressError::kBadPort);
  CHECK(bad("laptop:70x") == AddressError::kBadPort);
  CHECK(bad("laptop:-1") == AddressError::kBadPort);
  CHECK(bad(":7470") == AddressError::kBadHost);
  CHECK(bad("lap top:7470") == AddressError::kBadHost);
  CHECK(bad("-laptop:7470") == AddressError::kBadHost);
  CHECK(bad("laptop-.lan:7470") == AddressError::kBadHost);
  CHECK(bad("a..b:7470") == AddressError::kBadHost);
  CHECK(bad(std::string(64, 'a') + ".lan:7470") == AddressError::kBadHost);
  CHECK(bad("[fd00::1:7470") == AddressError::kBadIpv6);
  CHECK(bad("[not-v6]:7470") == AddressError::kBadIpv6);
  CHECK(bad("[]:7470") == AddressError::kBadIpv6);
  CHECK(bad("[::1]x7470") == AddressError::kBadIpv6);
  CHECK(bad("fd00::1:7470") == AddressError::kUnbracketedV6);
}

TEST_CASE("parse_peer explains a refusal with the entry and the reason") {
  auto r = parse_peer("fd00::1:7470");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kInvalidArgument);
  CHECK_THAT(r.error().message, Catch::Contains("fd00::1:7470") && Catch::Contains("brackets"));
  CHECK(parse_peer("laptop:7470").ok());
}

TEST_CASE("the backoff ceiling doubles from one second up to a minute") {
  CHECK(backoff_ceiling(0) == milliseconds(1000));
  CHECK(backoff_ceiling(1) == milliseconds(2000));
  CHECK(backoff_ceiling(5) == milliseconds(32000));
  CHECK(backoff_ceiling(6) == milliseconds(60000));
  CHECK(backoff_ceiling(64) == milliseconds(60000));
  CHECK(backoff_ceiling(4'000'000'000u) == milliseconds(60000));
}

TEST_CASE("a backoff delay is drawn from zero up to the ceiling") {
  auto random = testing::seeded_random(99);
  for (unsigned attempt = 0; attempt < 20; ++attempt) {
    milliseconds lo = milliseconds::max(), hi = milliseconds::min();
    for (int i = 0; i < 400; ++i) {
      const milliseconds d = next_delay(attempt, random);
      REQUIRE(d >= milliseconds(0));
      REQUIRE(d <= backoff_ceiling(attempt));
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    INFO("attempt " << attempt);
    // Full jitter spreads over the whole range: both ends are reached roughly.
    CHECK(lo < backoff_ceiling(attempt) / 10);
    CHECK(hi > backoff_ceiling(attempt) * 9 / 10);
  }
}

TEST_CASE("backoff delays at the extremes of the random source stay in bounds") {
  CHECK(next_delay(3, testing::constant_random(0)) == milliseconds(0));
  const milliseconds d = next_delay(3, testing::constant_random(0xfe));
  CHECK(d >= milliseconds(0));
  CHECK(d <= milliseconds(8000));
}

TEST_CASE("a custom backoff policy is honoured") {
  BackoffPolicy p{milliseconds(100), 3, milliseconds(1000)};
  CHECK(backoff_ceiling(0, p) == milliseconds(100));
  CHECK(backoff_ceiling(1, p) == milliseconds(300));
  CHECK(backoff_ceiling(2, p) == milliseconds(900));
  CHECK(backoff_ceiling(3, p) == milliseconds(1000));
}
