// The terminal report: perception and thanks first, then patterns, then logged shares as context,
// with bars and weekly sparklines. Every line fits 80 columns.
#pragma once

#include <string>

#include "proto/report.capnp.h"

namespace tandem::report {

struct TextOptions {
  bool colour = false;  // ANSI colour; the CLI passes isatty(stdout) && !getenv("NO_COLOR")
  int width = 80;       // at most this many columns per line (at least 60)
};

// Renders `report` (read during the call only) as UTF-8 text ending in a newline. Never fails:
// missing sections render as a short "nothing logged yet" line.
std::string render_text(schema::Report::Reader report, const TextOptions& options = {});

}  // namespace tandem::report
