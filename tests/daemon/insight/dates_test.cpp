#include <catch2/catch.hpp>

#include "daemon/insight/dates.hpp"

using namespace tandem::insight;

TEST_CASE("ISO dates and weeks round-trip", "[dates]") {
  CHECK(parse_iso_date("1970-01-01") == 0);
  CHECK(format_iso_date(*parse_iso_date("2026-03-02")) == "2026-03-02");
  CHECK_FALSE(parse_iso_date("2026-02-30"));
  CHECK_FALSE(parse_iso_date("26-3-2"));
  CHECK(format_iso_week(week_of(*parse_iso_date("2026-03-02"))) == "2026-W10");
  CHECK(format_iso_week(week_of(*parse_iso_date("2021-01-03"))) == "2020-W53");
  CHECK(parse_iso_week("2026-W10") == week_of(*parse_iso_date("2026-03-04")));
  CHECK(week_start(week_of(*parse_iso_date("2026-03-05"))) == *parse_iso_date("2026-03-02"));
}

TEST_CASE("dates and weeks are written as printf writes them, any year", "[dates]") {
  // From before year 0 to past 9999, every 97th day and around each year's end.
  for (std::int32_t d = -800000; d < 3000000; d += 97) {
    for (std::int32_t day : {d, d + 1, d + 2}) {
      const CivilDate c = civil_from_days(day);
      char want[40];
      std::snprintf(want, sizeof want, "%04d-%02u-%02u", c.year, c.month, c.day);
      REQUIRE(format_iso_date(day) == want);
      const std::int32_t thursday = week_start(week_of(day)) + 3;
      const int year = civil_from_days(thursday).year;
      const int n = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
      std::snprintf(want, sizeof want, "%04d-W%02d", year, n);
      REQUIRE(format_iso_week(week_of(day)) == want);
    }
  }
}
