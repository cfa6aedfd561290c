// tandemd's Config as a user meets it: defaults, XDG paths, the file, flags on top, SIGHUP.
#include "daemon/config/config.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <initializer_list>

using namespace tandem::config;
using tandem::test::TempDir;

namespace {

// An environment with a home directory under `dir` and no XDG variables.
Environment env_in(const TempDir& dir) {
  Environment env;
  env.home = dir / "home";
  env.uid = 1000;
  return env;
}

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

tandem::Result<ParseOutcome> parse(std::initializer_list<const char*> args,
                                   const Environment& env) {
  std::vector<const char*> argv{"tandemd"};
  argv.insert(argv.end(), args);
  return parse_args(static_cast<int>(argv.size()), argv.data(), env);
}

}  // namespace

TEST_CASE("with no file and no flags, every setting has its default") {
  TempDir dir;
  auto out = parse({}, env_in(dir));
  REQUIRE(out.ok());
  const Config& c = out->config;
  CHECK(c.data_dir == dir / "home/.local/share/tandem");
  CHECK(c.socket_path == "/tmp/tandem-1000/tandemd.sock");
  CHECK(c.listen.to_string() == "[::]:7470");
  CHECK(c.discovery);
  CHECK(c.peers.empty());
  CHECK(c.log_level == "info");
  CHECK(c.origin.config_file == dir / "home/.config/tandem/tandemd.toml");
  CHECK_FALSE(c.origin.config_found);
}

TEST_CASE("XDG variables move the config file, the data directory and the socket") {
  TempDir dir;
  Environment env = env_in(dir);
  env.xdg_config_home = dir / "cfg";
  env.xdg_data_home = dir / "data";
  env.xdg_runtime_dir = "/run/user/1000";
  write(dir / "cfg/tandem/tandemd.toml", "log_level = \"debug\"\n");
  auto out = parse({}, env);
  REQUIRE(out.ok());
  CHECK(out->config.origin.config_found);
  CHECK(out->config.log_level == "debug");
  CHECK(out->config.data_dir == dir / "data/tandem");
  CHECK(out->config.socket_path == "/run/user/1000/tandem/tandemd.sock");

  env.tandem_socket = "/tmp/elsewhere.sock";
  CHECK(parse({}, env)->config.socket_path == "/tmp/elsewhere.sock");
}

TEST_CASE("relative XDG variables are ignored, as the XDG spec says") {
  TempDir dir;
  Environment env = env_in(dir);
  env.xdg_data_home = "relative/data";
  CHECK(parse({}, env)->config.data_dir == dir / "home/.local/share/tandem");
}

TEST_CASE("without $HOME the data directory must be given") {
  Environment env;
  auto out = parse({}, env);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message.find("--data-dir") != std::string::npos);
  CHECK(parse({"--data-dir", "/srv/t"}, env).ok());
}

TEST_CASE("flags override the file, key by key") {
  TempDir dir;
  const std::string file = dir / "t.toml";
  write(file, R"(data_dir = "/from/file"
listen = "0.0.0.0:7000"
discovery = true
peers = ["a.example:1", "b.example:2"]
log_level = "warn"
)");
  auto out = parse({"--config", file.c_str(), "--listen", "127.0.0.1:7001", "--no-discovery",
                    "--peer", "c.example:3", "--log-level", "trace"},
                   env_in(dir));
  REQUIRE(out.ok());
  const Config& c = out->config;
  CHECK(c.data_dir == "/from/file");  // not given as a flag: the file's
  CHECK(c.listen.to_string() == "127.0.0.1:7001");
  CHECK_FALSE(c.discovery);
  REQUIRE(c.peers.size() == 1);  // --peer replaces the file's list
  CHECK(c.peers[0].to_string() == "c.example:3");
  CHECK(c.log_level == "trace");

  CHECK(parse({"--config", file.c_str(), "--data-dir", "/flag"}, env_in(dir))->config.data_dir ==
        "/flag");
}

TEST_CASE("the discovery flag turns back on what the file turned off") {
  TempDir dir;
  const std::string file = dir / "t.toml";
  write(file, "discovery = false\n");
  CHECK_FALSE(parse({"--config", file.c_str()}, env_in(dir))->config.discovery);
  CHECK(parse({"--config", file.c_str(), "--discovery"}, env_in(dir))->config.discovery);
  CHECK_FALSE(parse({"--discovery", "--no-discovery"}, env_in(dir)).ok());
}

TEST_CASE("a file given with --config must exist, the default one need not") {
  TempDir dir;
  auto out = parse({"--config", (dir / "missing.toml").c_str()}, env_in(dir));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message.find("missing.toml") != std::string::npos);
}

TEST_CASE("a bad file stops the start with FILE:LINE") {
  TempDir dir;
  const std::string file = dir / "home/.config/tandem/tandemd.toml";
  write(file, "log_level = \"info\"\nlisten_addr = \"0.0.0.0:1\"\n");
  auto out = parse({}, env_in(dir));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == tandem::Code::kInvalidArgument);
  CHECK(out.error().message.starts_with(file + ":2: unknown key \"listen_addr\""));

  write(file, "discovery = 1\n");
  CHECK(parse({}, env_in(dir)).error().message.starts_with(file + ":1: discovery must be"));
}

TEST_CASE("bad flag values are refused") {
  TempDir dir;
  CHECK_FALSE(parse({"--listen", "localhost:7470"}, env_in(dir)).ok());
  CHECK_FALSE(parse({"--listen", "0.0.0.0"}, env_in(dir)).ok());
  CHECK_FALSE(parse({"--peer", "nope"}, env_in(dir)).ok());
  CHECK_FALSE(parse({"--log-level", "loud"}, env_in(dir)).ok());
  CHECK_FALSE(parse({"--frobnicate"}, env_in(dir)).ok());
}

TEST_CASE("reload changes log level, peers and discovery live, the rest waits for a restart") {
  TempDir dir;
  const std::string file = dir / "home/.config/tandem/tandemd.toml";
  write(file, "log_level = \"info\"\nlisten = \"0.0.0.0:7470\"\n");
  auto start = parse({}, env_in(dir));
  REQUIRE(start.ok());

  write(file, R"(log_level = "debug"
listen = "0.0.0.0:7471"
discovery = false
peers = ["sam.example:7470"]
data_dir = "/moved"
)");
  auto next = reload(start->config);
  REQUIRE(next.ok());
  CHECK(next->log_level == "debug");
  CHECK_FALSE(next->discovery);
  REQUIRE(next->peers.size() == 1);
  CHECK(next->listen.to_string() == "0.0.0.0:7470");  // kept
  CHECK(next->data_dir == start->config.data_dir);    // kept
  CHECK(next->needs_restart == std::vector<std::string>{"data_dir", "listen"});
}

TEST_CASE("reload keeps flags on top of the new file") {
  TempDir dir;
  const std::string file = dir / "home/.config/tandem/tandemd.toml";
  auto start = parse({"--log-level", "warn"}, env_in(dir));  // no file yet
  REQUIRE(start.ok());
  write(file, "log_level = \"debug\"\npeers = [\"sam.example:7470\"]\n");
  auto next = reload(start->config);
  REQUIRE(next.ok());
  CHECK(next->origin.config_found);
  CHECK(next->log_level == "warn");
  CHECK(next->peers.size() == 1);
}

TEST_CASE("a reload of a broken file fails and names the line") {
  TempDir dir;
  const std::string file = dir / "home/.config/tandem/tandemd.toml";
  write(file, "log_level = \"info\"\n");
  auto start = parse({}, env_in(dir));
  REQUIRE(start.ok());
  write(file, "log_level = \"info\"\npeers = [\"bad name:1\"]\n");
  auto next = reload(start->config);
  REQUIRE_FALSE(next.ok());
  CHECK(next.error().message.starts_with(file + ":2: peers"));
}
