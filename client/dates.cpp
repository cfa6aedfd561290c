#include "client/dates.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tandem::client {
namespace {

// Parses all of `text` as a non-negative decimal of at most `max_digits` digits.
std::optional<unsigned> parse_digits(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::chrono::sys_days local_today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return std::chrono::sys_days(std::chrono::year(tm.tm_year + 1900) /
                               std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)) /
                               std::chrono::day(static_cast<unsigned>(tm.tm_mday)));
}

std::string format_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<std::string> parse_date(std::string_view text, std::chrono::sys_days today) {
  if (text == "today") return format_date(today);
  if (text == "yesterday") return format_date(today - std::chrono::days(1));
  if (text.size() >= 2 && text.back() == 'd') {
    auto n = parse_digits(text.substr(0, text.size() - 1), 5);
    if (!n || *n > 36600) return std::nullopt;
    return format_date(today - std::chrono::days(*n));
  }
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = parse_digits(text.substr(0, 4), 4);
  auto m = parse_digits(text.substr(5, 2), 2);
  auto d = parse_digits(text.substr(8, 2), 2);
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*y)), std::chrono::month(*m),
                                  std::chrono::day(*d)};
  if (!ymd.ok() || *y < 1) return std::nullopt;
  return std::string(text);
}

std::optional<std::string> parse_time(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto h = parse_digits(text.substr(0, colon), 2);
  auto m = text.substr(colon + 1);
  if (m.size() != 2) return std::nullopt;
  auto mm = parse_digits(m, 2);
  if (!h || !mm || *h > 23 || *mm > 59) return std::nullopt;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u:%02u", *h, *mm);
  return buf;
}

bool is_iso_week(std::string_view text) {
  if (text.size() != 8 || text[4] != '-' || text[5] != 'W') return false;
  auto y = parse_digits(text.substr(0, 4), 4);
  auto w = parse_digits(text.substr(6, 2), 2);
  return y && w && *w >= 1 && *w <= 53;
}

std::string iso_week(std::chrono::sys_days day) {
  using namespace std::chrono;
  // ISO weeks start on Monday; the week belongs to the year that holds its Thursday.
  weekday wd(day);
  unsigned iso_wd = wd.iso_encoding();  // Monday 1 .. Sunday 7
  sys_days thursday = day + days(4 - static_cast<int>(iso_wd));
  year y = year_month_day(thursday).year();
  sys_days jan1 = sys_days(y / January / 1);
  int week = static_cast<int>((thursday - jan1).count() / 7 + 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y), week);
  return buf;
}

}  // namespace tandem::client
