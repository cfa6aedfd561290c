// The tandem CLI end to end: the real binary against a real tandemd in a temporary directory.
#include "tests/support/daemon_process.hpp"
#include "tests/support/data_dir.hpp"
#include "tests/support/devices.hpp"

#include <capnp/compat/json.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <fstream>

using namespace tandem;
using namespace tandem::test;

namespace {

struct Cli {
  TempDir dir;
  DaemonProcess daemon{dir.path() + "/data", dir.path() + "/run/tandemd.sock"};

  RunResult tandem(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {binary("tandem"), "--socket", daemon.socket()});
    return run(args, in);
  }
  // Runs with --json and parses the document as a JsonValue.
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
  static std::string field(capnp::JsonValue::Reader v, const char* name) {
    for (auto f : v.getObject()) {
      if (f.getName() == name) {
        if (f.getValue().isString()) return f.getValue().getString().cStr();
        if (f.getValue().isNumber())
          return std::to_string(static_cast<long long>(f.getValue().getNumber()));
        if (f.getValue().isBoolean()) return f.getValue().getBoolean() ? "true" : "false";
        return "<object>";
      }
    }
    return "";
  }
  static capnp::JsonValue::Reader member(capnp::JsonValue::Reader v, const char* name) {
    for (auto f : v.getObject()) {
      if (f.getName() == name) return f.getValue();
    }
    FAIL("no member " << name);
    return v;
  }
};

}  // namespace

TEST_CASE_METHOD(Cli, "init, add, list, show, edit, thanks, retract and export through the CLI",
                 "[cli]") {
  REQUIRE(tandem({"init", "--name", "Alex", "--partner-name", "Sam"}).code == 0);
  auto st = json({"status"});
  CHECK(field(st->getRoot<capnp::JsonValue>(), "memberName") == "Alex");

  auto added =
      json({"add", "contribution", "--dimension", "household", "--by", "partner", "--effort", "2",
            "--phase", "decide", "--on", "2026-03-04", "planned the meals"});
  auto view = added->getRoot<capnp::JsonValue>();
  std::string id = field(view, "id");
  REQUIRE_FALSE(id.empty());
  auto entry = member(view, "entry");
  CHECK(field(entry, "date") == "2026-03-04");
  CHECK(field(entry, "note") == "planned the meals");
  CHECK(field(member(entry, "contribution"), "actor") == "partner");
  CHECK(field(member(entry, "contribution"), "phase") == "decide");

  // The note from stdin.
  auto from_stdin =
      tandem({"add", "bid", "--bidder", "me", "--response", "toward", "-"}, "asked for a walk\n");
  REQUIRE(from_stdin.code == 0);
  CHECK(from_stdin.out.find("asked for a walk") != std::string::npos);

  auto list = tandem({"list", "--kind", "contribution"});
  REQUIRE(list.code == 0);
  CHECK(list.out.find(id) != std::string::npos);
  CHECK(list.out.find("asked for a walk") == std::string::npos);

  auto show = tandem({"show", id});
  REQUIRE(show.code == 0);
  CHECK(show.out.find("planned the meals") != std::string::npos);

  REQUIRE(tandem({"edit", id, "--effort", "3"}).code == 0);
  auto edited = json({"show", id});
  CHECK(field(member(member(edited->getRoot<capnp::JsonValue>(), "entry"), "contribution"),
              "effort") == "3");
  CHECK(field(edited->getRoot<capnp::JsonValue>(), "edited") == "true");

  REQUIRE(tandem({"thanks", id, "thank you"}).code == 0);

  auto exported = tandem({"export"});
  REQUIRE(exported.code == 0);
  auto lines = std::count(exported.out.begin(), exported.out.end(), '\n');
  CHECK(lines >= 4);  // two entries, the edit and the thanks

  REQUIRE(tandem({"retract", id, "--reason", "test"}).code == 0);
  auto after = tandem({"list", "--kind", "contribution"});
  CHECK(after.out.find(id) == std::string::npos);
  auto again = tandem({"retract", id});
  CHECK(again.code == 1);
  CHECK(again.err.find("notFound") != std::string::npos);
}

TEST_CASE_METHOD(Cli, "usage errors exit 2 and name the valid values", "[cli]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  auto r = tandem({"add", "contribution", "--dimension", "chores"});
  CHECK(r.code == 2);
  CHECK(r.err.find("household") != std::string::npos);
  CHECK(tandem({"add", "contribution", "--effort", "9"}).code != 0);
  CHECK(tandem({"frobnicate"}).code == 2);
}

TEST_CASE_METHOD(Cli, "the socket comes from TANDEM_SOCKET when --socket is absent", "[cli]") {
  auto r = run({binary("tandem"), "status"}, "", {"TANDEM_SOCKET=" + daemon.socket()});
  CHECK(r.code == 0);
  CHECK(r.out.find("initialized") != std::string::npos);
}

TEST_CASE("a stopped daemon is reported with exit code 3 and how to start it", "[cli]") {
  TempDir dir;
  auto r = run({binary("tandem"), "--socket", dir.path() + "/none.sock", "status"});
  CHECK(r.code == 3);
  CHECK(r.err.find("tandemd") != std::string::npos);
}

TEST_CASE_METHOD(Cli, "every command has help text", "[cli]") {
  for (const char* cmd :
       {"init", "status", "add", "edit", "list", "show", "retract", "thanks", "export", "watch"}) {
    INFO(cmd);
    auto r = tandem({cmd, "--help"});
    CHECK(r.code == 0);
    CHECK(r.out.size() > 40);
  }
}

TEST_CASE_METHOD(
    Cli, "doctor finds nothing wrong with a fresh journal, then names a loose key file and its fix",
    "[cli][doctor]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  auto ok = tandem({"doctor"});
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok    daemon") != std::string::npos);
  CHECK(ok.out.find("peers can connect to 127.0.0.1:") != std::string::npos);
  const std::string key = dir.path() + "/data/keys/space.key";
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  auto bad = tandem({"doctor"});
  CHECK(bad.code == 1);
  CHECK(bad.out.find("FAIL  key space.key") != std::string::npos);
  CHECK(bad.out.find("chmod 600 " + key) != std::string::npos);
  ::chmod(key.c_str(), 0600);
}

TEST_CASE_METHOD(Cli,
                 "passphrase set, a locked restart, unlock and remove through the CLI, on stdin",
                 "[cli][passphrase]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  REQUIRE(tandem({"add", "contribution", "dishes"}).code == 0);
  auto plain = tandem({"doctor"});
  CHECK(plain.out.find("warn  passphrase") != std::string::npos);
  CHECK(plain.out.find("tandem passphrase set") != std::string::npos);
  CHECK(tandem({"passphrase", "remove"}).code == 1);  // none to remove
  auto set = tandem({"passphrase", "set"}, "correct horse battery\n");
  INFO(set.err);
  REQUIRE(set.code == 0);
  CHECK(set.out.find("tandem unlock") != std::string::npos);
  CHECK(tandem({"doctor"}).out.find("ok    passphrase") != std::string::npos);
  // The passphrase never appears on the command line: `set` takes no positional argument.
  CHECK(tandem({"passphrase", "set", "correct horse battery"}).code == 2);

  daemon.stop();
  daemon.start();
  auto status = tandem({"status"});
  CHECK(status.code == 0);
  CHECK(status.out.find("locked:          yes") != std::string::npos);
  auto list = tandem({"list"});
  CHECK(list.code == 1);
  CHECK(list.err.find("tandem unlock") != std::string::npos);
  auto doctor = tandem({"doctor"});
  CHECK(doctor.code == 1);
  CHECK(doctor.out.find("FAIL  keys") != std::string::npos);
  auto early = tandem({"passphrase", "remove"}, "correct horse battery\n");
  CHECK(early.code == 1);
  CHECK(early.err.find("run `tandem unlock` first") != std::string::npos);
  auto wrong = tandem({"unlock"}, "correct horse\n");
  CHECK(wrong.code == 1);
  CHECK(wrong.err.find("wrong passphrase") != std::string::npos);
  CHECK(tandem({"unlock"}, "").code == 2);  // no passphrase at all
  auto right = tandem({"unlock"}, "correct horse battery\n");
  INFO(right.err);
  CHECK(right.code == 0);
  CHECK(tandem({"list"}).out.find("dishes") != std::string::npos);
  CHECK(tandem({"unlock", "--json"}, "correct horse battery\n").out == "{\"wasLocked\":false}\n");
  // Removing asks for the current passphrase first.
  CHECK(tandem({"passphrase", "remove"}, "not the one\n").code == 1);
  auto removed = tandem({"passphrase", "remove"}, "correct horse battery\n");
  INFO(removed.err);
  CHECK(removed.code == 0);
  daemon.stop();
  daemon.start();
  CHECK(tandem({"list"}).out.find("dishes") != std::string::npos);
}

TEST_CASE("doctor reports a stopped daemon and how to start it", "[cli][doctor]") {
  TempDir dir;
  auto r = run({binary("tandem"), "--socket", dir.path() + "/none.sock", "doctor"});
  CHECK(r.code == 1);
  CHECK(r.out.find("FAIL  daemon") != std::string::npos);
  CHECK(r.out.find("systemctl --user start tandemd") != std::string::npos);
}

TEST_CASE_METHOD(Cli, "doctor names a loosened socket and data directory, each with its chmod",
                 "[cli][doctor]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  const std::string data = dir.path() + "/data";
  REQUIRE(::chmod(daemon.socket().c_str(), 0666) == 0);
  REQUIRE(::chmod(data.c_str(), 0755) == 0);
  auto r = tandem({"doctor"});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("FAIL  socket: " + daemon.socket() + " has mode 666") != std::string::npos);
  CHECK(r.out.find("fix: chmod 600 " + daemon.socket() + "\n") != std::string::npos);
  CHECK(r.out.find("FAIL  data directory: " + data + " has mode 755") != std::string::npos);
  CHECK(r.out.find("fix: chmod 700 " + data + "\n") != std::string::npos);
  // Following the fixes clears the failures.
  REQUIRE(::chmod(daemon.socket().c_str(), 0600) == 0);
  REQUIRE(::chmod(data.c_str(), 0700) == 0);
  auto fixed = tandem({"doctor"});
  CHECK(fixed.code == 0);
  CHECK(fixed.out.find("FAIL") == std::string::npos);
}

TEST_CASE_METHOD(
    Cli,
    "with the daemon stopped, doctor still checks the socket and data directories, key "
    "files, config file and disk",
    "[cli][doctor]") {
  REQUIRE(tandem({"init", "--name", "Alex"}).code == 0);
  daemon.stop();
  const std::string data = dir.path() + "/data";
  const std::string key = data + "/keys/device.sign";
  REQUIRE(::chmod(data.c_str(), 0750) == 0);
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  const std::string run_dir = dir.path() + "/run";
  REQUIRE(::chmod(run_dir.c_str(), 0755) == 0);
  const std::string conf = dir.path() + "/tandemd.toml";
  {
    std::ofstream f(conf);
    f << "discovery = false\nlisten = \"127.0.0.1:\n";
  }
  auto r = tandem({"doctor", "--data-dir", data, "--config", conf});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("FAIL  daemon: tandemd is not answering") != std::string::npos);
  CHECK(r.out.find("systemctl --user start tandemd") != std::string::npos);
  CHECK(r.out.find("FAIL  data directory: " + data + " has mode 750") != std::string::npos);
  CHECK(r.out.find("fix: chmod 700 " + data + "\n") != std::string::npos);
  CHECK(r.out.find("FAIL  socket directory: " + run_dir + " has mode 755") != std::string::npos);
  CHECK(r.out.find("fix: chmod 700 " + run_dir + "\n") != std::string::npos);
  CHECK(r.out.find("ok    keys directory") != std::string::npos);
  CHECK(r.out.find("FAIL  key device.sign: " + key + " has mode 644") != std::string::npos);
  CHECK(r.out.find("fix: chmod 600 " + key + "\n") != std::string::npos);
  CHECK(r.out.find("ok    key space.key") != std::string::npos);
  CHECK(r.out.find("FAIL  config: " + conf + ":2: ") != std::string::npos);
  CHECK(r.out.find("fix: correct line 2 of " + conf) != std::string::npos);
  CHECK(r.out.find("ok    disk: ") != std::string::npos);

  // The config file's data_dir is where doctor looks when --data-dir is absent.
  {
    std::ofstream f(conf);
    f << "data_dir = \"" << data << "\"\n";
  }
  auto via_config = tandem({"doctor", "--config", conf});
  INFO(via_config.out);
  CHECK(via_config.out.find("ok    config: " + conf + " parses") != std::string::npos);
  CHECK(via_config.out.find("FAIL  data directory: " + data + " has mode 750") !=
        std::string::npos);
  // tandemd itself refuses a data directory others may read: the fixes come first.
  REQUIRE(::chmod(data.c_str(), 0700) == 0);
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  REQUIRE(::chmod(run_dir.c_str(), 0700) == 0);
  daemon.start();
  CHECK(tandem({"doctor", "--config", conf}).out.find("FAIL") == std::string::npos);
}

TEST_CASE("doctor warns about a paired device that has stopped and says how to bring it back",
          "[cli][doctor][network]") {
  Device alex({"--listen", free_listen()});
  Device sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  const std::vector<std::string> doctor = {binary("tandem"), "--socket", alex.daemon.socket(),
                                           "doctor"};
  sam.daemon.stop();
  RunResult r;
  // Alex's daemon notices the closed connection; the finding turns from ok to warn.
  CHECK(eventually([&] {
    r = run(doctor);
    return r.out.find("warn  peer ") != std::string::npos;
  }));
  INFO(r.out);
  CHECK(r.out.find("(Sam): ") != std::string::npos);
  CHECK((r.out.find("not connected, last seen") != std::string::npos ||
         r.out.find("never seen") != std::string::npos));
  CHECK(r.out.find("fix: start tandemd on ") != std::string::npos);
  CHECK(r.out.find("tandem peer add HOST:PORT") != std::string::npos);
  CHECK(r.code == 0);  // a warning, not a failure
}

TEST_CASE("tandem peers shows this device and the partner's, and tandem peer manages static peers",
          "[cli][pair]") {
  Device alex, sam;
  REQUIRE(
      root(alex.call(R"({"id": 1, "init": {"name": "Alex", "deviceName": "laptop"}})")).isInit());
  pair(alex, sam, "Sam");
  REQUIRE(eventually([&] {
    auto p = alex.call(R"({"id": 2, "peers": {}})");
    auto d = root(p).getPeers().getDevices();
    return d.size() == 1 && d[0].getConnected();
  }));
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {binary("tandem"), "--socket", alex.daemon.socket()});
    return run(args);
  };

  auto text = cli({"peers"});
  INFO(text.out << text.err);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("listening on " + alex.listen()) != std::string::npos);
  // One line for this device, one for Sam's, connected, with a round trip and a last-seen time.
  auto line_with = [&](const std::string& what) {
    std::size_t at = text.out.find(what);
    if (at == std::string::npos) return std::string();
    std::size_t begin = text.out.rfind('\n', at) + 1, end = text.out.find('\n', at);
    return text.out.substr(begin, end - begin);
  };
  const std::string mine = line_with("this device");
  CHECK(mine.find("laptop") != std::string::npos);
  CHECK(mine.find("Alex") != std::string::npos);
  CHECK(mine.find(alex.listen()) != std::string::npos);
  const std::string sams = line_with("Sam");
  CHECK(sams.find(" connected") != std::string::npos);
  CHECK(sams.find(" ms") != std::string::npos);
  CHECK(sams.find("not connected") == std::string::npos);

  auto json = cli({"peers", "--json"});
  REQUIRE(json.code == 0);
  CHECK(json.out.find(R"("thisDevice":{)") != std::string::npos);
  CHECK(json.out.find(R"("connected":true)") != std::string::npos);
  CHECK(json.out.find(R"("memberName":"Sam")") != std::string::npos);

  // Static peers: add, list, remove; a bad address is refused with the daemon-error exit code.
  CHECK(cli({"peer", "add", "10.0.0.7:7470"}).code == 0);
  CHECK(cli({"peer", "add", "[fd00::7]:7470"}).code == 0);
  auto listed = cli({"peer", "list"});
  CHECK(listed.out == "10.0.0.7:7470\n[fd00::7]:7470\n");
  CHECK(cli({"peer", "list", "--json"}).out.find(R"("10.0.0.7:7470")") != std::string::npos);
  CHECK(cli({"peer", "remove", "10.0.0.7:7470"}).code == 0);
  CHECK(cli({"peer", "list"}).out == "[fd00::7]:7470\n");
  auto bad = cli({"peer", "add", "not an address"});
  INFO(bad.err);
  CHECK(bad.code == 1);
  CHECK(bad.err.find("peer address 'not an address'") != std::string::npos);
  CHECK(cli({"peer", "list"}).out == "[fd00::7]:7470\n");
}
