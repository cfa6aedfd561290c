// The whole CLI (run_cli) against the fake API server: what it sends, prints and exits with.
#include "client/commands.hpp"
#include "tests/client/sample_views.hpp"
#include "tests/support/fake_api_server.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace tandem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

std::string slurp(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

Run run(std::vector<std::string> args, const std::string& input = "") {
  client::Io io;
  io.out = std::tmpfile();
  io.err = std::tmpfile();
  io.in = std::tmpfile();
  std::fputs(input.c_str(), io.in);
  std::rewind(io.in);
  io.today = std::chrono::sys_days(std::chrono::year(2026) / std::chrono::November / 25);
  args.insert(args.begin(), "tandem");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  int code = client::run_cli(static_cast<int>(argv.size()), argv.data(), io);
  std::fclose(io.in);
  return Run{code, slurp(io.out), slurp(io.err)};
}

// Answers every request the way a healthy daemon with one entry would.
void healthy(schema::Request::Reader request, test::Replies& replies) {
  switch (request.which()) {
    case schema::Request::STATUS: {
      auto s = replies.add().initStatus();
      s.setApiVersion(1);
      s.setInitialized(true);
      s.setMemberName("Sam");
      break;
    }
    case schema::Request::INIT: {
      auto i = replies.add().initInit();
      i.setSpaceId("aa");
      i.setDeviceId("bb");
      break;
    }
    case schema::Request::ADD:
    case schema::Request::GET:
    case schema::Request::EDIT:
    case schema::Request::APPRECIATE:
      test::fill_contribution_view(replies.add().initEntry());
      break;
    case schema::Request::RETRACT:
      replies.add().initRetracted().setId(request.getRetract().getId());
      break;
    case schema::Request::LIST:
    case schema::Request::EXPORT: {
      // Two pages: the first has a cursor, the second does not.
      auto cursor =
          request.isList() ? request.getList().getCursor() : request.getExport().getCursor();
      bool first = cursor.size() == 0;
      auto list = replies.add().initList();
      test::fill_contribution_view(list.initEntries(1)[0],
                                   first ? "0123456789abcdef-1" : "0123456789abcdef-2");
      if (first) list.setNextCursor("page2");
      break;
    }
    case schema::Request::SUBSCRIBE: {
      replies.add().initSubscribed();
      test::fill_contribution_view(replies.add().initEvent().initEntryAdded());
      test::fill_contribution_view(replies.add().initEvent().initEntryChanged());
      replies.close();
      break;
    }
    default:
      replies.error(schema::ErrorCode::UNKNOWN_REQUEST, "not in the fake");
  }
}

}  // namespace

TEST_CASE("cli: the issue's add example sends the right Add request", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"add", "contribution", "--dimension", "household", "--by", "me", "--effort", "2",
                "--phase", "execute", "--on", "yesterday", "cooked dinner", "--socket",
                server.socket_path()});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, StartsWith("added 0123456789abcdef-7"));
  REQUIRE(server.request_count() == 1);
  auto sent = server.requests_json()[0];
  CHECK_THAT(sent,
             Contains("\"contribution\":{\"actor\":\"me\",\"effort\":2,\"phase\":\"execute\"}"));
  CHECK_THAT(sent, Contains("\"dimension\":\"household\""));
  CHECK_THAT(sent, Contains("\"date\":\"2026-11-24\""));
  CHECK_THAT(sent, Contains("\"note\":\"cooked dinner\""));
}

TEST_CASE("cli: --json prints exactly one JSON document", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"--json", "status", "--socket", server.socket_path()});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "{\"apiVersion\":1,\"initialized\":true,\"memberName\":\"Sam\",\"entries\":\"0\","
        "\"ownEntries\":\"0\",\"privateEntries\":\"0\",\"locked\":false,\"passphrase\":false}\n");
  auto a = run({"add", "bid", "--json", "--socket", server.socket_path()});
  CHECK(a.code == 0);
  CHECK_THAT(a.out, StartsWith("{\"id\":\"0123456789abcdef-7\""));
  CHECK(std::count(a.out.begin(), a.out.end(), '\n') == 1);
}

TEST_CASE("cli: the note can come from stdin", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"add", "support", "--form", "presence", "-", "--socket", server.socket_path()},
               "sat with them\nall evening\n");
  CHECK(r.code == 0);
  CHECK_THAT(server.requests_json()[0], Contains("\"note\":\"sat with them\\nall evening\""));
}

TEST_CASE("cli: usage errors exit 2 without calling the daemon", "[client][cli]") {
  test::FakeApiServer server(healthy);
  const std::string sock = server.socket_path();
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"add", "hug", "--socket", sock},
           {"add", "contribution", "--effort", "9", "--socket", sock},
           {"add", "contribution", "--phase", "plan", "--socket", sock},
           {"add", "contribution", "--heard", "3", "--socket", sock},
           {"add", "contribution", "a", "--note", "b", "--socket", sock},
           {"show", "not-an-id", "--socket", sock},
           {"list", "--kind", "hug", "--socket", sock},
           {"list", "--since", "someday", "--socket", sock},
           {"init", "--socket", sock},
           {"frobnicate"},
           {}}) {
    auto r = run(args);
    INFO(r.err);
    CHECK(r.code == 2);
  }
  CHECK(server.request_count() == 0);
  auto hug = run({"add", "hug", "--socket", sock});
  CHECK_THAT(hug.err, StartsWith("tandem: add: unknown kind 'hug'; valid kinds: contribution, "));
  CHECK_THAT(hug.err, Contains("important-date"));
  auto bad = run({"add", "contribution", "--phase", "plan", "--socket", sock});
  CHECK(bad.err ==
        "tandem: bad --phase 'plan'; valid values: anticipate, identify, decide, execute, "
        "monitor\n");
}

TEST_CASE("cli: --help exits 0 and shows the exit codes", "[client][cli]") {
  auto r = run({"--help"});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains("3 the daemon is not running"));
  auto k = run({"add", "conflict", "--help"});
  CHECK(k.code == 0);
  CHECK_THAT(k.out, Contains("--apologised-first"));
}

TEST_CASE("cli: no daemon exits 3 and says how to start it", "[client][cli]") {
  auto r = run({"status", "--socket", "/nonexistent/tandemd.sock"});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Contains("tandemd is not running"));
  CHECK_THAT(r.err, Contains("tandemd --data-dir DIR"));
  CHECK_THAT(r.err, Contains("systemctl --user start tandemd"));
}

TEST_CASE("cli: a daemon error exits 1 with code and message", "[client][cli]") {
  test::FakeApiServer server([](schema::Request::Reader, test::Replies& replies) {
    replies.error(schema::ErrorCode::NOT_INITIALIZED, "run `tandem init` first");
  });
  auto r = run({"status", "--socket", server.socket_path()});
  CHECK(r.code == 1);
  CHECK(r.err == "tandem: notInitialized: run `tandem init` first\n");
  CHECK(r.out.empty());
}

TEST_CASE("cli: garbage from the daemon exits 4", "[client][cli]") {
  test::FakeApiServer server([](schema::Request::Reader, test::Replies& replies) {
    replies.raw(std::string("\xff\xff\xff\x7fgarbage!", 12));
  });
  auto r = run({"status", "--socket", server.socket_path()});
  CHECK(r.code == 4);
  CHECK_THAT(r.err, StartsWith("tandem: protocol error"));
}

TEST_CASE("cli: the wrong kind of answer exits 4", "[client][cli]") {
  test::FakeApiServer server(
      [](schema::Request::Reader, test::Replies& replies) { replies.add().initSubscribed(); });
  CHECK(run({"show", "0123456789abcdef-7", "--socket", server.socket_path()}).code == 4);
}

TEST_CASE("cli: list prints one line per entry; --all follows the cursor", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto one = run({"list", "--kind", "important-date", "--by", "partner", "--since", "3d",
                  "--socket", server.socket_path()});
  CHECK(one.code == 0);
  CHECK(std::count(one.out.begin(), one.out.end(), '\n') == 1);
  CHECK_THAT(one.err, Contains("--cursor page2"));
  auto sent = server.requests_json()[0];
  CHECK_THAT(sent, Contains("\"kind\":\"importantDate\""));
  CHECK_THAT(sent, Contains("\"actor\":\"partner\""));
  CHECK_THAT(sent, Contains("\"since\":\"2026-11-22\""));

  auto all = run({"list", "--all", "--json", "--socket", server.socket_path()});
  CHECK(all.code == 0);
  CHECK_THAT(all.out, Contains("0123456789abcdef-1"));
  CHECK_THAT(all.out, Contains("0123456789abcdef-2"));
  CHECK(std::count(all.out.begin(), all.out.end(), '\n') == 1);
}

TEST_CASE("cli: export writes one JSON line per entry across pages", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"export", "--socket", server.socket_path()});
  CHECK(r.code == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
  CHECK_THAT(r.out, StartsWith("{\"id\":\"0123456789abcdef-1\""));
  CHECK(server.request_count() == 2);
}

TEST_CASE("cli: edit fetches the entry and sends it back with the flags applied", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"edit", "0123456789abcdef-7", "--effort", "3", "--reason", "it was a feast",
                "--socket", server.socket_path()});
  CHECK(r.code == 0);
  REQUIRE(server.request_count() == 2);
  auto sent = server.requests_json()[1];
  CHECK_THAT(sent, Contains("\"edit\":{\"id\":\"0123456789abcdef-7\""));
  CHECK_THAT(sent, Contains("\"effort\":3"));
  CHECK_THAT(sent, Contains("\"phase\":\"execute\""));
  CHECK_THAT(sent, Contains("\"note\":\"cooked dinner\""));
  CHECK_THAT(sent, Contains("\"reason\":\"it was a feast\""));

  auto wrong =
      run({"edit", "0123456789abcdef-7", "--heard", "3", "--socket", server.socket_path()});
  CHECK(wrong.code == 2);
  CHECK_THAT(wrong.err, Contains("--heard does not apply to contribution entries"));
}

TEST_CASE("cli: retract, thanks and show", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r =
      run({"retract", "0123456789abcdef-7", "--reason", "typo", "--socket", server.socket_path()});
  CHECK(r.code == 0);
  CHECK(r.out == "retracted 0123456789abcdef-7\n");
  auto t = run({"thanks", "0123456789abcdef-7", "0123456789abcdef-8", "dinner was lovely",
                "--socket", server.socket_path()});
  CHECK(t.code == 0);
  CHECK_THAT(server.requests_json()[1],
             Contains("\"ids\":[\"0123456789abcdef-7\",\"0123456789abcdef-8\"],\"note\":\"dinner "
                      "was lovely\""));
  auto s = run({"show", "0123456789abcdef-7", "--socket", server.socket_path()});
  CHECK(s.code == 0);
  CHECK_THAT(s.out, Contains("effort:           2\n"));
}

TEST_CASE("cli: watch prints each event as a JSON line", "[client][cli]") {
  test::FakeApiServer server(healthy);
  auto r = run({"watch", "--json", "--socket", server.socket_path()});
  CHECK(r.code == 3);  // the fake hangs up after two events
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
  CHECK_THAT(r.out, StartsWith("{\"entryAdded\":"));
  CHECK_THAT(r.out, Contains("{\"entryChanged\":"));
}
