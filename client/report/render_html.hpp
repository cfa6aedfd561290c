// The report as one self-contained HTML page: inline CSS and inline SVG charts (share per
// dimension, weekly trends, perceived against logged fairness). No script, no link, no URL of any
// kind: opening it makes no network request.
#pragma once

#include <string>

#include "proto/report.capnp.h"

namespace tandem::report {

// Renders `report` (read during the call only) as a complete UTF-8 HTML document. Every text from
// the report is escaped. Never fails.
std::string render_html(schema::Report::Reader report);

}  // namespace tandem::report
