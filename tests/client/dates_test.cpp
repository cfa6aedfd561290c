#include "client/dates.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono;
using tandem::client::is_iso_week;
using tandem::client::iso_week;
using tandem::client::parse_date;
using tandem::client::parse_time;

namespace {
const sys_days kToday = sys_days(year(2026) / November / 25);
}

TEST_CASE("dates: today and yesterday count from the given day", "[client][dates]") {
  CHECK(parse_date("today", kToday) == "2026-11-25");
  CHECK(parse_date("yesterday", kToday) == "2026-11-24");
}

TEST_CASE("dates: Nd means N days ago, across month and year ends", "[client][dates]") {
  CHECK(parse_date("0d", kToday) == "2026-11-25");
  CHECK(parse_date("3d", kToday) == "2026-11-22");
  CHECK(parse_date("25d", kToday) == "2026-10-31");
  CHECK(parse_date("330d", kToday) == "2025-12-30");
}

TEST_CASE("dates: ISO dates pass through when they name a real day", "[client][dates]") {
  CHECK(parse_date("2026-02-28", kToday) == "2026-02-28");
  CHECK(parse_date("2028-02-29", kToday) == "2028-02-29");
}

TEST_CASE("dates: anything else is rejected", "[client][dates]") {
  for (const char* bad : {"", "tomorrow", "d", "-3d", "3", "3days", "2026-02-29", "2026-13-01",
                          "2026-1-05", "26-11-25", "2026/11/25", "2026-11-25x", "99999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_date(bad, kToday));
  }
}

TEST_CASE("dates: times are HH:MM, normalised", "[client][dates]") {
  CHECK(parse_time("19:30") == "19:30");
  CHECK(parse_time("7:05") == "07:05");
  CHECK_FALSE(parse_time("24:00"));
  CHECK_FALSE(parse_time("12:60"));
  CHECK_FALSE(parse_time("12:5"));
  CHECK_FALSE(parse_time("noon"));
}

TEST_CASE("dates: ISO weeks follow the Thursday rule", "[client][dates]") {
  CHECK(iso_week(kToday) == "2026-W48");
  CHECK(iso_week(sys_days(year(2027) / January / 1)) == "2026-W53");
  CHECK(iso_week(sys_days(year(2024) / December / 30)) == "2025-W01");
  CHECK(is_iso_week("2026-W48"));
  CHECK_FALSE(is_iso_week("2026-W54"));
  CHECK_FALSE(is_iso_week("2026-48"));
}
