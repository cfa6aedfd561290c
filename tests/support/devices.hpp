// Test support for multi-device tests: a device is a real tandemd in a temporary directory;
// pair() runs the real pairing protocol between two of them over loopback.
#pragma once

#include "tests/support/daemon_process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <thread>

namespace tandem::test {

using Msg = std::unique_ptr<capnp::MallocMessageBuilder>;
inline schema::Response::Reader root(const Msg& m) {
  return m->getRoot<schema::Response>().asReader();
}

struct Device {
  TempDir dir;
  DaemonProcess daemon;
  explicit Device(std::vector<std::string> extra = {})
      : daemon(dir.path() + "/data", dir.path() + "/s.sock", std::move(extra)) {}
  Msg call(const std::string& line) {
    JsonClient c(daemon.socket());
    return parse_response(c.call(line));
  }
  std::string listen() {
    auto m = call(R"({"id": 1, "status": {}})");
    return root(m).getStatus().getListen().cStr();
  }
};

// Starts an invite on `inviter`; returns the connection that will get the final answer, and the
// first answer (the code).
inline std::pair<std::unique_ptr<JsonClient>, Msg> invite(Device& inviter,
                                                          const std::string& args = "") {
  auto c = std::make_unique<JsonClient>(inviter.daemon.socket());
  c->send_raw(R"({"id": 5, "pairInvite": {)" + args + "}}\n");
  auto first = parse_response(c->read_line());
  return {std::move(c), std::move(first)};
}

// Pairs `joiner` into `inviter`'s space (as the partner, or as another device of the inviter's
// member with as_device). The inviter must be initialised, the joiner not.
inline void pair(Device& inviter, Device& joiner, const std::string& name, bool as_device = false) {
  auto [conn, first] = invite(inviter, as_device ? R"("asDevice": true)" : "");
  REQUIRE(root(first).isPairCode());
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto joined =
      joiner.call(R"({"id": 2, "pairJoin": {"code": ")" + code + R"(", "name": ")" + name +
                  R"(", "address": "127.0.0.1:)" + std::to_string(port) + R"("}})");
  INFO(joiner.daemon.log());
  REQUIRE(root(joined).isPaired());
  REQUIRE(root(parse_response(conn->read_line())).isPaired());
}

inline bool eventually(const std::function<bool()>& f, int seconds = 10) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace tandem::test
