// The fault-matrix forwarder's packet fates: the rates it applies are the rates it was given.
#include "tests/netfault/impairment.hpp"

#include <catch2/catch.hpp>

using namespace tandem::netfault;

namespace {
Impairment parsed(const std::string& text) {
  std::string error;
  auto i = parse_impairment(text, error);
  INFO(error);
  REQUIRE(i.has_value());
  return *i;
}
}  // namespace

TEST_CASE("impairment settings parse, and bad ones are refused", "[netfault]") {
  auto i = parsed("loss=0.2, delay=100 jitter=50 reorder=0.25 duplicate=0.1 flap=3000/2000 down=1");
  CHECK(i.loss == Approx(0.2));
  CHECK(i.delay_ms == 100);
  CHECK(i.jitter_ms == 50);
  CHECK(i.reorder == Approx(0.25));
  CHECK(i.duplicate == Approx(0.1));
  CHECK(i.flap_up_ms == 3000);
  CHECK(i.flap_down_ms == 2000);
  CHECK(i.down);
  std::string error;
  CHECK(parse_impairment(describe(i), error).has_value());
  for (const char* bad : {"loss=1.5", "delay=-3", "speed=9", "loss", "flap=3000", "flap=0/5",
                          "down=yes", "jitter=1x"}) {
    INFO(bad);
    CHECK_FALSE(parse_impairment(bad, error).has_value());
  }
  CHECK(parse_impairment("", error).has_value());  // a clean link
}

TEST_CASE("loss and duplication happen at the rates given", "[netfault]") {
  std::mt19937_64 rng(42);
  auto i = parsed("loss=0.2 duplicate=0.1");
  int lost = 0, doubled = 0;
  const int n = 100000;
  for (int k = 0; k < n; ++k) {
    auto f = decide(i, 0, rng);
    if (f.dropped == Fate::Drop::kLoss) ++lost;
    if (f.delays_ms.size() == 2) ++doubled;
  }
  CHECK(lost == Approx(0.2 * n).epsilon(0.03));
  CHECK(doubled == Approx(0.1 * 0.8 * n).epsilon(0.05));  // only packets not lost are doubled
}

TEST_CASE("delays stay within the jitter, and reordered packets skip the delay", "[netfault]") {
  std::mt19937_64 rng(7);
  auto i = parsed("delay=100 jitter=50 reorder=0.25");
  int jumped = 0;
  std::int64_t lo = 1000, hi = -1;
  for (int k = 0; k < 20000; ++k) {
    auto f = decide(i, 0, rng);
    REQUIRE(f.delays_ms.size() == 1);
    if (f.jumped) {
      CHECK(f.delays_ms[0] == 0);
      ++jumped;
    } else {
      lo = std::min(lo, f.delays_ms[0]);
      hi = std::max(hi, f.delays_ms[0]);
    }
  }
  CHECK(lo == 50);
  CHECK(hi == 150);
  CHECK(jumped == Approx(5000).epsilon(0.06));
}

TEST_CASE("a flapping link is up, then down, then up again, and a partition drops everything",
          "[netfault]") {
  auto i = parsed("flap=3000/2000");
  CHECK(link_up(i, 0));
  CHECK(link_up(i, 2999));
  CHECK_FALSE(link_up(i, 3000));
  CHECK_FALSE(link_up(i, 4999));
  CHECK(link_up(i, 5000));
  std::mt19937_64 rng(1);
  CHECK(decide(i, 3500, rng).dropped == Fate::Drop::kDown);
  CHECK(decide(i, 100, rng).dropped == Fate::Drop::kNone);
  auto p = parsed("down=1");
  for (std::int64_t t : {0, 1000, 100000}) CHECK(decide(p, t, rng).dropped == Fate::Drop::kDown);
}
