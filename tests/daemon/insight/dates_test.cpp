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
