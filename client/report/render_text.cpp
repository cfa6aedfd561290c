#include "client/report/render_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "client/report/labels.hpp"

namespace tandem::report {
namespace {

class Out {
 public:
  explicit Out(const TextOptions& o) : colour_(o.colour), width_(std::max(60, o.width)) {}

  std::string paint(const std::string& s, const char* code) const {
    return colour_ ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  }
  void heading(const std::string& title) { buf_ << '\n' << paint(title, "1") << '\n'; }
  void line(const std::string& s) { buf_ << s << '\n'; }
  // Word-wraps `text` at the width, every line starting with `indent`.
  void wrap(const std::string& text, const std::string& indent, const std::string& first = "") {
    std::istringstream words(text);
    std::string word, cur = first.empty() ? indent : first;
    std::size_t base = display_width(cur);
    std::size_t w = base;
    for (bool any = false; words >> word;) {
      const std::size_t ww = display_width(word);
      if (any && w + 1 + ww > static_cast<std::size_t>(width_)) {
        buf_ << cur << '\n';
        cur = indent;
        w = display_width(indent);
        any = false;
      }
      if (any) {
        cur += ' ';
        ++w;
      }
      cur += word;
      w += ww;
      any = true;
    }
    buf_ << cur << '\n';
  }
  // A share bar: the reader's part in one shade, the partner's in another.
  std::string bar(double share, int cells) const {
    const int mine = std::clamp(static_cast<int>(std::lround(share * cells)), 0, cells);
    std::string a, b;
    for (int i = 0; i < mine; ++i) a += "█";
    for (int i = mine; i < cells; ++i) b += "░";
    return paint(a, "36") + paint(b, "33");
  }
  std::string str() const { return buf_.str(); }
  int width() const { return width_; }

 private:
  bool colour_;
  int width_;
  std::ostringstream buf_;
};

std::string pad(std::string s, std::size_t n) {
  const std::size_t w = display_width(s);
  if (w > n) {
    // Cut on a character boundary and mark it.
    std::string out;
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size() && count < n - 1; ++i) {
      out += s[i];
      if (i + 1 >= s.size() || (static_cast<unsigned char>(s[i + 1]) & 0xC0) != 0x80) ++count;
    }
    return out + "…";
  }
  return s + std::string(n - w, ' ');
}

std::string share_line(Out& o, schema::Share::Reader s) {
  if (s.getEpisodes() == 0) return pad(share_label(s), 26) + " -";
  char extra[64];
  std::snprintf(extra, sizeof extra, " %4s %3u ep ", percent(s.getShare()).c_str(),
                s.getEpisodes());
  return pad(share_label(s), 26) + " " + o.bar(s.getShare(), 14) + extra +
         reading_label(s.getReading());
}

void perception(Out& o, schema::Report::Reader r) {
  auto p = r.getPerception();
  o.heading("How it feels");
  const std::string me = r.getReaderName(), them = r.getPartnerName();
  if (p.getReaderPeriod().size() == 0 && p.getPartnerPeriod().size() == 0) {
    o.line("  No check-ins yet. A check-in takes a minute: tandem add checkin.");
  } else {
    o.line("  " + pad("", 12) + pad(me, 23) + pad(them, 23) + "logged");
    for (auto d : p.getDimensions()) {
      std::string row = "  " + pad(dimension_label(d.getDimension()), 12) +
                        pad(fairness_label(d.getReader()), 23) +
                        pad(fairness_label(d.getPartner()), 23);
      row += pad(d.getLoggedShare() >= 0 ? percent(d.getLoggedShare()) : "-", 5);
      if (d.getGap() >= 2) row += o.paint(" ◆ differs", "35");
      o.line(row);
    }
    auto five = [](unsigned v) { return v ? std::to_string(v) + "/5" : std::string("-"); };
    o.line("  appreciated " + pad(five(p.getReaderAppreciated()), 23) +
           five(p.getPartnerAppreciated()));
    o.line("  loaded      " + pad(five(p.getReaderLoaded()), 23) + five(p.getPartnerLoaded()));
  }
  for (auto s : p.getSealed())
    o.wrap(std::string(s.getWho() == schema::Party::ME ? me : them) + "'s check-in for " +
               s.getPeriod().cStr() + " stays sealed until the other's arrives.",
           "  ");
}

void thanks(Out& o, schema::Report::Reader r) {
  auto a = r.getAppreciation();
  o.heading("Thanks");
  auto row = [&](const std::string& from, const std::string& to, unsigned n,
                 capnp::List<std::uint32_t>::Reader weekly) {
    std::vector<double> v;
    for (auto x : weekly) v.push_back(x);
    if (v.size() > 40) v.erase(v.begin(), v.end() - 40);
    o.line("  " + pad(from + " → " + to, 24) + pad(std::to_string(n), 5) + sparkline(v));
  };
  const std::string me = r.getReaderName(), them = r.getPartnerName();
  row(them, me, a.getToReader(), a.getWeeklyToReader());
  row(me, them, a.getToPartner(), a.getWeeklyToPartner());
  for (auto d : a.getByDimension()) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %-12s %s: %u logged, %u thanked · %s: %u logged, %u thanked",
                  dimension_label(d.getDimension()), me.c_str(), d.getReaderDone(),
                  d.getReaderThanked(), them.c_str(), d.getPartnerDone(), d.getPartnerThanked());
    o.wrap(buf, "    ");
  }
}

void patterns(Out& o, schema::Report::Reader r) {
  o.heading("Patterns over weeks");
  if (r.getPatterns().size() == 0)
    o.line("  None stands out: nothing here leans clearly one way over the weeks.");
  int i = 0;
  for (auto p : r.getPatterns()) {
    const std::string n = "  " + std::to_string(++i) + ". ";
    o.wrap(p.getText().cStr(), "     ", n);
    o.wrap(p.getEvidence().cStr(), "     ");
    o.wrap(o.paint(p.getQuestion().cStr(), "1"), "     ");
    o.wrap(p.getSuggestion().cStr(), "     ");
  }
  if (r.getNotYet().size() > 0) {
    o.heading("Not enough to tell yet");
    int shown = 0;
    for (auto u : r.getNotYet()) {
      if (++shown > 6) break;
      o.wrap(u.getText().cStr(), "    ", "  · ");
    }
  }
}

void dimensions(Out& o, schema::Report::Reader r) {
  o.heading("Logged, per dimension  (" + std::string(r.getReaderName()) + " █ · " +
            r.getPartnerName().cStr() + " ░)");
  for (auto d : r.getDimensions()) {
    auto c = d.getCount();
    std::vector<double> weekly;
    for (auto w : d.getWeeks()) weekly.push_back(w.getReader() + w.getPartner());
    if (weekly.size() > 26) weekly.erase(weekly.begin(), weekly.end() - 26);
    std::string row = "  " + pad(dimension_label(d.getDimension()), 12);
    if (c.getEpisodes() == 0) {
      o.line(row + "nothing logged yet");
      continue;
    }
    char num[48];
    std::snprintf(num, sizeof num, " %4s %4u  ", percent(c.getShare()).c_str(), c.getEpisodes());
    o.line(row + o.bar(c.getShare(), 16) + num + sparkline(weekly));
    char range[120];
    std::snprintf(range, sizeof range, "%s–%s likely (95%%), by effort %s; %s",
                  percent(c.getInterval95().getLow()).c_str(),
                  percent(c.getInterval95().getHigh()).c_str(),
                  percent(d.getEffort().getShare()).c_str(), reading_label(c.getReading()));
    o.wrap(range, "                ", "                ");
  }
}

void across(Out& o, schema::Report::Reader r) {
  auto a = r.getAcross();
  o.heading("Across dimensions  (" + std::string(r.getReaderName()) + "'s share)");
  for (auto s : {a.getTurnsToward(), a.getBids(), a.getInitiates(), a.getImportantTalks(),
                 a.getRaisesIssues(), a.getRepairsFirst(), a.getApologisesFirst(), a.getYields(),
                 a.getBoundariesCrossed(), a.getPreferencesPrevail(), a.getGoalsSupported(),
                 a.getSupportGiven(), a.getDatesRemembered(), a.getDatesPlanned()})
    if (s.getEpisodes() > 0) o.line("  " + share_line(o, s));
  for (auto m : a.getMoney()) {
    std::string l = "  " + share_line(o, m.getShare());
    o.line(l);
    if (m.getAgreedReaderPercent() >= 0)
      o.line("    agreed: " + std::to_string(m.getAgreedReaderPercent()) + "% for " +
             r.getReaderName().cStr());
  }
  auto e = a.getEndings();
  if (e.getConflicts() > 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "Conflicts: %u · compromise %u · agreed to differ %u · %s gave way %u · %s "
                  "gave way %u · still open %u",
                  e.getConflicts(), e.getCompromise(), e.getAgreedToDiffer(),
                  r.getReaderName().cStr(), e.getReaderYielded(), r.getPartnerName().cStr(),
                  e.getPartnerYielded(), e.getOpen());
    o.wrap(buf, "    ", "  ");
    auto rp = a.getRepairs();
    std::snprintf(buf, sizeof buf, "Repairs: %s %u (%u accepted) · %s %u (%u accepted)",
                  r.getReaderName().cStr(), rp.getReaderRepairs(), rp.getReaderAccepted(),
                  r.getPartnerName().cStr(), rp.getPartnerRepairs(), rp.getPartnerAccepted());
    o.wrap(buf, "    ", "  ");
  }
  if (a.getUpcomingDates().size() > 0) {
    o.heading("Coming up");
    for (auto d : a.getUpcomingDates())
      o.line("  " + pad(d.getTitle().cStr(), 30) + d.getNext().cStr() + "  in " +
             std::to_string(d.getDaysAway()) + " days");
  }
}

}  // namespace

std::string render_text(schema::Report::Reader r, const TextOptions& options) {
  Out o(options);
  auto w = r.getWindow();
  o.wrap(o.paint("tandem · " + std::string(r.getReaderName()) + " & " + r.getPartnerName().cStr(),
                 "1") +
             "  " + w.getSince().cStr() + " to " + w.getUntil().cStr() + " (" +
             w.getLabel().cStr() + ")",
         "  ");
  for (auto c : w.getContexts())
    o.wrap(std::string("Read differently: ") + c.getLabel().cStr() + " (" + c.getFrom().cStr() +
               " to " + c.getUntil().cStr() + "), left out of patterns.",
           "  ");
  perception(o, r);
  thanks(o, r);
  patterns(o, r);
  dimensions(o, r);
  across(o, r);
  auto lb = r.getLoggedBy();
  o.heading("Who logged what");
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%s logged %u entries (%u about %s), %s %u (%u about %s). Shares rest on both "
                "of your entries; neither one's own entries alone make a pattern.",
                r.getReaderName().cStr(), lb.getReaderEntries(), lb.getReaderAboutPartner(),
                r.getPartnerName().cStr(), r.getPartnerName().cStr(), lb.getPartnerEntries(),
                lb.getPartnerAboutReader(), r.getReaderName().cStr());
  o.wrap(buf, "  ");
  return o.str();
}

}  // namespace tandem::report
