// Calendar arithmetic for the report: ISO dates as days since 1970-01-01 and ISO weeks as a
// running week index (week 0 starts Monday 1969-12-29), so weeks compare and subtract as integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::insight {

// Days since 1970-01-01 of a proleptic Gregorian date. Preconditions: month 1..12, day 1..31.
std::int32_t days_from_civil(int year, unsigned month, unsigned day);

// The calendar date of a day count.
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(std::int32_t days);

// Parses "YYYY-MM-DD"; nullopt for anything else (including impossible dates like 2026-02-30).
std::optional<std::int32_t> parse_iso_date(std::string_view text);

// "YYYY-MM-DD" for a day count.
std::string format_iso_date(std::int32_t days);

// The ISO week index (Monday-based) containing a day.
std::int32_t week_of(std::int32_t days);

// The Monday that starts a week index.
inline std::int32_t week_start(std::int32_t week) {
  return week * 7 - 3;
}

// "2026-W09" for a week index.
std::string format_iso_week(std::int32_t week);

// Parses "2026-W09" (or "2026-W9") into a week index; nullopt for anything else.
std::optional<std::int32_t> parse_iso_week(std::string_view text);

}  // namespace tandem::insight
