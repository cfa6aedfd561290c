// Every sentence the report says, in one place, so that the tone can be checked in one place: an
// observation with its evidence, an open question, a suggestion from the article. Never a verdict,
// a tally of who is ahead, or a comparison with anyone else.
#pragma once

#include <string>

#include "daemon/insight/report_types.hpp"

namespace tandem::insight {

// The dimension's id as in the design ("household"); "" for 0.
const char* dimension_name(Dimension d);

// What a pattern says. Inputs: who does most of it (name), the other's name, who's effective count
// and the number of episodes, the interval on who's share, the lookback, and the records behind
// it by who logged them.
struct PatternFacts {
  Topic topic = Topic::kContributions;
  Dimension dimension = 0;
  std::string area;
  std::string who, other;
  double count = 0;
  double share = 0, low = 0, high = 0;
  double band_low = 0.4, band_high = 0.6;
  bool band_from_agreement = false;
  std::uint32_t episodes = 0, weeks = 0, lookback_weeks = 0;
  std::uint32_t logged_by_who = 0, logged_by_other = 0;
};

// Fills text, evidence, question and suggestion of `out` from `f`.
void word_pattern(const PatternFacts& f, PatternView& out);

// One line for a share the rule cannot read as a pattern or as balanced.
std::string word_unclear(const ShareView& s);

// Short label of what a share counts ("who raises issues"), for section headings.
std::string topic_label(Topic t, Dimension d, const std::string& area);

}  // namespace tandem::insight
