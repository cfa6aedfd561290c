// A bad config file stops tandemd at start: exit status 2 (tandemd(8), EXIT STATUS), and
// stderr names the file, the line and the key, before anything is created on disk.
#include "tests/integration/service_support.hpp"
#include "tests/support/daemon_process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace tandem;
using namespace tandem::test;

namespace {

RunResult start_with(const TempDir& dir, const std::string& config) {
  return run({binary("tandemd"), "--config", config, "--data-dir", dir / "data", "--socket",
              dir / "s.sock"});
}

}  // namespace

TEST_CASE("tandemd refuses a config file with an unknown key: exit 2, FILE:LINE and the key",
          "[config][daemon]") {
  TempDir dir;
  const std::string file = dir / "tandemd.toml";
  write_file(file, config_text("127.0.0.1:0", false, {}, "colour = \"blue\"\n"));
  auto r = start_with(dir, file);
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find(file + ":4: unknown key \"colour\"") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "data"));  // it never started
  CHECK_FALSE(std::filesystem::exists(dir / "s.sock"));
}

TEST_CASE("tandemd refuses a config file with a bad value: exit 2, FILE:LINE and the key",
          "[config][daemon]") {
  TempDir dir;
  const std::string file = dir / "tandemd.toml";
  SECTION("discovery that is not a boolean") {
    write_file(file, "listen = \"127.0.0.1:0\"\ndiscovery = \"yes\"\n");
    auto r = start_with(dir, file);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(file + ":2: discovery must be true or false") != std::string::npos);
  }
  SECTION("a log level tandemd does not know") {
    write_file(file, config_text("127.0.0.1:0", false, {}, "log_level = \"loud\"\n"));
    auto r = start_with(dir, file);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(file + ":4: log_level must be") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "data"));
}
