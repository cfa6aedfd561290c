#include "daemon/insight/dates.hpp"

#include <charconv>
#include <cstdio>

namespace tandem::insight {
namespace {

std::int32_t floor_div(std::int32_t a, std::int32_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil: exact over the proleptic Gregorian calendar.
std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int32_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::optional<std::int32_t> parse_iso_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  unsigned y = 0, m = 0, d = 0;
  if (!parse_uint(t.substr(0, 4), y) || !parse_uint(t.substr(5, 2), m) ||
      !parse_uint(t.substr(8, 2), d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(static_cast<int>(y), m)) return std::nullopt;
  return days_from_civil(static_cast<int>(y), m, d);
}

namespace {

// "YYYY" (zero-padded; years outside 0..9999 as printf's %04d writes them) then the rest.
std::string year_prefix(int year, std::size_t reserve) {
  std::string s;
  if (year >= 0 && year <= 9999) {
    s.reserve(reserve);
    s += static_cast<char>('0' + year / 1000);
    s += static_cast<char>('0' + year / 100 % 10);
    s += static_cast<char>('0' + year / 10 % 10);
    s += static_cast<char>('0' + year % 10);
    return s;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", year);
  return buf;
}

void two_digits(std::string& s, unsigned v) {
  s += static_cast<char>('0' + v / 10 % 10);
  s += static_cast<char>('0' + v % 10);
}

}  // namespace

std::string format_iso_date(std::int32_t days) {
  const CivilDate c = civil_from_days(days);
  std::string s = year_prefix(c.year, 10);
  s += '-';
  two_digits(s, c.month);
  s += '-';
  two_digits(s, c.day);
  return s;
}

std::int32_t week_of(std::int32_t days) {
  return floor_div(days + 3, 7);
}

std::string format_iso_week(std::int32_t week) {
  const std::int32_t thursday = week_start(week) + 3;  // the Thursday names the ISO year
  const int year = civil_from_days(thursday).year;
  const std::int32_t n = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
  std::string s = year_prefix(year, 8);
  s += "-W";
  two_digits(s, static_cast<unsigned>(n));
  return s;
}

std::optional<std::int32_t> parse_iso_week(std::string_view t) {
  if (t.size() < 7 || t.size() > 8 || t[4] != '-' || (t[5] != 'W' && t[5] != 'w'))
    return std::nullopt;
  unsigned y = 0, n = 0;
  if (!parse_uint(t.substr(0, 4), y) || !parse_uint(t.substr(6), n) || n < 1 || n > 53)
    return std::nullopt;
  const std::int32_t w = week_of(days_from_civil(static_cast<int>(y), 1, 4)) + n - 1;
  if (n == 53 && format_iso_week(w).substr(0, 4) != t.substr(0, 4)) return std::nullopt;
  return w;
}

}  // namespace tandem::insight
