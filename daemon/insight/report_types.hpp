// The report as plain values: what build_report returns and to_capnp copies into
// schema::Report (proto/report.capnp documents every field; names match it). Parties are relative
// to the reader; shares are the reader's; enums carry the schema's ordinals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/insight/stats.hpp"
#include "daemon/insight/topics.hpp"

namespace tandem::insight {

// Mirrors schema::Party, relative to the reader.
enum class Party : std::uint8_t { kUnset, kMe, kPartner, kBoth };

struct ShareView {
  Topic topic = Topic::kContributions;
  Dimension dimension = 0;
  std::string area;
  double reader = 0, partner = 0;
  std::uint32_t episodes = 0, weeks = 0, lookback_weeks = 0, excluded_weeks = 0;
  double share = 0;
  Interval interval95, interval90;
  double band_low = 0.4, band_high = 0.6;
  bool band_from_agreement = false;
  Reading reading = Reading::kNotEnoughYet;
  std::uint32_t more_needed = 0;
  bool more_needed_capped = false;
  std::uint32_t more_weeks_needed = 0;
  std::uint32_t logged_by_reader = 0, logged_by_partner = 0;
};

struct PatternView {
  Topic topic = Topic::kContributions;
  Dimension dimension = 0;
  std::string area;
  Party who = Party::kUnset;
  std::string who_name;
  double share = 0, low = 0, high = 0;
  std::uint32_t episodes = 0, weeks = 0, lookback_weeks = 0;
  std::string text, evidence, question, suggestion;
  double distance = 0;  // not in the schema: the ranking key
};

struct UnclearView {
  Topic topic = Topic::kContributions;
  Dimension dimension = 0;
  std::string area;
  Reading reading = Reading::kNotEnoughYet;
  std::uint32_t episodes = 0, more_needed = 0, more_weeks_needed = 0;
  std::string text;
};

struct PerceivedFairness {
  Dimension dimension = 0;
  std::uint8_t reader = 0, partner = 0;  // schema::Fairness ordinals, each in its own words
  std::int8_t reader_tilt = 0, partner_tilt = 0;
  std::uint8_t gap = 0;
  double logged_share = -1;
};

struct SealedCheckin {
  Party who = Party::kUnset;
  std::string period;
};

struct Perception {
  std::string reader_period, partner_period;
  std::vector<PerceivedFairness> dimensions;
  std::uint8_t reader_appreciated = 0, partner_appreciated = 0;
  std::uint8_t reader_loaded = 0, partner_loaded = 0;
  std::uint8_t reader_satisfaction = 0, partner_satisfaction = 0;
  std::vector<SealedCheckin> sealed;
};

struct Acknowledged {
  std::string entry_id;
  Party actor = Party::kUnset;
  Dimension dimension = 0;
  std::string date;
};

struct AcknowledgedCounts {
  Dimension dimension = 0;
  std::uint32_t reader_done = 0, reader_thanked = 0, partner_done = 0, partner_thanked = 0;
};

struct AppreciationFlow {
  std::uint32_t to_reader = 0, to_partner = 0;
  std::vector<std::uint32_t> weekly_to_reader, weekly_to_partner;
  std::vector<AcknowledgedCounts> by_dimension;
  std::vector<Acknowledged> acknowledged;
};

struct WeekCounts {
  std::string week;
  double reader = 0, partner = 0;
  bool context = false;
};

struct PhaseCounts {
  std::uint8_t phase = 0;
  double reader = 0, partner = 0;
};

struct CardView {
  std::string title;
  Party owner = Party::kUnset;
  std::uint8_t scope = 0;
  std::string from, until;
};

struct DimensionSection {
  Dimension dimension = 0;
  ShareView count, effort, mental_load;
  std::vector<WeekCounts> weeks;
  std::vector<PhaseCounts> phases;
  std::vector<CardView> cards;
};

struct BidFlow {
  std::uint32_t reader_bids = 0, reader_toward = 0, reader_away = 0, reader_against = 0;
  std::uint32_t partner_bids = 0, partner_toward = 0, partner_away = 0, partner_against = 0;
};

struct RepairFlow {
  std::uint32_t reader_repairs = 0, reader_accepted = 0, partner_repairs = 0, partner_accepted = 0;
};

struct ConflictEndings {
  std::uint32_t conflicts = 0, compromise = 0, reader_yielded = 0, partner_yielded = 0,
                agreed_to_differ = 0, open = 0;
};

struct BoundaryEvents {
  std::uint32_t stated = 0, respected = 0, crossed = 0, renegotiated = 0;
};

struct MoneyArea {
  std::string area, currency;
  std::int64_t reader_cents = 0, partner_cents = 0;
  std::int8_t agreed_reader_percent = -1;
  ShareView share;
};

struct DateView {
  std::string title, next;
  std::uint32_t days_away = 0;
  Party last_remembered_by = Party::kUnset, last_planned_by = Party::kUnset;
};

struct Across {
  ShareView turns_toward, bids;
  BidFlow bid_flow;
  ShareView initiates, important_talks, raises_issues, repairs_first;
  RepairFlow repairs;
  ShareView apologises_first;
  ConflictEndings endings;
  ShareView yields;
  BoundaryEvents reader_boundaries, partner_boundaries;
  ShareView boundaries_crossed, preferences_prevail;
  std::uint32_t blends = 0, new_options = 0;
  ShareView goals_supported, support_given;
  std::vector<MoneyArea> money;
  std::vector<DateView> upcoming_dates;
  ShareView dates_remembered, dates_planned;
};

struct LoggedBy {
  std::uint32_t reader_entries = 0, partner_entries = 0;
  std::uint32_t reader_about_partner = 0, partner_about_reader = 0;
  std::uint32_t aggregate_entries = 0, private_excluded = 0;
};

struct ContextPeriod {
  std::string label, from, until;
};

struct Window {
  std::string label, since, until, today;
  std::uint32_t weeks = 0;
  std::vector<ContextPeriod> contexts;
};

struct Report {
  std::uint64_t generated_at = 0;
  Window window;
  std::string reader_name, partner_name;
  Perception perception;
  AppreciationFlow appreciation;
  std::vector<PatternView> patterns;
  std::vector<UnclearView> not_yet;
  std::vector<DimensionSection> dimensions;
  Across across;
  LoggedBy logged_by;
};

}  // namespace tandem::insight
