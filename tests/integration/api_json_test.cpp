// The local API over JSON lines, against a real tandemd: every request and its error paths; the
// connection keeps serving after each error.
#include "tests/support/daemon_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>

using namespace tandem;
using namespace tandem::test;

namespace {

struct Fixture {
  TempDir dir;
  DaemonProcess daemon{dir.path() + "/data", dir.path() + "/run/tandemd.sock"};
  JsonClient client{daemon.socket()};

  schema::Response::Reader call(const std::string& line) {
    last_ = parse_response(client.call(line));
    return last_->getRoot<schema::Response>().asReader();
  }
  void init() {
    auto r = call(R"({"id": 1, "init": {"name": "Alex", "partnerName": "Sam"}})");
    REQUIRE(r.isInit());
  }
  std::string add(const std::string& entry_json) {
    auto r = call(R"({"id": 7, "add": {"entry": )" + entry_json + "}}");
    REQUIRE(r.isEntry());
    return r.getEntry().getId().cStr();
  }
  schema::ErrorCode error_of(const std::string& line) {
    auto r = call(line);
    REQUIRE(r.isError());
    return r.getError().getCode();
  }
  std::unique_ptr<capnp::MallocMessageBuilder> last_;
};

}  // namespace

TEST_CASE_METHOD(Fixture, "status answers before init and echoes the request id", "[api][json]") {
  auto r = call(R"({"id": 42, "status": {}})");
  CHECK(r.getId() == 42);
  REQUIRE(r.isStatus());
  CHECK_FALSE(r.getStatus().getInitialized());
  CHECK(r.getStatus().getApiVersion() == 1);
}

TEST_CASE_METHOD(Fixture, "requests before init are refused with notInitialized", "[api][json]") {
  CHECK(error_of(R"({"id": 2, "add": {"entry": {"contribution": {}}}})") ==
        schema::ErrorCode::NOT_INITIALIZED);
  CHECK(error_of(R"({"id": 3, "list": {}})") == schema::ErrorCode::NOT_INITIALIZED);
}

TEST_CASE_METHOD(Fixture, "init creates the space once", "[api][json]") {
  init();
  auto s = call(R"({"id": 2, "status": {}})").getStatus();
  CHECK(s.getInitialized());
  CHECK(std::string(s.getMemberName().cStr()) == "Alex");
  CHECK(std::string(s.getPartnerName().cStr()) == "Sam");
  CHECK(s.getSpaceId().size() == 32);
  CHECK(error_of(R"({"id": 3, "init": {"name": "Again"}})") ==
        schema::ErrorCode::ALREADY_INITIALIZED);
  CHECK(error_of(R"({"id": 4, "init": {"name": ""}})") == schema::ErrorCode::ALREADY_INITIALIZED);
}

TEST_CASE_METHOD(Fixture, "add accepts every kind and derives its dimension", "[api][json]") {
  init();
  struct Case {
    const char* json;
    schema::EntryKind kind;
    schema::Dimension dim;
  } cases[] = {
      {R"({"contribution": {"actor": "partner", "effort": 3, "phase": "anticipate"}, "dimension": "household"})",
       schema::EntryKind::CONTRIBUTION, schema::Dimension::HOUSEHOLD},
      {R"({"card": {"title": "school forms", "owner": "me", "scope": "whole", "from": "2026-01-01"}})",
       schema::EntryKind::CARD, schema::Dimension::HOUSEHOLD},
      {R"({"appreciation": {"to": "partner"}, "note": "thank you"})",
       schema::EntryKind::APPRECIATION, schema::Dimension::MAINTENANCE},
      {R"({"bid": {"bidder": "partner", "response": "toward", "heard": 4}})",
       schema::EntryKind::BID, schema::Dimension::AFFECTION},
      {R"({"support": {"needed": "partner", "gave": "me", "form": "presence", "helpful": 5}})",
       schema::EntryKind::SUPPORT, schema::Dimension::SUPPORT},
      {R"({"initiation": {"initiator": "me", "what": "talk", "received": "welcomed"}})",
       schema::EntryKind::INITIATION, schema::Dimension::CONFLICT},
      {R"({"conflict": {"raisedBy": "partner", "repairs": [{"by": "me", "kind": "apology", "accepted": true}], "apologisedFirst": "me", "outcome": "compromise"}})",
       schema::EntryKind::CONFLICT, schema::Dimension::CONFLICT},
      {R"({"boundary": {"holder": "partner", "event": "respected"}})", schema::EntryKind::BOUNDARY,
       schema::Dimension::BOUNDARIES},
      {R"({"goal": {"holder": "partner", "supportedBy": "me", "supported": 4}})",
       schema::EntryKind::GOAL, schema::Dimension::GROWTH},
      {R"({"decision": {"prevailed": "blend"}})", schema::EntryKind::DECISION,
       schema::Dimension::GROWTH},
      {R"({"expense": {"amountCents": "4250", "currency": "EUR", "paidBy": "me", "area": "groceries"}})",
       schema::EntryKind::EXPENSE, schema::Dimension::FINANCES},
      {R"({"agreement": {"area": "rent", "mySharePercent": 60}})", schema::EntryKind::AGREEMENT,
       schema::Dimension::FINANCES},
      {R"({"importantDate": {"title": "anniversary", "date": "2020-06-01", "recurrence": "yearly", "plannedBy": "me"}})",
       schema::EntryKind::IMPORTANT_DATE, schema::Dimension::MAINTENANCE},
      {R"({"checkin": {"period": "2026-W48", "fairness": [{"dimension": "household", "fairness": "unfairToMe"}], "appreciated": 3, "loaded": 4, "satisfaction": 4}})",
       schema::EntryKind::CHECKIN, schema::Dimension::UNSET},
      {R"({"context": {"label": "exams", "from": "2026-05-01", "until": "2026-06-15"}})",
       schema::EntryKind::CONTEXT, schema::Dimension::UNSET},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = call(std::string(R"({"id": 9, "add": {"entry": )") + c.json + "}}");
    REQUIRE(r.isEntry());
    CHECK(r.getEntry().getKind() == c.kind);
    CHECK(r.getEntry().getEntry().getDimension() == c.dim);
    CHECK(r.getEntry().getAuthor() == schema::Party::ME);
    CHECK(r.getEntry().getEntry().getDate().size() == 10);  // defaults to today
  }
  auto list = call(R"({"id": 10, "list": {"limit": 100}})").getList();
  CHECK(list.getEntries().size() == 15);
}

TEST_CASE_METHOD(Fixture, "bad entries get typed errors and the connection goes on",
                 "[api][json]") {
  init();
  CHECK(error_of(R"({"id": 2, "add": {"entry": {"contribution": {"effort": 7}}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 3, "add": {"entry": {"bid": {"response": "sideways"}}}})") ==
        schema::ErrorCode::BAD_REQUEST);
  CHECK(std::string(last_->getRoot<schema::Response>().getError().getMessage().cStr())
            .find("toward") != std::string::npos);
  CHECK(error_of(R"({"id": 4, "add": {"entry": {"contribution": {}, "date": "2026-02-30"}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 5, "add": {"entry": {"contribution": {}, "time": "25:00"}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  std::string big(17 * 1024, 'x');
  CHECK(error_of(R"({"id": 6, "add": {"entry": {"contribution": {}, "note": ")" + big +
                 R"("}}})") == schema::ErrorCode::TOO_LARGE);
  CHECK(error_of(R"({"id": 7, "add": {"entry": {"retract": {}}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 8, "add": {"entry": {"goal": {"supported": 9}}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 9, "add": {"entry": {"contribution": {}, "episode": "abcd"}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 10, "add": {"entry": {"contribution": {}, "colour": "red"}}})") ==
        schema::ErrorCode::BAD_REQUEST);
  CHECK(error_of(R"({"id": 11, "teleport": {}})") == schema::ErrorCode::UNKNOWN_REQUEST);
  CHECK(error_of(R"({"id": 12})") == schema::ErrorCode::BAD_REQUEST);
  CHECK(error_of(R"(this is not json)") == schema::ErrorCode::BAD_REQUEST);
  CHECK(error_of(R"([1, 2, 3])") == schema::ErrorCode::BAD_REQUEST);
  CHECK(error_of(R"({"id": 13, "add": {"entry": {"contribution": {"effort": "lots"}}}})") ==
        schema::ErrorCode::BAD_REQUEST);
  // Still serving, and nothing of the refused requests was stored.
  auto s = call(R"({"id": 14, "status": {}})");
  REQUIRE(s.isStatus());
  CHECK(s.getStatus().getOwnEntries() == 1);  // the genesis roster record only
}

TEST_CASE_METHOD(Fixture, "an oversized line is refused and the next request is served",
                 "[api][json]") {
  init();
  std::string huge(2 << 20, 'a');
  client.send_raw(R"({"id": 2, "status": {"x": ")" + huge + "\"}}\n");
  auto r1 = parse_response(client.read_line());
  REQUIRE(r1->getRoot<schema::Response>().isError());
  CHECK(r1->getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::TOO_LARGE);
  CHECK(call(R"({"id": 3, "status": {}})").isStatus());
}

TEST_CASE_METHOD(Fixture, "get, edit and retract follow the author's rules", "[api][json]") {
  init();
  auto id = add(R"({"contribution": {"effort": 1}, "dimension": "household", "note": "dishes"})");
  auto g = call(R"({"id": 2, "get": {"id": ")" + id + R"("}})");
  REQUIRE(g.isEntry());
  CHECK(std::string(g.getEntry().getEntry().getNote().cStr()) == "dishes");

  CHECK(error_of(R"({"id": 3, "get": {"id": "nonsense"}})") == schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 4, "get": {"id": "0123456789abcdef-99"}})") ==
        schema::ErrorCode::NOT_FOUND);

  auto e = call(
      R"({"id": 5, "edit": {"id": ")" + id +
      R"(", "entry": {"contribution": {"effort": 3}, "dimension": "household", "note": "all the dishes"}}})");
  REQUIRE(e.isEntry());
  CHECK(e.getEntry().getEdited());
  CHECK(e.getEntry().getEntry().getKind().getContribution().getEffort() == 3);
  CHECK(std::string(e.getEntry().getEntry().getNote().cStr()) == "all the dishes");
  CHECK(error_of(R"({"id": 6, "edit": {"id": ")" + id + R"(", "entry": {"bid": {}}}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);

  auto r = call(R"({"id": 7, "retract": {"id": ")" + id + R"(", "reason": "duplicate"}})");
  REQUIRE(r.isRetracted());
  CHECK(error_of(R"({"id": 8, "retract": {"id": ")" + id + R"("}})") ==
        schema::ErrorCode::NOT_FOUND);
  CHECK(error_of(R"({"id": 9, "edit": {"id": ")" + id + R"(", "entry": {"contribution": {}}}})") ==
        schema::ErrorCode::NOT_FOUND);
  auto after = call(R"({"id": 10, "get": {"id": ")" + id + R"("}})");
  REQUIRE(after.isEntry());
  CHECK(after.getEntry().getRetracted());
  CHECK(after.getEntry().getEntry().getNote().size() == 0);
  CHECK(call(R"({"id": 11, "list": {}})").getList().getEntries().size() == 0);
  CHECK(call(R"({"id": 12, "list": {"includeRetracted": true}})").getList().getEntries().size() ==
        1);
}

TEST_CASE_METHOD(Fixture, "list filters and pages with a cursor", "[api][json]") {
  init();
  for (int i = 0; i < 25; ++i) {
    add(R"({"contribution": {"actor": ")" + std::string(i % 2 ? "me" : "partner") +
        R"("}, "dimension": ")" + (i % 3 ? "household" : "finances") + R"(", "date": "2026-03-)" +
        (i < 9 ? "0" : "") + std::to_string(i + 1) + R"("})");
  }
  add(R"({"bid": {"bidder": "me", "response": "toward"}, "date": "2026-03-05"})");
  CHECK(call(R"({"id": 1, "list": {"kind": "bid"}})").getList().getEntries().size() == 1);
  CHECK(call(R"({"id": 1, "list": {"kind": "contribution", "dimension": "finances"}})")
            .getList()
            .getEntries()
            .size() == 9);
  CHECK(call(R"({"id": 1, "list": {"kind": "contribution", "actor": "partner"}})")
            .getList()
            .getEntries()
            .size() == 13);
  CHECK(call(R"({"id": 1, "list": {"since": "2026-03-10", "until": "2026-03-12"}})")
            .getList()
            .getEntries()
            .size() == 3);
  CHECK(error_of(R"({"id": 1, "list": {"since": "March"}})") ==
        schema::ErrorCode::INVALID_ARGUMENT);
  CHECK(error_of(R"({"id": 1, "list": {"cursor": "zz"}})") == schema::ErrorCode::INVALID_ARGUMENT);

  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page =
        call(R"({"id": 1, "list": {"limit": 10, "cursor": ")" + cursor + R"("}})").getList();
    for (auto v : page.getEntries()) seen.insert(v.getId().cStr());
    cursor = page.getNextCursor().cStr();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(seen.size() == 26);
  CHECK(pages == 3);
}

TEST_CASE_METHOD(Fixture, "thanks reference entries and unknown ones are refused", "[api][json]") {
  init();
  auto id = add(R"({"contribution": {"actor": "partner"}, "dimension": "household"})");
  auto t = call(R"({"id": 2, "appreciate": {"ids": [")" + id +
                R"("], "note": "thanks for the laundry"}})");
  REQUIRE(t.isEntry());
  CHECK(t.getEntry().getKind() == schema::EntryKind::APPRECIATION);
  REQUIRE(t.getEntry().getEntry().getRefs().size() == 1);
  CHECK(t.getEntry().getEntry().getRefs()[0].getSeq() == 2);
  CHECK(error_of(R"({"id": 3, "appreciate": {"ids": ["0123456789abcdef-5"]}})") ==
        schema::ErrorCode::NOT_FOUND);
}

TEST_CASE_METHOD(Fixture, "export pages through everything oldest first", "[api][json]") {
  init();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(add(R"({"contribution": {}})"));
  auto r = call(R"({"id": 2, "export": {"limit": 3}})").getList();
  REQUIRE(r.getEntries().size() == 3);
  CHECK(std::string(r.getEntries()[0].getId().cStr()) == ids[0]);
  std::string cursor = r.getNextCursor().cStr();
  REQUIRE_FALSE(cursor.empty());
  auto r2 = call(R"({"id": 3, "export": {"limit": 3, "cursor": ")" + cursor + R"("}})").getList();
  REQUIRE(r2.getEntries().size() == 2);
  CHECK(std::string(r2.getEntries()[1].getId().cStr()) == ids[4]);
}

TEST_CASE_METHOD(Fixture, "a subscriber sees entries added on another connection", "[api][json]") {
  init();
  JsonClient watcher(daemon.socket());
  auto sub = parse_response(watcher.call(R"({"id": 77, "subscribe": {}})"));
  REQUIRE(sub->getRoot<schema::Response>().isSubscribed());
  auto id = add(R"({"bid": {"bidder": "partner", "response": "toward"}})");
  auto ev = parse_response(watcher.read_line(5000));
  auto resp = ev->getRoot<schema::Response>();
  CHECK(resp.getId() == 77);
  REQUIRE(resp.isEvent());
  REQUIRE(resp.getEvent().isEntryAdded());
  CHECK(std::string(resp.getEvent().getEntryAdded().getId().cStr()) == id);
  call(R"({"id": 3, "retract": {"id": ")" + id + R"("}})");
  auto ev2 = parse_response(watcher.read_line(5000));
  REQUIRE(ev2->getRoot<schema::Response>().getEvent().isEntryChanged());
  CHECK(ev2->getRoot<schema::Response>().getEvent().getEntryChanged().getRetracted());
}

TEST_CASE_METHOD(Fixture, "a client vanishing mid-request harms nothing", "[api][json]") {
  init();
  {
    JsonClient gone(daemon.socket());
    gone.send_raw(R"({"id": 1, "add": {"entry": {"contribution": {}, "note": "half)");
  }
  {
    JsonClient gone(daemon.socket());
    gone.send_raw(R"({"id": 1, "add": {"entry": {"contribution": {}}}})"
                  "\n");
  }
  auto s = call(R"({"id": 2, "status": {}})");
  REQUIRE(s.isStatus());
  CHECK(s.getStatus().getOwnEntries() <= 2);
}

TEST_CASE_METHOD(Fixture, "private entries stay out of the signed log", "[api][json]") {
  init();
  auto r = call(
      R"({"id": 2, "add": {"entry": {"contribution": {}, "visibility": "private", "note": "draft"}}})");
  REQUIRE(r.isEntry());
  CHECK(std::string(r.getEntry().getId().cStr()).rfind("local-", 0) == 0);
  auto s = call(R"({"id": 3, "status": {}})").getStatus();
  CHECK(s.getPrivateEntries() == 1);
  CHECK(s.getOwnEntries() == 1);
}

TEST_CASE("a second daemon on the same data directory is refused", "[api][daemon]") {
  TempDir dir;
  DaemonProcess first(dir.path() + "/data", dir.path() + "/a.sock");
  auto r = run(
      {binary("tandemd"), "--data-dir", dir.path() + "/data", "--socket", dir.path() + "/b.sock"});
  CHECK(r.code == 1);
  CHECK(r.err.find("another tandemd is already running") != std::string::npos);
}

TEST_CASE("SIGTERM shuts the daemon down cleanly and removes its socket", "[api][daemon]") {
  TempDir dir;
  DaemonProcess d(dir.path() + "/data", dir.path() + "/run/s.sock");
  int status = d.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(::access((dir.path() + "/run/s.sock").c_str(), F_OK) != 0);
}

TEST_CASE("the socket is 0600 in a 0700 directory", "[api][daemon]") {
  TempDir dir;
  DaemonProcess d(dir.path() + "/data", dir.path() + "/run/s.sock");
  struct stat st {};
  REQUIRE(::stat((dir.path() + "/run/s.sock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir.path() + "/run").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("a client of another uid is refused even when file permissions would let it in",
          "[api][daemon][security]") {
  if (::geteuid() != 0) {
    WARN("needs root to act as another uid; skipped");
    return;
  }
  TempDir dir;
  DaemonProcess d(dir.path() + "/data", dir.path() + "/run/s.sock");
  // Open the path up so that only SO_PEERCRED stands between the other uid and the daemon.
  ::chmod(dir.path().c_str(), 0755);
  ::chmod((dir.path() + "/run").c_str(), 0755);
  ::chmod((dir.path() + "/run/s.sock").c_str(), 0666);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, (dir.path() + "/run/s.sock").c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ::_exit(11);
    const char req[] = "{\"id\": 1, \"status\": {}}\n";
    if (::send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0) ::_exit(0);  // already closed: refused
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 5000);
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::_exit(n > 0 ? 1 : 0);  // any answer would be a breach
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(d.log().find("refused a local client of uid 65534") != std::string::npos);
  // The owner is still served.
  JsonClient c(d.socket());
  CHECK(
      parse_response(c.call(R"({"id": 2, "status": {}})"))->getRoot<schema::Response>().isStatus());
}

TEST_CASE("SIGHUP reloads the configuration and the daemon keeps serving", "[api][daemon]") {
  TempDir dir;
  DaemonProcess d(dir.path() + "/data", dir.path() + "/run/s.sock");
  ::kill(d.pid(), SIGHUP);
  JsonClient c(d.socket());
  CHECK(
      parse_response(c.call(R"({"id": 1, "status": {}})"))->getRoot<schema::Response>().isStatus());
  for (int i = 0; i < 100 && d.log().find("configuration reloaded") == std::string::npos; ++i) {
    ::usleep(20000);
  }
  CHECK(d.log().find("configuration reloaded") != std::string::npos);
}

TEST_CASE("a sanitizer's report in a daemon's log is found, and a clean log passes", "[support]") {
  CHECK(tandem::test::sanitizer_report("[info] tandemd ready\n[info] stopped\n").empty());
  const std::string leak =
      "[info] stopping\n==4242==ERROR: LeakSanitizer: detected memory leaks\nDirect leak of 8 "
      "bytes\n";
  CHECK(tandem::test::sanitizer_report(leak).rfind("==4242==ERROR: LeakSanitizer", 0) == 0);
  const std::string ub = "[info] up\ndaemon/x.cpp:3:5: runtime error: signed integer overflow\n";
  CHECK(tandem::test::sanitizer_report(ub).find("signed integer overflow") != std::string::npos);
}
