// Progress in the CLI, end to end: a long catch-up between two real daemons (after one was off
// while the other's journal grew) watched with `tandem sync --wait` on a pseudo-terminal (a
// progress line drawn in place), and the same command through pipes (nothing but the result; no
// control bytes; --json and --quiet clean). Likewise a large bundle's export and import, and a
// slow report's wait indicator.
#include "tests/support/backlog.hpp"
#include "tests/support/data_dir.hpp"
#include "tests/support/devices.hpp"
#include "tests/support/pty_run.hpp"

#include <capnp/compat/json.h>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <functional>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

std::uint64_t entries_of(Device& d) {
  return root(d.call(R"({"id": 1, "status": {}})")).getStatus().getEntries();
}

bool has_control_bytes(const std::string& s) {
  return s.find('\r') != std::string::npos || s.find('\x1b') != std::string::npos;
}

}  // namespace

TEST_CASE("a long catch-up shows progress on a terminal and nothing extra through pipes",
          "[cli][progress][network]") {
  constexpr int kBacklog = 60000;
  // Paired while both journals are empty; then Sam's laptop is off for a while and Alex's journal
  // grows (written straight into its store: a year of a busy couple in a second).
  auto alex = std::make_unique<Device>(std::vector<std::string>{"--listen", free_listen()});
  Device sam;
  REQUIRE(root(alex->call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(*alex, sam, "Sam");
  sam.daemon.stop();
  alex->daemon.stop();
  append_backlog(alex->dir.path() + "/data", kBacklog);
  alex->daemon.start();
  const std::uint64_t target = entries_of(*alex);
  REQUIRE(target >= kBacklog);

  // Sam's laptop comes back, and Sam waits for the catch-up at a terminal.
  sam.daemon.start();
  PtyResult pty = run_on_pty(
      {binary("tandem"), "--socket", sam.daemon.socket(), "sync", "--wait", "--timeout", "300"}, {},
      std::chrono::seconds(320));
  INFO(pty.output);
  REQUIRE(pty.code == 0);
  CHECK(entries_of(sam) == target);

  // Drawn in place on one line: carriage return and erase-line, a count with its unit, and the
  // final state once caught up, after the line was cleared.
  CHECK(pty.output.find("\r\x1b[Kcatching up [") != std::string::npos);
  CHECK(pty.output.find(" records") != std::string::npos);
  const auto result = pty.output.rfind("\r\x1b[K");
  REQUIRE(result != std::string::npos);
  const std::string after = pty.output.substr(result + 4);
  CHECK(after.find("caught up\r\n") != std::string::npos);  // Alex's line
  CHECK(after.find("caught up: ") != std::string::npos);    // the closing note
  CHECK(after.find("records moved in") != std::string::npos);

  {  // through pipes: the result on stdout, one note on stderr, no control bytes
    auto r = run({binary("tandem"), "--socket", sam.daemon.socket(), "sync", "--wait"});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_FALSE(has_control_bytes(r.out));
    CHECK_FALSE(has_control_bytes(r.err));
    CHECK(r.out.find("Alex") != std::string::npos);
    CHECK(r.out.find("caught up\n") != std::string::npos);
    CHECK(r.err.starts_with("caught up: 0 records moved in "));
  }
  {  // --quiet: the result and nothing on stderr
    auto r = run({binary("tandem"), "--socket", sam.daemon.socket(), "sync", "--wait", "-q"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("caught up\n") != std::string::npos);
  }
  {  // --json, even on a terminal: one JSON document, the peers with their figures
    auto r = run({binary("tandem"), "--socket", sam.daemon.socket(), "sync", "--wait", "--json"});
    CHECK(r.code == 0);
    REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    capnp::JsonCodec codec;
    capnp::MallocMessageBuilder msg;
    auto list = msg.initRoot<schema::PeerList>();
    codec.decode(kj::StringPtr(r.out.c_str()), list);
    REQUIRE(list.getDevices().size() == 1);
    CHECK(list.getDevices()[0].getFrontierKnown());
    CHECK(list.getDevices()[0].getBehind() == 0);
    CHECK(list.getDevices()[0].getMissing() == 0);
    CHECK(list.getDevices()[0].getInFlight() == 0);
    auto p = run_on_pty({binary("tandem"), "--socket", sam.daemon.socket(), "--json", "sync"});
    CHECK(p.code == 0);
    CHECK(p.output.find('\x1b') == std::string::npos);  // (the terminal itself turns \n into \r\n)
  }
  {  // a wait that cannot end in time says so and exits 1
    alex->daemon.stop();
    auto r = run(
        {binary("tandem"), "--socket", sam.daemon.socket(), "sync", "--wait", "--timeout", "1"});
    CHECK(r.code == 1);
    CHECK(r.err.find("not caught up after 1 s") != std::string::npos);
  }
}

TEST_CASE(
    "a large bundle shows progress on a terminal while exported and imported, and nothing "
    "extra through pipes",
    "[cli][progress][bundle]") {
  constexpr int kBacklog = 30000;
  // Paired while empty; then Alex's journal grows while Sam's laptop is away from any network, so
  // the records travel as a file.
  Device alex({"--listen", free_listen()});
  Device sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  sam.daemon.stop();
  alex.daemon.stop();
  append_backlog(alex.dir.path() + "/data", kBacklog);
  alex.daemon.start();
  const std::string file = alex.dir.path() + "/backlog.bundle";
  const std::string piped = alex.dir.path() + "/piped.bundle";

  {  // export on a terminal: a byte count drawn in place, then cleared before the result
    PtyResult pty =
        run_on_pty({binary("tandem"), "--socket", alex.daemon.socket(), "bundle", "export", file},
                   {}, std::chrono::seconds(120));
    INFO(pty.output);
    REQUIRE(pty.code == 0);
    CHECK(pty.output.find("\r\x1b[Kexporting ") != std::string::npos);
    CHECK(pty.output.find(" bytes") != std::string::npos);
    const auto cleared = pty.output.rfind("\r\x1b[K");
    REQUIRE(cleared != std::string::npos);
    CHECK(pty.output.substr(cleared + 4).starts_with("wrote " + file + ": "));
  }
  {  // export through pipes: the result line only
    auto r = run({binary("tandem"), "--socket", alex.daemon.socket(), "bundle", "export", piped});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_FALSE(has_control_bytes(r.out));
    CHECK(r.err.empty());
    CHECK(r.out.starts_with("wrote " + piped + ": "));
  }
  alex.daemon.stop();  // no network between them from here on
  sam.daemon.start();
  {  // import on a terminal: a bar with the file's size as its total
    PtyResult pty =
        run_on_pty({binary("tandem"), "--socket", sam.daemon.socket(), "bundle", "import", file},
                   {}, std::chrono::seconds(120));
    INFO(pty.output);
    REQUIRE(pty.code == 0);
    CHECK(pty.output.find("\r\x1b[Kimporting [") != std::string::npos);
    CHECK(pty.output.find("%") != std::string::npos);
    const auto cleared = pty.output.rfind("\r\x1b[K");
    REQUIRE(cleared != std::string::npos);
    const std::string result = pty.output.substr(cleared + 4);
    REQUIRE(result.starts_with("imported "));
    CHECK(std::stoul(result.substr(9)) >= kBacklog);  // the backlog, and init's own records
    // (Sam may hold a record or two of Alex's already: the pairing's own, synced before Sam's
    // daemon stopped.)
    CHECK(result.find(" new records (") != std::string::npos);
    CHECK(result.find(" held already) from device ") != std::string::npos);
  }
  CHECK(entries_of(sam) >= kBacklog);
  {  // import through pipes (all held already): the result line only
    auto r = run({binary("tandem"), "--socket", sam.daemon.socket(), "bundle", "import", piped});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK_FALSE(has_control_bytes(r.out));
    CHECK(r.out.starts_with("imported 0 new records"));
  }
}

TEST_CASE("a slow report shows its wait indicator on a terminal and nothing extra through pipes",
          "[cli][progress][report]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  alex.daemon.stop();
  append_backlog(alex.dir.path() + "/data", 20000);
  alex.daemon.start();
  // A report over years of a busy journal takes seconds; here the daemon is paused for 1.5 s
  // while it has the request, so the wait is long on any machine and the test stays quick.
  auto slow_report = [&](const std::function<void()>& ask) {
    REQUIRE(::kill(alex.daemon.pid(), SIGSTOP) == 0);
    std::thread resume([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      ::kill(alex.daemon.pid(), SIGCONT);
    });
    ask();
    resume.join();
  };
  const std::vector<std::string> argv = {binary("tandem"), "--socket", alex.daemon.socket(),
                                         "report",         "--window", "1y"};
  PtyResult pty;
  slow_report([&] { pty = run_on_pty(argv, {}, std::chrono::seconds(60)); });
  INFO(pty.output);
  REQUIRE(pty.code == 0);
  CHECK(pty.output.find("\r\x1b[Kbuilding the report  0:0") != std::string::npos);
  const auto cleared = pty.output.rfind("\r\x1b[K");
  REQUIRE(cleared != std::string::npos);
  const std::string after = pty.output.substr(cleared + 4);
  CHECK(after.find("building the report") == std::string::npos);
  CHECK(after.find("household") != std::string::npos);  // the report itself follows

  RunResult r;
  slow_report([&] { r = run(argv); });
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK_FALSE(has_control_bytes(r.out));
  CHECK(r.out.find("building the report") == std::string::npos);
  CHECK(r.out.find("household") != std::string::npos);
}
