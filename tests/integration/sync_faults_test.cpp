// Sync under faults, with real daemons on loopback: a crash at a random moment of a large sync,
// a partition that heals with writes on both sides, concurrent writes during a sync.
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/data_dir.hpp"
#include "tests/support/devices.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

using namespace tandem;
using namespace tandem::test;

namespace {

std::uint64_t entries(Device& d) {
  return root(d.call(R"({"id": 3, "status": {}})")).getStatus().getEntries();
}

// Appends `n` records to the device's own log straight into its store (the daemon stopped).
void fill(const std::string& data, int n) {
  auto key = store::read_key_file<32>(data + "/keys/storage.key");
  auto sign = store::read_key_file<64>(data + "/keys/device.sign");
  REQUIRE((key.ok() && sign.ok()));
  auto st = store::Store::open(data + "/store", std::move(*key));
  REQUIRE(st.ok());
  auto& s = **st;
  auto r = store::Txn::begin_read(s.env());
  auto self_r = s.self(*r);
  const store::DeviceId self = **self_r;
  r->abort();
  std::uint64_t hlc = 1u << 30;
  for (int i = 0; i < n;) {
    auto txn = store::Txn::begin_write(s.env());
    for (int j = 0; j < 1000 && i < n; ++j, ++i) {
      capnp::MallocMessageBuilder msg;
      auto e = msg.initRoot<schema::Entry>();
      e.getKind().initContribution().setEffort(1);
      e.setDate("2026-06-01");
      e.setNote("bulk " + std::to_string(i));
      auto [fields, note] = store::split_entry(e.asReader());
      REQUIRE(s.append(*txn, self, *sign, ++hlc, 0,
                       store::make_body(std::move(fields), std::move(note)))
                  .ok());
    }
    REQUIRE(txn->commit().ok());
  }
}

}  // namespace

TEST_CASE("kill -9 of either daemon during a large sync: they converge, nothing lost, logs verify",
          "[sync][network][faults]") {
  std::mt19937 rng(7);
  for (int victim = 0; victim < 2; ++victim) {
    Device alex({"--listen", free_listen()}), sam;
    REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
    const std::string alex_data = alex.dir.path() + "/data";
    alex.daemon.stop();
    fill(alex_data, 20000);
    alex.daemon.start();
    pair(alex, sam, "Sam");
    const auto total = entries(alex);
    // Somewhere in the middle of the catch-up, crash one of the two.
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 200));
    Device& dead = victim == 0 ? sam : alex;
    dead.daemon.kill9();
    INFO("sam held " << (victim == 0 ? 0 : entries(sam)) << " of " << total
                     << " when one was killed");
    dead.daemon.start();
    CHECK(eventually([&] { return entries(sam) == total; }, 60));
    CHECK(entries(alex) == total);
    alex.daemon.stop();
    sam.daemon.stop();
    auto ra = verify_data_dir(alex_data), rs = verify_data_dir(sam.dir.path() + "/data");
    INFO((rs.problems.empty() ? std::string() : rs.problems.front()));
    CHECK(ra.problems.empty());
    CHECK(rs.problems.empty());
    CHECK(rs.records == ra.records);  // no duplicate, nothing missing
  }
}

TEST_CASE("a partition heals: entries written on both sides while apart converge",
          "[sync][network][faults]") {
  Device alex({"--listen", free_listen()}), sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  // Apart: first Sam's laptop is off while Alex writes, then Alex's is off while Sam writes.
  sam.daemon.stop();
  for (int i = 0; i < 20; ++i)
    REQUIRE(root(alex.call(R"({"id": 2, "add": {"entry": {"contribution": {}}}})")).isEntry());
  alex.daemon.stop();
  sam.daemon.start();
  for (int i = 0; i < 20; ++i)
    REQUIRE(root(sam.call(R"({"id": 4, "add": {"entry": {"bid": {}}}})")).isEntry());
  // Healed.
  alex.daemon.start();
  CHECK(eventually([&] { return entries(alex) == entries(sam) && entries(alex) >= 42; }, 30));
}

TEST_CASE("concurrent writes on both sides during a sync converge", "[sync][network][faults]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  alex.daemon.stop();
  fill(alex.dir.path() + "/data", 5000);
  alex.daemon.start();
  pair(alex, sam, "Sam");
  std::thread a([&] {
    for (int i = 0; i < 50; ++i) alex.call(R"({"id": 5, "add": {"entry": {"contribution": {}}}})");
  });
  std::thread s([&] {
    for (int i = 0; i < 50; ++i) sam.call(R"({"id": 6, "add": {"entry": {"contribution": {}}}})");
  });
  a.join();
  s.join();
  CHECK(eventually([&] { return entries(alex) == entries(sam); }, 60));
  CHECK(entries(alex) >= 5000 + 100);
}
