// tandem report: the reciprocity report in the terminal, as JSON, or as a private HTML page.
#include "client/dates.hpp"
#include "client/enum_names.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"
#include "client/report/render_html.hpp"
#include "client/report/render_text.hpp"
#include "client/terminal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace tandem::client {
namespace {

void setup_report(CLI::App& app, Invocation& inv) {
  app.add_option("--window", inv.window,
                 "30d, 12w, 6m, 1y or all (default 8w, extended back as "
                 "patterns need, up to 26 weeks)");
  app.add_option("--since", inv.since, "start date (inclusive): today, yesterday, Nd, YYYY-MM-DD");
  app.add_option("--until", inv.until, "end date (inclusive)");
  app.add_option("--dimension", inv.dimensions,
                 "only this dimension's section (repeatable): support, listening, household, "
                 "growth, affection, conflict, boundaries, finances, maintenance");
  app.add_flag("--include-private", inv.include_private, "also count your private entries");
  app.add_option("--html", inv.html_path, "write a self-contained HTML page to FILE");
}

int run_report(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  auto req = message.initRoot<schema::Request>().initReport();
  req.setWindow(inv.window);
  for (auto* field : {&inv.since, &inv.until}) {
    if (field->empty()) continue;
    auto iso = parse_date(*field, inv.io.today);
    if (!iso) return usage_error(inv, "not a date: " + *field);
    *field = *iso;
  }
  req.setSince(inv.since);
  req.setUntil(inv.until);
  auto dims = req.initDimensions(static_cast<unsigned>(inv.dimensions.size()));
  for (unsigned i = 0; i < inv.dimensions.size(); ++i) {
    auto d = parse_enum<schema::Dimension>(inv.dimensions[i]);
    if (!d)
      return usage_error(inv,
                         "unknown dimension '" + inv.dimensions[i] + "'; valid: " +
                             enum_choices_text(capnp::Schema::from<schema::Dimension>(), ", "));
    dims.set(i, *d);
  }
  req.setIncludePrivate(inv.include_private);
  int code = kExitOk;
  std::optional<ResponseMessage> response;
  {
    // A report over a year or more of a busy journal takes seconds (tests/bench/RESULTS.md).
    WaitIndicator waiting(inv.io.err, progress_allowed(inv), "building the report");
    response = call_daemon(inv, message, code);
  }
  if (!response) return code;
  auto r = response->get();
  if (!r.isReport())
    return report(inv, {ClientError::Kind::kProtocol, {}, "report: unexpected answer"});
  if (!inv.html_path.empty()) {
    std::string page = tandem::report::render_html(r.getReport());
    // The page holds the couple's report: readable by this user only, like the journal itself.
    int fd = ::open(inv.html_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::FILE* f = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
    if (!f || std::fwrite(page.data(), 1, page.size(), f) != page.size()) {
      if (f) std::fclose(f);
      std::fprintf(inv.io.err, "tandem: cannot write %s\n", inv.html_path.c_str());
      return kExitDaemonError;
    }
    std::fclose(f);
    if (!inv.json) note(inv, "wrote " + inv.html_path);
  }
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getReport()) + "\n");
  } else if (inv.html_path.empty()) {
    const bool colour = colour_enabled(inv.io.out);
    print(inv, tandem::report::render_text(r.getReport(), {colour, 80}));
  }
  return kExitOk;
}

}  // namespace

const Command kReportCommand{"report", "the reciprocity report: patterns over weeks, not verdicts",
                             setup_report, run_report};

}  // namespace tandem::client
