// Pairing progress in the CLI on a pseudo-terminal: the inviter's code counts down in place, then
// says a device connected and the code is being checked; the joiner says where it connects and
// that it checks the code. Through pipes none of it is drawn (cli_pair_test).
#include "tests/support/devices.hpp"
#include "tests/support/pty_run.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <regex>
#include <thread>

using namespace tandem;
using namespace tandem::test;

TEST_CASE("pair invite counts down on a terminal, then shows the check and the result",
          "[cli][progress][pair][network]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  std::thread joiner;
  std::atomic<bool> joined{false};
  std::string join_log;
  const auto countdown =
      std::regex("\r\x1b\\[Kwaiting for the other device…  [0-9]+:[0-9]{2} left");
  auto pty = run_on_pty(
      {binary("tandem"), "--socket", alex.daemon.socket(), "pair", "invite", "--timeout", "60"}, {},
      std::chrono::seconds(60), [&](const std::string& out) {
        // Sam joins once the countdown has gone down a second.
        if (joiner.joinable() || out.find("  0:59 left") == std::string::npos) return;
        std::smatch code, port;
        const std::regex code_re("code: ([0-9a-z-]+)\r\n"), port_re("THIS-HOST:([0-9]+)\\)");
        if (!std::regex_search(out, code, code_re) || !std::regex_search(out, port, port_re)) {
          return;
        }
        joiner = std::thread([&sam, &joined, &join_log, c = code[1].str(), p = port[1].str()] {
          auto r = sam.call(R"({"id": 2, "pairJoin": {"code": ")" + c +
                            R"(", "name": "Sam", "address": "127.0.0.1:)" + p + R"("}})");
          joined = root(r).isPaired();
          if (!joined) join_log = sam.daemon.log();
        });
      });
  if (joiner.joinable()) joiner.join();
  INFO(pty.output);
  INFO(join_log);
  REQUIRE(joined);
  CHECK(pty.code == 0);
  // The countdown is drawn in place and goes down.
  CHECK(std::regex_search(pty.output, countdown));
  std::vector<int> left;  // seconds left, as drawn one after the other
  const std::regex left_re("  ([0-9]+):([0-9]{2}) left");
  for (auto it = std::sregex_iterator(pty.output.begin(), pty.output.end(), left_re);
       it != std::sregex_iterator(); ++it) {
    left.push_back(std::stoi((*it)[1]) * 60 + std::stoi((*it)[2]));
  }
  REQUIRE(left.size() >= 2);
  CHECK(left.front() <= 60);
  CHECK(left.back() < left.front());
  CHECK(std::is_sorted(left.rbegin(), left.rend()));
  // Then the check, on a line of its own, and the result after the line was cleared.
  const auto checking = pty.output.find("a device connected, checking the code…\r\n");
  REQUIRE(checking != std::string::npos);
  const auto paired = pty.output.find("\r\x1b[Kpaired: ");
  REQUIRE(paired != std::string::npos);
  CHECK(checking < paired);
  CHECK(pty.output.find(" joined as Sam\r\n", paired) != std::string::npos);
}

TEST_CASE("pair join shows where it connects and that it checks the code",
          "[cli][progress][pair]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto [conn, first] = invite(alex);
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const std::string address = "127.0.0.1:" + std::to_string(root(first).getPairCode().getPort());
  auto pty = run_on_pty({binary("tandem"), "--socket", sam.daemon.socket(), "pair", "join", code,
                         "--name", "Sam", "--address", address});
  INFO(pty.output);
  CHECK(pty.code == 0);
  CHECK(pty.output.find("\r\x1b[Kconnecting to " + address + "…") != std::string::npos);
  const auto checking = pty.output.find("connected, checking the code…\r\n");
  REQUIRE(checking != std::string::npos);
  const auto paired = pty.output.find("\r\x1b[Kpaired: ");
  REQUIRE(paired != std::string::npos);
  CHECK(checking < paired);
  CHECK(root(parse_response(conn->read_line())).isPaired());
  // --quiet on the same terminal: only the result.
  Device jo, kim;
  REQUIRE(root(jo.call(R"({"id": 1, "init": {"name": "Jo"}})")).isInit());
  auto [conn2, second] = invite(jo);
  auto quiet =
      run_on_pty({binary("tandem"), "--socket", kim.daemon.socket(), "pair", "join",
                  root(second).getPairCode().getCode().cStr(), "--name", "Kim", "--address",
                  "127.0.0.1:" + std::to_string(root(second).getPairCode().getPort()), "--quiet"});
  INFO(quiet.output);
  CHECK(quiet.code == 0);
  CHECK(quiet.output.find('\x1b') == std::string::npos);
  CHECK(quiet.output.find("checking") == std::string::npos);
  CHECK(quiet.output.starts_with("paired: "));
}
