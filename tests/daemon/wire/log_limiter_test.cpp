#include "daemon/wire/log_limiter.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tandem::wire;
using namespace std::chrono_literals;

TEST_CASE("a flood of one kind is reported once per interval with its count", "[log]") {
  std::vector<std::string> lines;
  LogLimiter log(60s, [&](const std::string& l) { lines.push_back(l); });
  const auto t0 = LogLimiter::Clock::time_point{} + 1000s;
  log.note("refused: wrong PSK", t0);  // the first one is reported at once
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("refused: wrong PSK: 1") == 0);
  for (int i = 0; i < 312; ++i) log.note("refused: wrong PSK", t0 + 1s + i * 100ms);
  CHECK(lines.size() == 1);  // counted, not logged
  CHECK(log.pending("refused: wrong PSK") == 312);
  log.flush(t0 + 59s);
  CHECK(lines.size() == 1);  // the interval has not passed
  log.flush(t0 + 60s);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "refused: wrong PSK: 312 in the last 60 s");
  CHECK(log.total("refused: wrong PSK") == 313);
  CHECK(log.pending("refused: wrong PSK") == 0);
  CHECK(log.lines() == 2);
}

TEST_CASE("kinds are counted and limited separately", "[log]") {
  std::vector<std::string> lines;
  LogLimiter log(10s, [&](const std::string& l) { lines.push_back(l); });
  const auto t0 = LogLimiter::Clock::time_point{} + 100s;
  for (int i = 0; i < 5; ++i) log.note("timeouts", t0 + i * 1s);
  for (int i = 0; i < 3; ++i) log.note("unknown key", t0 + i * 1s);
  CHECK(lines.size() == 2);        // one first report per kind
  log.note("timeouts", t0 + 10s);  // the interval passed: reported with the count so far
  REQUIRE(lines.size() == 3);
  CHECK(lines[2] == "timeouts: 5 in the last 10 s");
  log.flush(t0 + 10s, /*force=*/true);
  REQUIRE(lines.size() == 4);
  CHECK(lines[3] == "unknown key: 2 in the last 10 s");
  CHECK(log.total("timeouts") == 6);
  CHECK(log.total("unknown key") == 3);
  CHECK(log.total("never") == 0);
}

TEST_CASE("an event after a quiet spell is reported at once with its window", "[log]") {
  std::vector<std::string> lines;
  LogLimiter log(60s, [&](const std::string& l) { lines.push_back(l); });
  const auto t0 = LogLimiter::Clock::time_point{} + 1000s;
  log.note("k", t0);
  log.note("k", t0 + 600s);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "k: 1 in the last 600 s");
  log.flush(t0 + 2000s, true);  // nothing pending: nothing logged
  CHECK(lines.size() == 2);
}
