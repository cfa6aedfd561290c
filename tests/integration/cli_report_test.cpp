// The report's commands end to end: `tandem report` (text, JSON, HTML), `tandem checkin` from
// flags, and `tandem upcoming`, the real binary against a real tandemd in a temporary directory.
// (The interactive check-in is driven through a pseudo-terminal by checkin_pty_test.py.)
#include "tests/support/daemon_process.hpp"

#include <capnp/compat/json.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <sstream>

using namespace tandem;
using namespace tandem::test;

namespace {

// tandem_test's ENVIRONMENT property loses TANDEM_BUILD_DIR (its two entries are split into two
// properties), so binary() would look in the working directory; point it at the build here.
const bool kBuildDirSet = [] { return ::setenv("TANDEM_BUILD_DIR", TANDEM_BINARY_DIR, 0) == 0; }();

struct ReportCli {
  TempDir dir;
  DaemonProcess daemon{dir.path() + "/data", dir.path() + "/run/tandemd.sock"};

  RunResult tandem(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {binary("tandem"), "--socket", daemon.socket()});
    return run(args, in);
  }
  void init() {
    auto r = tandem({"init", "--name", "Alex", "--partner-name", "Sam"});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  // A sample half year of both partners' entries, with a mental-load pattern in it.
  void load_sample() {
    auto r =
        run({"/usr/bin/env", "python3",
             std::string(TANDEM_SOURCE_DIR) + "/tests/sample/make_journal.py", "--pattern",
             "mental-load", "--seed", "5", "--weeks", "26", "--both", "--socket", daemon.socket()});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  // Runs with --json and parses the one document.
  std::unique_ptr<capnp::MallocMessageBuilder> json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = tandem(args);
    INFO(r.err);
    REQUIRE(r.code == 0);
    capnp::JsonCodec codec;
    auto msg = std::make_unique<capnp::MallocMessageBuilder>();
    codec.decodeRaw(kj::StringPtr(r.out.c_str()), msg->initRoot<capnp::JsonValue>());
    return msg;
  }
};

std::optional<capnp::JsonValue::Reader> member(capnp::JsonValue::Reader v, const char* name) {
  if (!v.isObject()) return std::nullopt;
  for (auto f : v.getObject()) {
    if (f.getName() == name) return f.getValue();
  }
  return std::nullopt;
}

std::string text(capnp::JsonValue::Reader v, const char* name) {
  auto m = member(v, name);
  if (!m) return "";
  if (m->isString()) return m->getString().cStr();
  if (m->isNumber()) return std::to_string(static_cast<long long>(m->getNumber()));
  if (m->isBoolean()) return m->getBoolean() ? "true" : "false";
  return "<value>";
}

// Columns a UTF-8 line takes in a terminal: code points, every one of the report's glyphs being
// one column wide (block bars, sparklines, dashes).
std::size_t columns(const std::string& line) {
  std::size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

// The local date `days` from today, "YYYY-MM-DD" (the daemon counts days in local time too).
std::string local_date_in(int days) {
  std::time_t t = std::time(nullptr) + days * 86400;
  std::tm tm{};
  localtime_r(&t, &tm);
  char b[16];
  std::strftime(b, sizeof b, "%Y-%m-%d", &tm);
  return b;
}

}  // namespace

TEST_CASE_METHOD(ReportCli, "the text report fits 80 columns", "[cli][report]") {
  init();
  load_sample();
  auto r = tandem({"report", "--window", "6m"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  REQUIRE(r.out.size() > 200);
  CHECK(r.out.find("\x1b[") == std::string::npos);  // no colour when stdout is not a terminal
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    INFO("line " << n << ": " << line);
    CHECK(columns(line) <= 80);
  }
  CHECK(n > 10);
}

TEST_CASE_METHOD(ReportCli, "the JSON report has a patterns list of at most three",
                 "[cli][report]") {
  init();
  load_sample();
  auto doc = json({"report", "--window", "6m"});
  auto root = doc->getRoot<capnp::JsonValue>();
  auto patterns = member(root, "patterns");
  REQUIRE(patterns);
  REQUIRE(patterns->isArray());
  // One member's daemon holding the whole sample: its self-reports alone may not raise a pattern
  // (DESIGN.md), so the list may be empty; the shares the rule cannot read yet say why.
  CHECK(patterns->getArray().size() <= 3);
  auto not_yet = member(root, "notYet");
  CHECK((patterns->getArray().size() > 0 || (not_yet && not_yet->getArray().size() > 0)));
  for (auto p : patterns->getArray()) {
    CHECK_FALSE(text(p, "text").empty());
    CHECK_FALSE(text(p, "question").empty());
  }
  CHECK(member(root, "perception"));
  CHECK(member(root, "dimensions"));
}

TEST_CASE_METHOD(ReportCli, "the HTML report is a private file", "[cli][report]") {
  init();
  load_sample();
  const std::string page = dir.path() + "/report.html";
  auto r = tandem({"report", "--html", page});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("wrote") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(page.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size > 1000);
}

TEST_CASE_METHOD(ReportCli, "checkin without a terminal takes the flags of add checkin",
                 "[cli][checkin]") {
  init();
  auto doc = json({"checkin", "--fairness", "household=unfair-to-me", "--fairness", "support=fair",
                   "--appreciated", "2", "--loaded", "5", "--satisfaction", "3", "--sealed",
                   "more help with the school forms"});
  auto view = doc->getRoot<capnp::JsonValue>();
  CHECK(text(view, "kind") == "checkin");
  auto entry = member(view, "entry");
  REQUIRE(entry);
  CHECK(text(*entry, "note") == "more help with the school forms");
  auto checkin = member(*entry, "checkin");
  REQUIRE(checkin);
  CHECK(text(*checkin, "appreciated") == "2");
  CHECK(text(*checkin, "loaded") == "5");
  CHECK(text(*checkin, "sealed") == "true");
  CHECK(text(*checkin, "period").find("-W") != std::string::npos);
  auto fairness = member(*checkin, "fairness");
  REQUIRE(fairness);
  REQUIRE(fairness->getArray().size() == 2);
  CHECK(text(fairness->getArray()[0], "dimension") == "household");
  CHECK(text(fairness->getArray()[0], "fairness") == "unfairToMe");

  SECTION("the same bad values are usage errors, naming the valid ones") {
    auto bad = tandem({"checkin", "--fairness", "household=meh"});
    CHECK(bad.code == 2);
    CHECK(bad.err.find("unfair-to-me") != std::string::npos);
    CHECK(tandem({"checkin", "--appreciated", "9"}).code == 2);
    CHECK(tandem({"checkin", "--effort", "2"}).code == 2);  // a contribution's flag
  }
  SECTION("the text form says what was added") {
    auto r = tandem({"checkin", "--satisfaction", "4"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.rfind("added ", 0) == 0);
    auto list = tandem({"list", "--kind", "checkin"});
    CHECK(std::count(list.out.begin(), list.out.end(), '\n') >= 2);
  }
}

TEST_CASE_METHOD(ReportCli, "upcoming lists the dates ahead and whether a check-in is due",
                 "[cli][upcoming]") {
  init();
  const std::string when = local_date_in(4);
  REQUIRE(tandem({"add", "important-date", "--title", "Sam's birthday", "--date", when}).code == 0);
  REQUIRE(
      tandem({"add", "important-date", "--title", "far away", "--date", local_date_in(200)}).code ==
      0);

  auto doc = json({"upcoming"});
  auto root = doc->getRoot<capnp::JsonValue>();
  CHECK(text(root, "checkinDue") == "true");
  CHECK(text(root, "week").find("-W") != std::string::npos);
  auto dates = member(root, "upcomingDates");
  REQUIRE(dates);
  REQUIRE(dates->getArray().size() == 1);
  CHECK(text(dates->getArray()[0], "title") == "Sam's birthday");
  CHECK(text(dates->getArray()[0], "next") == when);
  CHECK(text(dates->getArray()[0], "daysAway") == "4");

  auto plain = tandem({"upcoming"});
  INFO(plain.err);
  REQUIRE(plain.code == 0);
  CHECK(plain.out.find("Sam's birthday") != std::string::npos);
  CHECK(plain.out.find("in 4 days") != std::string::npos);
  CHECK(plain.out.find("far away") == std::string::npos);
  CHECK(plain.out.find("Check-in: due") != std::string::npos);

  // A check-in for another week does not count; one for this week does.
  REQUIRE(tandem({"checkin", "--period", "2020-W01", "--appreciated", "4"}).code == 0);
  CHECK(text(json({"upcoming"})->getRoot<capnp::JsonValue>(), "checkinDue") == "true");
  REQUIRE(tandem({"checkin", "--appreciated", "4"}).code == 0);
  CHECK(text(json({"upcoming"})->getRoot<capnp::JsonValue>(), "checkinDue") == "false");
  CHECK(tandem({"upcoming"}).out.find("Check-in: done") != std::string::npos);
}

TEST_CASE_METHOD(ReportCli, "upcoming with nothing ahead says so", "[cli][upcoming]") {
  init();
  auto r = tandem({"upcoming"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("No important dates") != std::string::npos);
  CHECK(r.out.find("Check-in: due") != std::string::npos);
}

TEST_CASE_METHOD(ReportCli, "checkin and upcoming have help text", "[cli]") {
  for (const char* cmd : {"checkin", "upcoming", "report"}) {
    INFO(cmd);
    auto r = tandem({cmd, "--help"});
    CHECK(r.code == 0);
    CHECK(r.out.size() > 40);
  }
  CHECK(tandem({"checkin", "--help"}).out.find("--fairness") != std::string::npos);
}
