#include "daemon/insight/wording.hpp"

#include <cmath>
#include <cstdio>

namespace tandem::insight {
namespace {

std::string pct(double v) {
  return std::to_string(static_cast<int>(std::lround(v * 100))) + "%";
}

std::string num(double v) {
  return std::to_string(static_cast<long>(std::lround(v)));
}

// "{who} {verb} {k} of the {n} {noun}": the verb and noun for each topic.
struct Phrase {
  const char* verb;
  const char* noun;
  const char* question;
  const char* suggestion;
};

Phrase phrase(Topic t) {
  switch (t) {
    case Topic::kContributions:
    case Topic::kEffort:
      return {"did", "contributions", "Is that how you both want it?",
              "Recognise different forms of contribution: some of what the other does may not "
              "be in the journal yet."};
    case Topic::kMentalLoad:
      return {"did the noticing, planning, deciding or keeping track in", "tasks",
              "Who keeps this on their mind, and is that how you both want it?",
              "Communicate expectations clearly: say which parts of a task each of you holds, "
              "from noticing it to checking it is done."};
    case Topic::kTurnsToward:
      return {"was the one turning toward the other in", "warm responses to a bid for connection",
              "Does care feel as freely given in both directions?",
              "Start with your own behaviour: notice the small bids the other makes this week and "
              "turn toward one more of them."};
    case Topic::kBids:
      return {"made", "bids for connection", "Is that how you both want it?",
              "Start with your own behaviour: reach out in a small way this week."};
    case Topic::kInitiates:
      return {"started", "moments of affection, dates and check-ins",
              "Would you both like starting these to feel more shared?",
              "Communicate expectations clearly: tell each other what you would like to start "
              "more often, and what you would like the other to start."};
    case Topic::kImportantTalks:
      return {"started", "important conversations", "Is that how you both want it?",
              "Start with your own behaviour: bring up one thing that matters to you before the "
              "other has to ask."};
    case Topic::kRaisesIssues:
      return {"raised", "issues", "Is that how you both want it?",
              "Communicate expectations clearly: agree on how and when either of you can bring "
              "up a worry."};
    case Topic::kRepairsFirst:
      return {"made the first repair attempt in", "disagreements", "Is that how you both want it?",
              "Start with your own behaviour: after the next disagreement, try being the one who "
              "reaches out first."};
    case Topic::kApologisesFirst:
      return {"apologised first in", "disagreements where someone apologised",
              "Does making the first move feel shared to both of you?",
              "Start with your own behaviour: an early apology for your own part can open the "
              "way for the other's."};
    case Topic::kYields:
      return {"gave way in", "disagreements that ended with one of you giving way",
              "Do both of your needs get room when you disagree?",
              "Communicate expectations clearly: say what matters most to you before deciding "
              "who gives way."};
    case Topic::kBoundariesCrossed:
      return {"was the one whose boundary was crossed in", "crossed boundaries",
              "What would help these boundaries hold?",
              "Communicate expectations clearly: restate the boundary together and what "
              "respecting it looks like day to day."};
    case Topic::kPreferencesPrevail:
      return {"saw their preference prevail in", "joint decisions (a blend counts half)",
              "Do both of your needs and goals get room when you decide together?",
              "Start with your own behaviour: before the next decision, ask what the other "
              "would choose and why."};
    case Topic::kGoalsSupported:
      return {"had the other's support for their goals in", "supported goals",
              "Do both of your goals get the support you would like?",
              "Recognise different forms of contribution: ask what support would help the "
              "other with a goal of their own."};
    case Topic::kSupportGiven:
      return {"gave the support in", "hard times",
              "Does each of you feel held when things are hard?",
              "Start with your own behaviour: ask the other what helps them most when they "
              "are struggling."};
    case Topic::kSharedMoney:
      return {"paid", "shared expenses", "Does this still match what you agreed?",
              "Communicate expectations clearly: revisit the split you agreed, and whether "
              "it still fits."};
    case Topic::kDatesRemembered:
      return {"remembered", "important dates", "Is that how you both want it?",
              "Recognise different forms of contribution: thank the one who remembers, and "
              "agree who holds which dates."};
    case Topic::kDatesPlanned:
      return {"planned", "important dates", "Is that how you both want it?",
              "Communicate expectations clearly: agree who plans which occasion."};
  }
  return {"did", "entries", "Is that how you both want it?", ""};
}

}  // namespace

const char* dimension_name(Dimension d) {
  static constexpr const char* kNames[] = {"",         "support",    "listening", "household",
                                           "growth",   "affection",  "conflict",  "boundaries",
                                           "finances", "maintenance"};
  return d <= kDimensions ? kNames[d] : "";
}

std::string topic_label(Topic t, Dimension d, const std::string& area) {
  const std::string dim = dimension_name(d);
  switch (t) {
    case Topic::kContributions:
      return dim + ": who does it";
    case Topic::kEffort:
      return dim + ": who does it, by effort";
    case Topic::kMentalLoad:
      return dim + ": who notices, plans and keeps track";
    case Topic::kTurnsToward:
      return "who turns toward the other's bids";
    case Topic::kBids:
      return "who makes bids for connection";
    case Topic::kInitiates:
      return "who initiates";
    case Topic::kImportantTalks:
      return "who starts important talks";
    case Topic::kRaisesIssues:
      return "who raises issues";
    case Topic::kRepairsFirst:
      return "who reaches out first after a disagreement";
    case Topic::kApologisesFirst:
      return "who apologises first";
    case Topic::kYields:
      return "who gives way";
    case Topic::kBoundariesCrossed:
      return "whose boundaries were crossed";
    case Topic::kPreferencesPrevail:
      return "whose preference prevails";
    case Topic::kGoalsSupported:
      return "whose goals get support";
    case Topic::kSupportGiven:
      return "who gives support in hard times";
    case Topic::kSharedMoney:
      return "who pays for shared " + area;
    case Topic::kDatesRemembered:
      return "who remembers important dates";
    case Topic::kDatesPlanned:
      return "who plans important dates";
  }
  return "";
}

void word_pattern(const PatternFacts& f, PatternView& out) {
  const Phrase p = phrase(f.topic);
  std::string noun = p.noun;
  if (f.topic == Topic::kContributions || f.topic == Topic::kMentalLoad)
    noun = std::string(dimension_name(f.dimension)) + " " + noun;
  const std::string over = "Over the last " + std::to_string(f.lookback_weeks) + " weeks, ";
  if (f.topic == Topic::kSharedMoney) {
    out.text = over + f.who + " paid " + pct(f.share) + " of the shared " + f.area +
               " expenses you logged (" + std::to_string(f.episodes) + " expenses)" +
               (f.band_from_agreement ? ", away from the split you agreed." : ".");
  } else {
    out.text = over + f.who + " " + p.verb + " " + num(f.count) + " of the " +
               std::to_string(f.episodes) + " " + noun + " you logged.";
  }
  out.evidence = "Allowing for chance, that is between " + pct(f.low) + " and " + pct(f.high) +
                 " (a 95% interval), outside the " + pct(f.band_low) + "-" + pct(f.band_high) +
                 " range that would read as shared, over " + std::to_string(f.weeks) +
                 " different weeks, and it still holds with the busiest week set aside. " + f.who +
                 " logged " + std::to_string(f.logged_by_who) + " of these records and " + f.other +
                 " " + std::to_string(f.logged_by_other) + ".";
  out.question = p.question;
  out.suggestion = p.suggestion;
}

std::string word_unclear(const ShareView& s) {
  const std::string what = topic_label(s.topic, s.dimension, s.area);
  switch (s.reading) {
    case Reading::kFairToBoth:
      return "The log leans one way on " + what +
             ", and you both call it fair: complementary contributions are balance.";
    case Reading::kSelfReportOnly:
      return "Too early to say about " + what +
             ": most of these records come from one of you, about yourself. Entries from both "
             "of you would tell.";
    case Reading::kOneBusyWeek:
      return "Not a pattern in " + what + ": most of the difference comes from a single busy week.";
    default: {
      std::string more =
          s.more_needed_capped ? "many more" : "about " + std::to_string(s.more_needed) + " more";
      std::string line = "Not enough to tell yet about " + what + ": " +
                         std::to_string(s.episodes) +
                         (s.episodes == 1 ? " episode so far" : " episodes so far");
      const std::string weeks = std::to_string(s.more_weeks_needed) +
                                (s.more_weeks_needed == 1 ? " more week" : " more weeks");
      if (s.more_needed > 0 && s.more_weeks_needed > 0) {
        line += "; " + more + ", spread over " + weeks + ", would tell";
      } else if (s.more_needed > 0) {
        line += "; " + more + " would tell";
      } else if (s.more_weeks_needed > 0) {
        line += "; entries in " + weeks + " would tell";
      }
      return line + ".";
    }
  }
}

}  // namespace tandem::insight
