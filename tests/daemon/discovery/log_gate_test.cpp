#include "daemon/discovery/log_gate.hpp"

#include <catch2/catch.hpp>

using namespace tandem::discovery;
using namespace std::chrono_literals;

TEST_CASE("a log gate admits the first event, then one per interval with the held count") {
  LogGate gate(10min);
  const auto t0 = LogGate::Clock::time_point{} + 1h;
  CHECK(gate.admit("unreachable", t0) == 0u);
  CHECK_FALSE(gate.admit("unreachable", t0 + 1s).has_value());
  CHECK_FALSE(gate.admit("unreachable", t0 + 9min).has_value());
  CHECK(gate.admit("other kind", t0 + 9min) == 0u);
  CHECK(gate.admit("unreachable", t0 + 10min) == 2u);
  CHECK_FALSE(gate.admit("unreachable", t0 + 11min).has_value());
  CHECK(gate.admit("unreachable", t0 + 30min) == 1u);
}
