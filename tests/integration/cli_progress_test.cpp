// Progress in the CLI, end to end: a long catch-up between two real daemons (after one was off
// while the other's journal grew) watched with `tandem sync --wait` on a pseudo-terminal (a
// progress line drawn in place), and the same command through pipes (nothing but the result; no
// control bytes; --json and --quiet clean).
#include "tests/support/backlog.hpp"
#include "tests/support/data_dir.hpp"
#include "tests/support/devices.hpp"
#include "tests/support/pty_run.hpp"

#include <capnp/compat/json.h>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
