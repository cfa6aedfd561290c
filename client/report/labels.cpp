#include "client/report/labels.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace tandem::report {

const char* dimension_label(schema::Dimension d) {
  static constexpr const char* kNames[] = {"",         "support",    "listening", "household",
                                           "growth",   "affection",  "conflict",  "boundaries",
                                           "finances", "maintenance"};
  const auto i = static_cast<unsigned>(d);
  return i < 10 ? kNames[i] : "";
}

std::string share_label(schema::Share::Reader s) {
  const std::string dim = dimension_label(s.getDimension());
  using T = schema::Topic;
  switch (s.getTopic()) {
    case T::CONTRIBUTIONS:
      return dim + ", by count";
    case T::EFFORT:
      return dim + ", by effort";
    case T::MENTAL_LOAD:
      return dim + ", noticing and planning";
    case T::TURNS_TOWARD:
      return "turns toward the other's bids";
    case T::BIDS:
      return "makes bids for connection";
    case T::INITIATES:
      return "initiates affection, dates";
    case T::IMPORTANT_TALKS:
      return "starts important talks";
    case T::RAISES_ISSUES:
      return "raises issues";
    case T::REPAIRS_FIRST:
      return "reaches out first";
    case T::APOLOGISES_FIRST:
      return "apologises first";
    case T::YIELDS:
      return "gives way";
    case T::BOUNDARIES_CROSSED:
      return "boundaries crossed";
    case T::PREFERENCES_PREVAIL:
      return "preference prevails";
    case T::GOALS_SUPPORTED:
      return "goals supported";
    case T::SUPPORT_GIVEN:
      return "gives support";
    case T::SHARED_MONEY:
      return std::string("pays for ") + s.getArea().cStr();
    case T::DATES_REMEMBERED:
      return "remembers dates";
    case T::DATES_PLANNED:
      return "plans dates";
  }
  return "";
}

const char* reading_label(schema::Reading r) {
  switch (r) {
    case schema::Reading::BALANCED:
      return "balanced";
    case schema::Reading::PATTERN:
      return "a pattern";
    case schema::Reading::FAIR_TO_BOTH:
      return "you both call it fair";
    case schema::Reading::SELF_REPORT_ONLY:
      return "needs both your entries";
    case schema::Reading::ONE_BUSY_WEEK:
      return "one busy week";
    default:
      return "not enough to tell yet";
  }
}

const char* fairness_label(schema::Fairness f) {
  switch (f) {
    case schema::Fairness::VERY_UNFAIR_TO_ME:
      return "very unfair to me";
    case schema::Fairness::UNFAIR_TO_ME:
      return "unfair to me";
    case schema::Fairness::FAIR:
      return "fair";
    case schema::Fairness::UNFAIR_TO_PARTNER:
      return "unfair to partner";
    case schema::Fairness::VERY_UNFAIR_TO_PARTNER:
      return "very unfair to partner";
    default:
      return "-";
  }
}

std::string sparkline(const std::vector<double>& values) {
  static const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double max = 0;
  for (double v : values) max = std::max(max, v);
  std::string out;
  for (double v : values) {
    const int level = max > 0 ? static_cast<int>(std::lround(v / max * 7)) : 0;
    out += kBlocks[std::clamp(level, 0, 7)];
  }
  return out;
}

std::string percent(double share) {
  return std::to_string(static_cast<int>(std::lround(std::clamp(share, 0.0, 1.0) * 100))) + "%";
}

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {  // skip "ESC [ digits ; letter": the loop's ++i steps over the letter
      ++i;
      while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++w;  // count lead bytes only
  }
  return w;
}

}  // namespace tandem::report
