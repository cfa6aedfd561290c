// tandemd keeps the report's snapshot in memory and catches it up after every write. Against real
// daemons paired on loopback: after local adds, edits, retracts and private entries, and the
// partner's adds, edits and retracts merged by sync, the running daemon's report equals the one
// it gives right after a restart (a snapshot built afresh from the store).
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace tandem;
using namespace tandem::test;

namespace {

std::string add(Device& d, const std::string& entry) {
  auto r = d.call(R"({"id": 9, "add": {"entry": )" + entry + "}}");
  REQUIRE(root(r).isEntry());
  return root(r).getEntry().getId().cStr();
}

void edit(Device& d, const std::string& id, const std::string& entry) {
  REQUIRE(root(d.call(R"({"id": 3, "edit": {"id": ")" + id + R"(", "entry": )" + entry + "}}"))
              .isEntry());
}

void retract(Device& d, const std::string& id) {
  REQUIRE(root(d.call(R"({"id": 2, "retract": {"id": ")" + id + R"("}})")).isRetracted());
}

// The report as JSON, without the time it was made.
std::string report(Device& d, bool include_private) {
  JsonClient c(d.daemon.socket());
  std::string line =
      c.call(std::string(R"({"id": 4, "report": {"window": "all", "includePrivate": )") +
             (include_private ? "true" : "false") + "}}");
  REQUIRE(line.find("\"report\"") != std::string::npos);
  return std::regex_replace(line, std::regex(R"("generatedAt":"?[0-9]+"?,?)"), "");
}

Msg get(Device& d, const std::string& id) {
  return d.call(R"({"id": 8, "get": {"id": ")" + id + R"("}})");
}

std::string contribution(const char* actor, int effort, const char* dim, const char* note) {
  return std::string(R"({"contribution": {"actor": ")") + actor + R"(", "effort": )" +
         std::to_string(effort) + R"(, "phase": "decide"}, "dimension": ")" + dim +
         R"(", "note": ")" + note + R"("})";
}

}  // namespace

TEST_CASE("the daemon's kept report snapshot equals a fresh one after writes and sync merges",
          "[report][sync][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  const std::string early = add(alex, contribution("me", 2, "household", "before pairing"));
  const std::string empty_ish = report(alex, false);  // the snapshot exists from here on
  pair(alex, sam, "Sam");

  std::vector<std::string> mine, theirs;
  for (int i = 0; i < 6; ++i) {
    mine.push_back(add(alex, contribution(i % 2 ? "me" : "partner", 1 + i % 3,
                                          i % 3 ? "household" : "finances", "alex")));
    theirs.push_back(
        add(sam, contribution(i % 3 ? "me" : "partner", 1 + i % 2, "household", "sam")));
  }
  add(alex, R"({"bid": {"bidder": "partner", "response": "toward", "heard": 4}, "note": "b"})");
  add(sam, R"({"conflict": {"raisedBy": "me", "apologisedFirst": "partner"}, "note": "c"})");
  add(sam, R"({"appreciation": {"to": "partner"}, "refs": [], "note": "thanks"})");
  const std::string draft = add(
      alex,
      R"({"contribution": {"actor": "me", "effort": 3}, "visibility": "private", "note": "draft"})");
  add(alex, R"({"initiation": {"initiator": "me", "what": "talk"}, "visibility": "private"})");
  CHECK(report(alex, true) != empty_ish);

  // Changes on both sides: edits and retracts, of shared and private entries.
  edit(alex, mine[1], contribution("partner", 3, "support", "alex edited"));
  retract(alex, mine[2]);
  retract(alex, early);
  edit(alex, draft, R"({"contribution": {"actor": "partner", "effort": 1}, "note": "d2"})");
  edit(sam, theirs[0], contribution("partner", 3, "growth", "sam edited"));
  edit(sam, theirs[0], contribution("me", 2, "listening", "sam edited twice"));
  retract(sam, theirs[4]);
  const std::string last = add(sam, contribution("me", 2, "maintenance", "last"));
  const std::string cached_mid = report(alex, false);  // caught up with part of it, maybe
  // Asked after the report: if the last entry is not here yet, that report cannot have counted it
  // (merges only add), so the report after the merge must differ. If sync was quicker than this
  // test, the two may rightly be equal.
  const bool mid_lacked_last = !root(get(alex, last)).isEntry();

  // Wait for the partner's writes to be merged here.
  REQUIRE(eventually([&] { return root(get(alex, last)).isEntry(); }));
  REQUIRE(eventually([&] { return root(get(alex, theirs[4])).getEntry().getRetracted(); }));
  REQUIRE(eventually([&] {
    auto g = get(alex, theirs[0]);
    return std::string(root(g).getEntry().getEntry().getNote().cStr()) == "sam edited twice";
  }));
  const std::string cached = report(alex, false);
  const std::string cached_private = report(alex, true);
  if (mid_lacked_last) CHECK(cached != cached_mid);
  CHECK(cached != cached_private);

  alex.daemon.stop();
  alex.daemon.start();
  CHECK(report(alex, false) == cached);
  CHECK(report(alex, true) == cached_private);
}
