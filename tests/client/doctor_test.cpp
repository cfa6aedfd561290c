// tandem doctor's rules and local checks: each finding's level at its thresholds, and that every
// finding that is not ok names its fix.
#include "client/doctor_findings.hpp"
#include "client/doctor_local.hpp"
#include "tests/support/temp_dir.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>

using namespace tandem::client::doctor;
using tandem::test::TempDir;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kDay = 24 * 60 * kMinute;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("clocks two minutes apart are fine, and further either way is a warning with its fix",
          "[doctor]") {
  CHECK(clock_finding("Phone (Sam)", 0).level == Level::kOk);
  CHECK(clock_finding("Phone (Sam)", kClockSkewWarnMs).level == Level::kOk);
  CHECK(clock_finding("Phone (Sam)", -kClockSkewWarnMs).level == Level::kOk);
  auto ahead = clock_finding("Phone (Sam)", kClockSkewWarnMs + 1000);
  CHECK(ahead.level == Level::kWarn);
  CHECK(ahead.check == "clock Phone (Sam)");
  CHECK(ahead.detail.find("121 s ahead of") != std::string::npos);
  CHECK(ahead.fix.find("chrony") != std::string::npos);
  auto behind = clock_finding("Phone (Sam)", -3600 * 1000);
  CHECK(behind.level == Level::kWarn);
  CHECK(behind.detail.find("3600 s behind") != std::string::npos);
  CHECK(behind.fix.find("time synchronisation") != std::string::npos);
}

TEST_CASE(
    "a connected peer is ok, and one not connected, never seen or gone a week is a warning "
    "with how to bring it back",
    "[doctor]") {
  const std::int64_t now = 1'800'000'000'000;
  auto up = peer_finding("Laptop (Sam)", true, 12, static_cast<std::uint64_t>(now), now);
  CHECK(up.level == Level::kOk);
  CHECK(up.detail == "connected, round trip 12 ms");

  auto never = peer_finding("Laptop (Sam)", false, 0, 0, now);
  CHECK(never.level == Level::kWarn);
  CHECK(never.detail.find("never seen") != std::string::npos);
  CHECK(never.fix.find("start tandemd on Laptop (Sam)") != std::string::npos);
  CHECK(never.fix.find("tandem peer add HOST:PORT") != std::string::npos);

  auto recent =
      peer_finding("Laptop (Sam)", false, 0, static_cast<std::uint64_t>(now - 5 * kMinute), now);
  CHECK(recent.level == Level::kWarn);
  CHECK(recent.detail == "not connected, last seen 5 minutes ago");
  CHECK_FALSE(recent.fix.empty());

  auto week =
      peer_finding("Laptop (Sam)", false, 0, static_cast<std::uint64_t>(now - 8 * kDay), now);
  CHECK(week.level == Level::kWarn);
  CHECK(week.detail.find("not seen for 8 days") != std::string::npos);
  CHECK(week.fix.find("start tandemd on Laptop (Sam)") != std::string::npos);
}

TEST_CASE("free space below 100 MB warns and below 16 MB fails, each with its fix", "[doctor]") {
  CHECK(disk_finding("/d", kDiskWarnBytes).level == Level::kOk);
  CHECK(disk_finding("/d", 10ULL << 30).fix.empty());
  auto low = disk_finding("/d", kDiskWarnBytes - 1);
  CHECK(low.level == Level::kWarn);
  CHECK(low.detail == "99 MB free for /d");
  CHECK(low.fix.find("free some space") != std::string::npos);
  CHECK(disk_finding("/d", kDiskFailBytes).level == Level::kWarn);
  auto full = disk_finding("/d", kDiskFailBytes - 1);
  CHECK(full.level == Level::kFail);
  CHECK(full.fix.find("free space") != std::string::npos);
  CHECK(disk_finding("/d", 0).level == Level::kFail);
}

TEST_CASE("a listen address nothing accepts on fails, with where to look", "[doctor]") {
  // A port bound but not listening: connections to it are refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  const std::string addr = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  CHECK_FALSE(reachable(addr));
  auto refused = listen_finding(addr, reachable(addr));
  CHECK(refused.level == Level::kFail);
  CHECK(refused.detail == addr + " does not accept connections");
  CHECK(refused.fix.find("listen address in tandemd.toml") != std::string::npos);
  CHECK(refused.fix.find("firewall") != std::string::npos);

  REQUIRE(::listen(fd, 1) == 0);
  CHECK(reachable(addr));
  CHECK(reachable("0.0.0.0:" + std::to_string(ntohs(a.sin_port))));  // tried on loopback
  CHECK(listen_finding(addr, true).level == Level::kOk);
  ::close(fd);

  auto none = listen_finding("", false);
  CHECK(none.level == Level::kFail);
  CHECK(none.fix.find("tandemd's log") != std::string::npos);
  CHECK_FALSE(reachable("not an address"));
}

TEST_CASE("a missing or loosened file fails with the fix to restore or chmod it", "[doctor]") {
  TempDir dir;
  const std::string key = dir / "space.key";
  auto missing = check_mode("key space.key", key, 0600, "restore it from a backup");
  CHECK(missing.level == Level::kFail);
  CHECK(missing.detail.find("is missing") != std::string::npos);
  CHECK(missing.fix == "restore it from a backup");

  write_file(key, "k");
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  auto loose = check_mode("key space.key", key, 0600, "x");
  CHECK(loose.level == Level::kFail);
  CHECK(loose.detail == key + " has mode 644");
  CHECK(loose.fix == "chmod 600 " + key);
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  CHECK(check_mode("key space.key", key, 0600, "x").level == Level::kOk);

  // Every file of a keys directory is checked, by name.
  write_file(dir / "device.sign", "s");
  REQUIRE(::chmod((dir / "device.sign").c_str(), 0640) == 0);
  auto files = check_files_in(dir.path(), 0600);
  REQUIRE(files.size() == 2);
  CHECK(files[0].check == "key device.sign");
  CHECK(files[0].level == Level::kFail);
  CHECK(files[0].fix == "chmod 600 " + dir / "device.sign");
  CHECK(files[1].level == Level::kOk);
}

TEST_CASE("the config file must parse and hold only tandemd's keys, and its paths are read",
          "[doctor]") {
  TempDir dir;
  const std::string conf = dir / "tandemd.toml";
  std::vector<Finding> out;
  SECTION("a missing default file is fine, a missing named one is not") {
    check_config(conf, false, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].level == Level::kOk);
    check_config(conf, true, out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].level == Level::kFail);
    CHECK(out[1].fix.find("tandemd --config FILE") != std::string::npos);
  }
  SECTION("a good file gives its data directory and socket") {
    write_file(conf,
               "data_dir = \"/srv/tandem\"\nsocket = \"/run/t.sock\"\nlisten = \"0.0.0.0:7\"\n");
    auto paths = check_config(conf, true, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].level == Level::kOk);
    CHECK(paths.data_dir == "/srv/tandem");
    CHECK(paths.socket == "/run/t.sock");
  }
  SECTION("a syntax error names its line and the fix") {
    write_file(conf, "discovery = true\nlisten = \n");
    check_config(conf, true, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].level == Level::kFail);
    CHECK(out[0].detail.starts_with(conf + ":2: "));
    CHECK(out[0].fix.find("correct line 2 of " + conf) != std::string::npos);
  }
  SECTION("an unknown key fails as tandemd would") {
    write_file(conf, "data_dir = \"/srv/tandem\"\nlisten_on = \"0.0.0.0:7\"\n");
    check_config(conf, true, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].level == Level::kFail);
    CHECK(out[0].detail.find("unknown key listen_on") != std::string::npos);
    CHECK(out[0].fix.find("remove or correct listen_on") != std::string::npos);
  }
}

TEST_CASE("the disk check measures the nearest existing parent of a missing directory",
          "[doctor]") {
  TempDir dir;
  auto f = check_disk(dir / "not/yet");
  REQUIRE(f.has_value());
  CHECK(f->detail.find("MB free for " + dir / "not/yet") != std::string::npos);
}
