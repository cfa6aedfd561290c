// tandem doctor on a nearly full disk, for real: the data directory is a small tmpfs (mounted in
// the test's own mount namespace). With the daemon stopped, and with it running, doctor names the
// free space and the fix: a warning below 100 MB, a failure below 16 MB. Needs root (mount);
// exits 77 (skipped) otherwise.
#define CATCH_CONFIG_RUNNER
#include "tests/support/daemon_process.hpp"
#include "tests/support/tmpfs.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::test;

TEST_CASE("doctor fails a data directory with under 16 MB free, even with the daemon stopped",
          "[cli][doctor][disk]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  Tmpfs fs(data, "8m");
  auto r =
      run({binary("tandem"), "--socket", dir.path() + "/none.sock", "doctor", "--data-dir", data});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("FAIL  daemon") != std::string::npos);
  CHECK(r.out.find("FAIL  disk: 8 MB free for " + data) != std::string::npos);
  CHECK(r.out.find("fix: free space on that file system now") != std::string::npos);
}

TEST_CASE("doctor warns when a running daemon's data directory has under 100 MB free",
          "[cli][doctor][disk]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  Tmpfs fs(data, "64m");
  DaemonProcess daemon(data, dir.path() + "/run/tandemd.sock");
  REQUIRE(run({binary("tandem"), "--socket", daemon.socket(), "init", "--name", "Alex"}).code == 0);
  auto r = run({binary("tandem"), "--socket", daemon.socket(), "doctor"});
  INFO(r.out);
  CHECK(r.code == 0);  // a warning alone
  CHECK(r.out.find("ok    daemon") != std::string::npos);
  CHECK(r.out.find("warn  disk: ") != std::string::npos);
  CHECK(r.out.find(" MB free for " + data) != std::string::npos);
  CHECK(r.out.find("fix: free some space") != std::string::npos);
}

int main(int argc, char** argv) {
  if (!enter_private_mount_namespace()) return 77;
  return Catch::Session().run(argc, argv);
}
