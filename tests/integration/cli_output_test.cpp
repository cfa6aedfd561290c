// The CLI's output habits: --quiet prints only errors and the data asked for, --verbose adds the
// socket and each request's time on stderr and leaves stdout alone, --json stays one clean
// document, colour only on a terminal and never with NO_COLOR.
#include "tests/support/daemon_process.hpp"
#include "tests/support/pty_run.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace tandem;
using namespace tandem::test;

namespace {

struct Cli {
  TempDir dir;
  DaemonProcess daemon{dir.path() + "/data", dir.path() + "/run/tandemd.sock"};

  RunResult tandem(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {binary("tandem"), "--socket", daemon.socket()});
    return run(args, "", env);
  }
  PtyResult tandem_on_pty(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {binary("tandem"), "--socket", daemon.socket()});
    return run_on_pty(args, env);
  }
};

}  // namespace

TEST_CASE_METHOD(Cli, "with --quiet, only errors and the data asked for are printed",
                 "[cli][output]") {
  auto init = tandem({"init", "--name", "Alex", "--quiet"});
  CHECK(init.code == 0);
  CHECK(init.out.empty());
  CHECK(init.err.empty());

  auto none = tandem({"--quiet", "list"});
  CHECK(none.code == 0);
  CHECK(none.err.empty());  // not "no entries"
  CHECK(tandem({"list"}).err == "no entries\n");

  // A write prints the new entry's id alone, for scripts: id=$(tandem -q add ...).
  auto added = tandem({"-q", "add", "bid", "--bidder", "partner", "--response", "toward"});
  CHECK(added.code == 0);
  CHECK(std::regex_match(added.out, std::regex("[0-9a-f]{16}-[0-9]+\n")));
  CHECK(added.err.empty());
  const std::string id = added.out.substr(0, added.out.size() - 1);
  auto edited = tandem({"edit", id, "--heard", "4", "--quiet"});
  CHECK(edited.out == id + "\n");
  auto retracted = tandem({"retract", id, "-q"});
  CHECK(retracted.code == 0);
  CHECK(retracted.out.empty());

  // Errors still speak.
  auto missing = tandem({"-q", "show", "0123456789abcdef-99"});
  CHECK(missing.code == 1);
  CHECK(missing.err.starts_with("tandem: notFound: "));
  auto gone = run({binary("tandem"), "--socket", dir.path() + "/nowhere.sock", "-q", "status"});
  CHECK(gone.code == 3);
  CHECK_FALSE(gone.err.empty());
}

TEST_CASE_METHOD(Cli,
                 "with --verbose, the socket and timings go to stderr and stdout stays the same",
                 "[cli][output]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  auto plain = tandem({"--json", "status"});
  auto loud = tandem({"--json", "--verbose", "status"});
  REQUIRE(loud.code == 0);
  // The same single JSON document (the status has no clock in it).
  CHECK(loud.out == plain.out);
  CHECK(std::count(loud.out.begin(), loud.out.end(), '\n') == 1);
  CHECK(loud.err.find("tandem: socket " + daemon.socket() + " (from --socket)\n") !=
        std::string::npos);
  CHECK(std::regex_search(loud.err, std::regex(R"(tandem: status #1: answered in [0-9.]+ ms)")));
  CHECK(std::regex_search(loud.err, std::regex(R"(tandem: status done in [0-9.]+ ms, exit 0)")));

  auto both = tandem({"-q", "-v", "status"});
  CHECK(both.code == 2);
  CHECK(both.err.find("--quiet or --verbose") != std::string::npos);
}

TEST_CASE_METHOD(Cli, "colour only on a terminal, and never with NO_COLOR", "[cli][output]") {
  REQUIRE(tandem({"init", "--name", "Alex", "--partner-name", "Sam"}).code == 0);
  auto piped = tandem({"report"});
  REQUIRE(piped.code == 0);
  CHECK(piped.out.find('\x1b') == std::string::npos);
  CHECK(piped.err.empty());  // a quick report draws no waiting line

  auto coloured = tandem_on_pty({"report"});
  REQUIRE(coloured.code == 0);
  CHECK(coloured.output.find("\x1b[1m") != std::string::npos);
  // NO_COLOR set and not empty turns colour off (https://no-color.org); empty leaves it on.
  auto plain = tandem_on_pty({"report"}, {"NO_COLOR=1"});
  REQUIRE(plain.code == 0);
  CHECK(plain.output.find('\x1b') == std::string::npos);
  CHECK(tandem_on_pty({"report"}, {"NO_COLOR="}).output.find("\x1b[1m") != std::string::npos);
  // TERM=dumb: no colour, no cursor movement.
  CHECK(tandem_on_pty({"report"}, {"TERM=dumb"}).output.find('\x1b') == std::string::npos);
  // --json on a terminal: the document alone.
  auto json = tandem_on_pty({"--json", "report"});
  CHECK(json.output.find('\x1b') == std::string::npos);
}
