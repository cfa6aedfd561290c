// tandem checkin: this week's check-in. At a terminal it asks its questions one by one; otherwise
// (or when any answer is given as a flag) it takes exactly the flags of `tandem add checkin`.
// Either way the answers become those flags' values and go through the add checkin flag table
// (kind_flags.cpp), so the two paths cannot drift apart.
#include "client/dates.hpp"
#include "client/enum_names.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <capnp/message.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>

namespace tandem::client {
namespace {

// The dimension as the question names it, in schema order (1 support .. 9 maintenance).
constexpr const char* kDimensionWords[] = {
    "",
    "support in hard times",
    "listening to each other",
    "the household, mental load included",
    "support for each other's goals",
    "starting affection and intimacy",
    "working through conflict",
    "respect for boundaries",
    "money",
    "looking after the relationship",
};

// Answers that make the check-in non-interactive when given as flags (--period, --on and the
// other common flags may accompany the questions).
constexpr std::string_view kAnswerFlags[] = {"--fairness", "--appreciated", "--loaded",
                                             "--satisfaction", "--sealed"};

const KindSpec& checkin_spec() {
  const KindSpec* spec = find_kind("checkin");
  // The add table always has a checkin row; without it this command has no flags to reuse.
  if (!spec) std::abort();
  return *spec;
}

void setup_checkin(CLI::App& app, Invocation& inv) {
  for (const FlagSpec& flag : common_flags()) declare_flag(app, inv, flag);
  for (const FlagSpec& flag : checkin_spec().flags) declare_flag(app, inv, flag);
  app.add_option("text", inv.args, "what would help (never used by metrics); - reads stdin")
      ->expected(0, 1);
  app.add_option("--note", inv.note_flag, "what would help, instead of TEXT (- reads stdin)");
  app.footer(
      "At a terminal, with no answer given as a flag, tandem asks each question in turn (Enter "
      "skips one). Otherwise the flags are those of `tandem add checkin`.");
}

// One line from `in` without its newline; nullopt at end of input.
std::optional<std::string> read_line(std::FILE* in) {
  std::string line;
  int c;
  while ((c = std::fgetc(in)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (c == EOF && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Asks `question` until the answer is empty (0) or a whole number in 1..5; nullopt at end of input.
std::optional<int> ask_scale(const Invocation& inv, const std::string& question) {
  for (;;) {
    std::fprintf(inv.io.out, "%s ", question.c_str());
    std::fflush(inv.io.out);
    auto line = read_line(inv.io.in);
    if (!line) return std::nullopt;
    std::string a = trim(*line);
    if (a.empty()) return 0;
    if (a.size() == 1 && a[0] >= '1' && a[0] <= '5') return a[0] - '0';
    std::fprintf(inv.io.out, "  Please answer 1 to 5, or press Enter to skip.\n");
  }
}

// Walks through the questions, writing the answers into inv.flags (as `--fairness` and friends)
// and the note into `note`. False when the input ended before the last question.
bool ask_questions(Invocation& inv, std::string& note) {
  static constexpr const char* kFairness[] = {
      "",     "very-unfair-to-me", "unfair-to-me",
      "fair", "unfair-to-partner", "very-unfair-to-partner"};
  std::fprintf(inv.io.out,
               "This week's check-in. Answer 1 to 5, or press Enter to skip a question.\n"
               "Fairness: 1 very unfair to me, 2 unfair to me, 3 fair to both, 4 unfair to my "
               "partner, 5 very unfair to my partner.\n");
  for (unsigned d = 1; d < std::size(kDimensionWords); ++d) {
    auto n = ask_scale(inv, std::string("How fair does ") + kDimensionWords[d] + " feel? [1-5]");
    if (!n) return false;
    if (*n == 0) continue;
    inv.flags["--fairness"].push_back(enum_name(static_cast<schema::Dimension>(d)) + "=" +
                                      kFairness[*n]);
  }
  const struct {
    const char* flag;
    const char* question;
  } scales[] = {
      {"--appreciated", "How appreciated do you feel? 1 not at all .. 5 very [1-5]"},
      {"--loaded", "How loaded do you feel? 1 light .. 5 overloaded [1-5]"},
      {"--satisfaction", "Overall, how satisfied are you with the two of you? 1 .. 5 [1-5]"},
  };
  for (const auto& s : scales) {
    auto n = ask_scale(inv, s.question);
    if (!n) return false;
    if (*n != 0) inv.flags[s.flag] = {std::to_string(*n)};
  }
  std::fprintf(inv.io.out, "What would help? (one line, Enter to skip) ");
  std::fflush(inv.io.out);
  auto help = read_line(inv.io.in);
  if (!help) return false;
  note = trim(*help);
  for (;;) {
    std::fprintf(inv.io.out, "Seal it until your partner's check-in for this week arrives? [y/N] ");
    std::fflush(inv.io.out);
    auto line = read_line(inv.io.in);
    if (!line) return false;
    std::string a = trim(*line);
    if (a.empty() || a == "n" || a == "N" || a == "no") break;
    if (a == "y" || a == "Y" || a == "yes") {
      inv.flags["--sealed"] = {"true"};
      break;
    }
    std::fprintf(inv.io.out, "  Please answer y or n.\n");
  }
  return true;
}

bool answers_given(const Invocation& inv) {
  if (!inv.args.empty() || !inv.note_flag.empty()) return true;
  for (auto flag : kAnswerFlags) {
    if (inv.flags.find(flag) != inv.flags.end()) return true;
  }
  return false;
}

int run_checkin(Invocation& inv) {
  std::string note;
  const bool interactive =
      !answers_given(inv) && ::isatty(::fileno(inv.io.in)) && ::isatty(::fileno(inv.io.out));
  if (interactive) {
    if (!ask_questions(inv, note))
      return usage_error(inv, "checkin: input ended; nothing recorded");
  } else if (auto err = resolve_note(inv, inv.args.empty() ? "" : inv.args.front(), note)) {
    return usage_error(inv, *err);
  }
  capnp::MallocMessageBuilder message;
  auto entry = message.initRoot<schema::Request>().initAdd().initEntry();
  if (auto err = build_entry(checkin_spec(), inv.flags, FlagContext{inv.io.today}, entry)) {
    return usage_error(inv, *err);
  }
  if (!note.empty()) entry.setNote(note);
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isEntry())
    return report(inv, {ClientError::Kind::kProtocol, {}, "checkin: unexpected answer"});
  print_written(inv, r.getEntry(), "added");
  return kExitOk;
}

}  // namespace

const Command kCheckinCommand{"checkin",
                              "this week's check-in: asks at a terminal, else takes the flags of "
                              "`tandem add checkin`",
                              setup_checkin, run_checkin};

}  // namespace tandem::client
