#include "client/report/render_html.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "client/report/labels.hpp"

namespace tandem::report {
namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

constexpr const char* kStyle = R"(
body{font:15px/1.5 system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#223}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccd}
.pattern{background:#f6f4ee;border-left:4px solid #c9a227;padding:.6em 1em;margin:1em 0}
.q{font-weight:600}.s{color:#555}.muted{color:#778}
table{border-collapse:collapse}td,th{padding:.2em .8em .2em 0;text-align:left}
.me{fill:#3a8dad}.them{fill:#e0a33a}.band{fill:#e8eef0}.ctx{fill:#eee}
.key span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}
svg{display:block;margin:.8em 0}td svg{margin:.2em 0}svg text{font-size:13px}
svg .axis{font-size:11px;fill:#778}
)";

// One horizontal bar per dimension: the reader's share, the fair band, the 95% interval.
std::string share_chart(schema::Report::Reader r) {
  std::ostringstream s;
  const int row = 26, left = 110, width = 360;
  const auto dims = r.getDimensions();
  s << "<svg width=\"" << left + width + 60 << "\" height=\"" << row * dims.size() + 10
    << "\" role=\"img\" aria-label=\"share per dimension\">";
  int y = 5;
  for (auto d : dims) {
    auto c = d.getCount();
    s << "<text x=\"0\" y=\"" << y + 15 << "\">" << dimension_label(d.getDimension()) << "</text>";
    if (c.getEpisodes() > 0) {
      // The fair band only where there is a share to read against it: under "nothing logged
      // yet" it would sit behind the words.
      s << "<rect class=\"band\" x=\"" << left + c.getBandLow() * width << "\" y=\"" << y
        << "\" width=\"" << (c.getBandHigh() - c.getBandLow()) * width << "\" height=\"20\"/>";
      s << "<rect class=\"me\" x=\"" << left << "\" y=\"" << y + 4 << "\" width=\""
        << num(c.getShare() * width) << "\" height=\"12\"/>";
      s << "<rect class=\"them\" x=\"" << left + c.getShare() * width << "\" y=\"" << y + 4
        << "\" width=\"" << num((1 - c.getShare()) * width) << "\" height=\"12\"/>";
      const double lo = left + c.getInterval95().getLow() * width;
      const double hi = left + c.getInterval95().getHigh() * width;
      s << "<rect x=\"" << num(lo) << "\" y=\"" << y + 9 << "\" width=\"" << num(hi - lo)
        << "\" height=\"2\" fill=\"#223\"/>";
      s << "<text x=\"" << left + width + 8 << "\" y=\"" << y + 15 << "\">" << percent(c.getShare())
        << "</text>";
    } else {
      s << "<text x=\"" << left + 4 << "\" y=\"" << y + 15 << "\" class=\"muted\">nothing "
        << "logged yet</text>";
    }
    y += row;
  }
  s << "</svg>";
  return s.str();
}

// Stacked weekly columns for one dimension; context weeks shaded.
std::string trend_chart(schema::DimensionSection::Reader d) {
  const auto weeks = d.getWeeks();
  double max = 1;
  for (auto w : weeks) max = std::max(max, w.getReader() + w.getPartner());
  const int h = 40, bw = 9;
  std::ostringstream s;
  s << "<svg width=\"" << bw * weeks.size() + 2 << "\" height=\"" << h + 2
    << "\" role=\"img\" aria-label=\"weekly entries\">";
  int x = 1;
  for (auto w : weeks) {
    if (w.getContext())
      s << "<rect class=\"ctx\" x=\"" << x << "\" y=\"0\" width=\"" << bw - 1 << "\" height=\"" << h
        << "\"/>";
    const double hr = w.getReader() / max * h, hp = w.getPartner() / max * h;
    s << "<rect class=\"me\" x=\"" << x << "\" y=\"" << num(h - hr) << "\" width=\"" << bw - 1
      << "\" height=\"" << num(hr) << "\"/>";
    s << "<rect class=\"them\" x=\"" << x << "\" y=\"" << num(h - hr - hp) << "\" width=\""
      << bw - 1 << "\" height=\"" << num(hp) << "\"/>";
    x += bw;
  }
  s << "</svg>";
  return s.str();
}

// Perceived against logged: per dimension, each partner's check-in on one axis (left: unfair to
// the reader's partner, right: unfair to the reader) beside the reader's logged share.
std::string perceived_chart(schema::Report::Reader r) {
  const std::string me = esc(r.getReaderName()), them = esc(r.getPartnerName());
  std::ostringstream s;
  const auto dims = r.getPerception().getDimensions();
  const int row = 24, left = 110, width = 200, gap = 40;
  s << "<svg width=\"" << left + 2 * width + gap + 10 << "\" height=\"" << row * dims.size() + 30
    << "\" role=\"img\" aria-label=\"perceived and logged fairness\">";
  s << "<text x=\"" << left << "\" y=\"12\" class=\"axis\">unfair to " << them << "</text>";
  s << "<text x=\"" << left + width / 2 << "\" y=\"12\" class=\"axis\" "
    << "text-anchor=\"middle\">fair</text>";
  s << "<text x=\"" << left + width << "\" y=\"12\" class=\"axis\" text-anchor=\"end\">unfair to "
    << me << "</text>";
  s << "<text x=\"" << left + width + gap << "\" y=\"12\" class=\"axis\">" << me
    << "'s logged share</text>";
  int y = 22;
  for (auto d : dims) {
    s << "<text x=\"0\" y=\"" << y + 13 << "\">" << dimension_label(d.getDimension()) << "</text>";
    s << "<rect class=\"band\" x=\"" << left << "\" y=\"" << y + 8 << "\" width=\"" << width
      << "\" height=\"2\"/>";
    auto dot = [&](int tilt, const char* cls, bool answered) {
      if (!answered) return;
      s << "<circle class=\"" << cls << "\" cx=\"" << left + width / 2 + tilt * width / 4
        << "\" cy=\"" << y + 9 << "\" r=\"6\" opacity=\"0.85\"/>";
    };
    dot(d.getReaderTilt(), "me", d.getReader() != schema::Fairness::UNSET);
    dot(d.getPartnerTilt(), "them", d.getPartner() != schema::Fairness::UNSET);
    const int lx = left + width + gap;
    s << "<rect class=\"band\" x=\"" << lx + width * 2 / 5 << "\" y=\"" << y + 2 << "\" width=\""
      << width / 5 << "\" height=\"14\"/>";
    if (d.getLoggedShare() >= 0)
      s << "<rect class=\"me\" x=\"" << lx << "\" y=\"" << y + 6 << "\" width=\""
        << num(d.getLoggedShare() * width) << "\" height=\"6\"/>";
    y += row;
  }
  s << "</svg>";
  return s.str();
}

std::string share_row(schema::Share::Reader s) {
  if (s.getEpisodes() == 0) return "";
  return "<tr><td>" + esc(share_label(s)) + "</td><td>" + percent(s.getShare()) + "</td><td>" +
         percent(s.getInterval95().getLow()) + "–" + percent(s.getInterval95().getHigh()) +
         "</td><td>" + std::to_string(s.getEpisodes()) + "</td><td>" +
         reading_label(s.getReading()) + "</td></tr>";
}

}  // namespace

std::string render_html(schema::Report::Reader r) {
  const std::string me = esc(r.getReaderName()), them = esc(r.getPartnerName());
  auto w = r.getWindow();
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width\">"
    << "<title>tandem: " << me << " &amp; " << them << "</title><style>" << kStyle
    << "</style></head><body>";
  h << "<h1>" << me << " &amp; " << them << "</h1><p class=\"muted\">" << esc(w.getSince())
    << " to " << esc(w.getUntil()) << " (" << esc(w.getLabel()) << ")</p>";
  for (auto c : w.getContexts())
    h << "<p class=\"muted\">Read differently: " << esc(c.getLabel()) << " (" << esc(c.getFrom())
      << " to " << esc(c.getUntil()) << "), left out of patterns.</p>";
  h << "<p class=\"key\"><span style=\"background:#3a8dad\"></span>" << me
    << "<span style=\"background:#e0a33a\"></span>" << them << "</p>";

  auto p = r.getPerception();
  h << "<h2>How it feels</h2>";
  h << "<table><tr><th></th><th>" << me << "</th><th>" << them << "</th></tr>";
  for (auto d : p.getDimensions())
    h << "<tr><td>" << dimension_label(d.getDimension()) << "</td><td>"
      << fairness_label(d.getReader()) << "</td><td>" << fairness_label(d.getPartner())
      << "</td></tr>";
  h << "<tr><td>appreciated</td><td>" << unsigned(p.getReaderAppreciated()) << "/5</td><td>"
    << unsigned(p.getPartnerAppreciated()) << "/5</td></tr>";
  h << "<tr><td>loaded</td><td>" << unsigned(p.getReaderLoaded()) << "/5</td><td>"
    << unsigned(p.getPartnerLoaded()) << "/5</td></tr></table>";
  for (auto s : p.getSealed())
    h << "<p class=\"muted\">" << (s.getWho() == schema::Party::ME ? me : them)
      << "'s check-in for " << esc(s.getPeriod()) << " stays sealed until the other's arrives.</p>";
  h << perceived_chart(r);

  auto a = r.getAppreciation();
  h << "<h2>Thanks</h2><p>" << them << " thanked " << me << " " << a.getToReader() << " times; "
    << me << " thanked " << them << " " << a.getToPartner() << " times.</p><table>";
  for (auto d : a.getByDimension())
    h << "<tr><td>" << dimension_label(d.getDimension()) << "</td><td>" << me << ": "
      << d.getReaderThanked() << " of " << d.getReaderDone() << " thanked</td><td>" << them << ": "
      << d.getPartnerThanked() << " of " << d.getPartnerDone() << " thanked</td></tr>";
  h << "</table>";

  h << "<h2>Patterns over weeks</h2>";
  if (r.getPatterns().size() == 0)
    h << "<p>None stands out: nothing here leans clearly one way over the weeks.</p>";
  for (auto pt : r.getPatterns())
    h << "<div class=\"pattern\"><p>" << esc(pt.getText()) << "</p><p class=\"muted\">"
      << esc(pt.getEvidence()) << "</p><p class=\"q\">" << esc(pt.getQuestion())
      << "</p><p class=\"s\">" << esc(pt.getSuggestion()) << "</p></div>";
  if (r.getNotYet().size() > 0) {
    h << "<h2>Not enough to tell yet</h2><ul>";
    for (auto u : r.getNotYet()) h << "<li>" << esc(u.getText()) << "</li>";
    h << "</ul>";
  }

  h << "<h2>Logged, per dimension</h2>" << share_chart(r) << "<table>";
  for (auto d : r.getDimensions())
    h << "<tr><td>" << dimension_label(d.getDimension()) << "</td><td>"
      << (d.getCount().getEpisodes() > 0 ? trend_chart(d)
                                         : "<span class=\"muted\">nothing logged</span>")
      << "</td><td>" << reading_label(d.getCount().getReading()) << "</td></tr>";
  h << "</table>";

  auto x = r.getAcross();
  h << "<h2>Across dimensions (" << me << "'s share)</h2><table>";
  for (auto s : {x.getTurnsToward(), x.getBids(), x.getInitiates(), x.getImportantTalks(),
                 x.getRaisesIssues(), x.getRepairsFirst(), x.getApologisesFirst(), x.getYields(),
                 x.getBoundariesCrossed(), x.getPreferencesPrevail(), x.getGoalsSupported(),
                 x.getSupportGiven(), x.getDatesRemembered(), x.getDatesPlanned()})
    h << share_row(s);
  for (auto m : x.getMoney()) h << share_row(m.getShare());
  h << "</table>";
  if (x.getUpcomingDates().size() > 0) {
    h << "<h2>Coming up</h2><ul>";
    for (auto d : x.getUpcomingDates())
      h << "<li>" << esc(d.getTitle()) << ": " << esc(d.getNext()) << " (in " << d.getDaysAway()
        << " days)</li>";
    h << "</ul>";
  }
  auto lb = r.getLoggedBy();
  h << "<h2>Who logged what</h2><p>" << me << " logged " << lb.getReaderEntries() << " entries, "
    << them << " " << lb.getPartnerEntries()
    << ". Neither one's own entries alone make a pattern.</p></body></html>\n";
  return h.str();
}

}  // namespace tandem::report
