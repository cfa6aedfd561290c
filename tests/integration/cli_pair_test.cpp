// `tandem pair invite` and `tandem pair join` end to end: the real CLI against real daemons, in
// text and with --json, with the exit codes scripts rely on (0 paired, 1 refused or expired).
#include "tests/support/devices.hpp"
#include "tests/support/spawned.hpp"

#include <capnp/compat/json.h>
#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::test;

namespace {

std::vector<std::string> cli(Device& d, std::vector<std::string> args) {
  args.insert(args.begin(), {binary("tandem"), "--socket", d.daemon.socket()});
  return args;
}

// One member of a JSON object line, as text ("" when absent).
std::string field(const std::string& line, const char* name) {
  capnp::JsonCodec codec;
  capnp::MallocMessageBuilder msg;
  auto root = msg.initRoot<capnp::JsonValue>();
  codec.decodeRaw(kj::StringPtr(line.c_str()), root);
  for (auto f : root.asReader().getObject()) {
    if (f.getName() != name) continue;
    auto v = f.getValue();
    if (v.isString()) return v.getString().cStr();
    if (v.isNumber()) return std::to_string(static_cast<long long>(v.getNumber()));
    if (v.isBoolean()) return v.getBoolean() ? "true" : "false";
  }
  return "";
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// A running `tandem pair invite` and what it printed first.
struct Invite {
  std::unique_ptr<Spawned> proc;
  std::string code;
  std::string port;
};

// Starts `tandem pair invite ARGS` on `d` and reads the code (and the port) it prints.
Invite start_invite(Device& d, std::vector<std::string> args = {}, bool json = false) {
  args.insert(args.begin(), {"pair", "invite"});
  if (json) args.push_back("--json");
  Invite inv;
  inv.proc = std::make_unique<Spawned>(cli(d, args));
  if (json) {
    REQUIRE(inv.proc->wait_for("}\n"));
    const std::string line = first_line(inv.proc->out());
    inv.code = field(line, "code");
    inv.port = field(line, "port");
  } else {
    REQUIRE(inv.proc->wait_for("\n"));
    REQUIRE(inv.proc->wait_for(")\n", /*from_err=*/true));  // "(not on the same network? ...)"
    const std::string line = first_line(inv.proc->out());
    REQUIRE(line.starts_with("code: "));
    inv.code = line.substr(6);
    const auto& err = inv.proc->err();
    const auto colon = err.find("THIS-HOST:");
    REQUIRE(colon != std::string::npos);
    inv.port = err.substr(colon + 10, err.find(')', colon) - colon - 10);
  }
  INFO(inv.proc->out() << inv.proc->err());
  REQUIRE(!inv.code.empty());
  REQUIRE(!inv.port.empty());
  return inv;
}

std::string wrong_code(const std::string& code) {
  // Same channel, the same (valid) words in another order.
  auto d1 = code.find('-'), d2 = code.find('-', d1 + 1), d3 = code.find('-', d2 + 1);
  return code.substr(0, d1) + "-" + code.substr(d3 + 1) + "-" + code.substr(d1 + 1, d2 - d1 - 1) +
         "-" + code.substr(d2 + 1, d3 - d2 - 1);
}

}  // namespace

TEST_CASE("pair invite and pair join through the CLI, in text", "[cli][pair][network]") {
  Device alex, sam;
  REQUIRE(run(cli(alex, {"init", "--name", "Alex"})).code == 0);
  Invite inv = start_invite(alex);
  CHECK(inv.proc->err().find("tandem pair join " + inv.code + " --name NAME") != std::string::npos);
  CHECK(inv.proc->err().find("good for one try, for 10 minutes (until ") != std::string::npos);
  auto joined = run(cli(sam, {"pair", "join", inv.code, "--name", "Sam", "--device-name",
                              "sam-laptop", "--address", "127.0.0.1:" + inv.port}));
  INFO(joined.err);
  CHECK(joined.code == 0);
  CHECK(joined.out.starts_with("paired: sam-laptop ("));
  CHECK(joined.out.find(") joined as Sam\n") != std::string::npos);
  auto invited = inv.proc->finish();
  INFO(invited.err);
  CHECK(invited.code == 0);
  CHECK(invited.out.find("\npaired: sam-laptop (") != std::string::npos);
  CHECK(invited.out.find(") joined as Sam\n") != std::string::npos);
  // Through pipes: no progress line, no control bytes.
  CHECK(invited.err.find('\r') == std::string::npos);
  CHECK(joined.err.find('\r') == std::string::npos);
}

TEST_CASE("pair invite and pair join through the CLI, with --json", "[cli][pair][network]") {
  Device alex, laptop;
  REQUIRE(run(cli(alex, {"init", "--name", "Alex"})).code == 0);
  Invite inv = start_invite(alex, {"--device", "--timeout", "120"}, /*json=*/true);
  const std::string line = first_line(inv.proc->out());
  const auto expires = std::stoull(field(line, "expiresAt"));
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  CHECK(expires > now + 110'000);
  CHECK(expires <= now + 120'000);
  auto joined = run(cli(laptop, {"pair", "join", inv.code, "--device-name", "laptop-2", "--address",
                                 "127.0.0.1:" + inv.port, "--json"}));
  INFO(joined.err);
  REQUIRE(joined.code == 0);
  CHECK(field(joined.out, "deviceName") == "laptop-2");
  CHECK(field(joined.out, "memberName") == "Alex");
  CHECK(field(joined.out, "asDevice") == "true");
  CHECK(field(joined.out, "deviceId").size() == 16);
  auto invited = inv.proc->finish();
  INFO(invited.err);
  REQUIRE(invited.code == 0);
  const std::string last = invited.out.substr(invited.out.find('\n') + 1);
  CHECK(field(last, "deviceId") == field(joined.out, "deviceId"));
  CHECK(field(last, "asDevice") == "true");
  CHECK(invited.err.empty());  // --json: no notes
}

TEST_CASE("a wrong code through the CLI exits 1 on both sides with a clear message",
          "[cli][pair][network][security]") {
  Device alex, eve;
  REQUIRE(run(cli(alex, {"init", "--name", "Alex"})).code == 0);
  const bool json = GENERATE(false, true);
  Invite inv = start_invite(alex, {}, json);
  std::vector<std::string> args = {"pair", "join",      wrong_code(inv.code),   "--name",
                                   "Eve",  "--address", "127.0.0.1:" + inv.port};
  if (json) args.push_back("--json");
  auto joined = run(cli(eve, args));
  INFO(joined.err);
  CHECK(joined.code == 1);
  CHECK(joined.out.empty());
  CHECK(joined.err.starts_with("tandem: forbidden: wrong code: nothing was shared"));
  auto invited = inv.proc->finish();
  INFO(invited.err);
  CHECK(invited.code == 1);
  CHECK(invited.err.find("tandem: forbidden: wrong code: nothing was shared; the code is spent, "
                         "run `tandem pair invite` again") != std::string::npos);
  // A second guess, now with the right code, finds the code spent.
  auto again = run(
      cli(eve, {"pair", "join", inv.code, "--name", "Eve", "--address", "127.0.0.1:" + inv.port}));
  INFO(again.err);
  CHECK(again.code == 1);
  CHECK(again.err.find("the code was most likely used already or has expired") !=
        std::string::npos);
  CHECK(run(cli(eve, {"status", "--json"})).out.find("\"initialized\":true") == std::string::npos);
}

TEST_CASE("pair invite says how long its code is good for", "[cli][pair]") {
  Device alex;
  REQUIRE(run(cli(alex, {"init", "--name", "Alex"})).code == 0);
  SECTION("seconds under two minutes") {
    // It expires in the test's time: exit 1, saying so.
    auto r = run(cli(alex, {"pair", "invite", "--timeout", "1"}));
    CHECK(r.err.find("The code is good for one try, for 1 second (until ") != std::string::npos);
    CHECK(r.code == 1);
    CHECK(r.err.find("tandem: unavailable: the code expired before a device joined") !=
          std::string::npos);
  }
  SECTION("30 seconds") {
    Invite inv = start_invite(alex, {"--timeout", "30"});
    CHECK(inv.proc->err().find("for 30 seconds (until ") != std::string::npos);
  }
  SECTION("minutes and seconds") {
    Invite inv = start_invite(alex, {"--timeout", "150"});
    CHECK(inv.proc->err().find("for 2 minutes 30 seconds (until ") != std::string::npos);
  }
  SECTION("--quiet prints the code alone") {
    auto proc = Spawned(cli(alex, {"pair", "invite", "--timeout", "1", "--quiet"}));
    auto r = proc.finish();
    CHECK(r.out.starts_with("code: "));
    CHECK(r.err.find("good for") == std::string::npos);
    CHECK(r.err.find("expired") != std::string::npos);  // errors still show
  }
}

TEST_CASE("joining with an expired code through the CLI says what most likely happened",
          "[cli][pair][network]") {
  Device alex, sam;
  REQUIRE(run(cli(alex, {"init", "--name", "Alex"})).code == 0);
  Invite inv = start_invite(alex, {"--timeout", "1"});
  CHECK(inv.proc->finish().code == 1);
  auto joined = run(
      cli(sam, {"pair", "join", inv.code, "--name", "Sam", "--address", "127.0.0.1:" + inv.port}));
  INFO(joined.err);
  CHECK(joined.code == 1);
  CHECK(joined.err.starts_with("tandem: unavailable: no invite is open at 127.0.0.1:" + inv.port));
  CHECK(joined.err.find("used already or has expired") != std::string::npos);
  CHECK(joined.err.find("run `tandem pair invite` again") != std::string::npos);
}
