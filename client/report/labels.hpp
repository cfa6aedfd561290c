// Words and small drawing helpers shared by the report renderers. Presentation only: every
// sentence with evidence comes from the daemon (schema::Pattern, schema::Unclear).
#pragma once

#include <string>
#include <vector>

#include "proto/report.capnp.h"

namespace tandem::report {

// "household", "conflict", ...; "" for unset.
const char* dimension_label(schema::Dimension d);
// "who raises issues", ...; uses the dimension / area for per-dimension and money topics.
std::string share_label(schema::Share::Reader s);
// "balanced", "a pattern", "not enough to tell yet", ...
const char* reading_label(schema::Reading r);
// A check-in answer in the speaker's words: "fair", "unfair to me", ...; "-" when not given.
const char* fairness_label(schema::Fairness f);
// One line of Unicode block sparkline (▁..█) for the values, scaled to their maximum.
std::string sparkline(const std::vector<double>& values);
// "62%".
std::string percent(double share);
// Display width of UTF-8 text, ignoring ANSI escape sequences.
std::size_t display_width(const std::string& s);

}  // namespace tandem::report
