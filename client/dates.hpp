// Dates and times as the user types them, turned into the ISO strings the schema stores.
//
// Every function here is pure except local_today(): tests pass their own "today".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::client {

// Today's calendar date in the local time zone (reads the system clock and TZ once per call).
std::chrono::sys_days local_today();

// Parses a date relative to `today`: "today", "yesterday", "Nd" (N days ago, 0..36600), or an
// ISO "YYYY-MM-DD" that names a real calendar day. Returns "YYYY-MM-DD", or nullopt when the
// text is none of these.
std::optional<std::string> parse_date(std::string_view text, std::chrono::sys_days today);

// Parses "HH:MM" (00:00..23:59; "7:30" is accepted and normalised to "07:30").
std::optional<std::string> parse_time(std::string_view text);

// True for an ISO week "YYYY-Www" with a week number 01..53.
bool is_iso_week(std::string_view text);

// The ISO week ("2026-W48") that contains `day`.
std::string iso_week(std::chrono::sys_days day);

// "YYYY-MM-DD" for `day`.
std::string format_date(std::chrono::sys_days day);

}  // namespace tandem::client
