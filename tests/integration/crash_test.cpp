// Durability: kill -9 during a burst of concurrent adds; after a restart every acknowledged entry
// is there and the log verifies.
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/data_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {}  // namespace

TEST_CASE("kill -9 during concurrent adds loses no acknowledged entry", "[durability][crash]") {
  TempDir dir;
  const std::string data = dir.path() + "/data", sock = dir.path() + "/s.sock";
  DaemonProcess daemon(data, sock);
  {
    JsonClient c(sock);
    REQUIRE(parse_response(c.call(R"({"id": 1, "init": {"name": "Alex"}})"))
                ->getRoot<schema::Response>()
                .isInit());
  }
  std::mt19937 rng(12345);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    std::mutex mu;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&, t] {
        try {
          JsonClient c(sock);
          for (int i = 0; !stop; ++i) {
            auto line = c.call(R"({"id": )" + std::to_string(i) +
                               R"(, "add": {"entry": {"contribution": {"effort": 2}, "note": "w)" +
                               std::to_string(t) + "-" + std::to_string(i) + R"("}}})");
            auto r = parse_response(line);
            if (r->getRoot<schema::Response>().isEntry()) {
              std::lock_guard lock(mu);
              acknowledged.insert(r->getRoot<schema::Response>().getEntry().getId().cStr());
            }
          }
        } catch (const std::exception&) {
          // The daemon died under us: expected.
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 400));
    daemon.kill9();
    stop = true;
    for (auto& w : writers) w.join();
    daemon.start();
  }
  REQUIRE(acknowledged.size() > 50);
  JsonClient c(sock);
  std::size_t found = 0;
  for (const auto& id : acknowledged) {
    auto r = parse_response(c.call(R"({"id": 1, "get": {"id": ")" + id + R"("}})"));
    if (r->getRoot<schema::Response>().isEntry()) ++found;
  }
  CHECK(found == acknowledged.size());
  daemon.stop();
  auto rep = verify_data_dir(data);
  INFO((rep.problems.empty() ? std::string() : rep.problems.front()));
  CHECK(rep.problems.empty());
  CHECK(rep.records >= acknowledged.size());
}
