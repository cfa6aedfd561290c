// The config file reader: every problem is refused with FILE:LINE.
#include "daemon/config/settings.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace tandem::config;

namespace {

Environment home_env() {
  Environment env;
  env.home = "/home/alex";
  return env;
}

// The message of a refused text, or "" if it was accepted.
std::string refusal(const std::string& text) {
  auto r = parse_config_text(text, "tandemd.toml", home_env());
  return r.ok() ? "" : r.error().message;
}

}  // namespace

TEST_CASE("an empty file sets nothing") {
  auto s = parse_config_text("", "t.toml", home_env());
  REQUIRE(s.ok());
  CHECK_FALSE(s->data_dir);
  CHECK_FALSE(s->listen);
  CHECK_FALSE(s->peers);
}

TEST_CASE("every key is read") {
  auto s = parse_config_text(R"(
data_dir = "~/journal"
socket = "/run/user/1000/tandem/t.sock"
listen = "0.0.0.0:7471"
discovery = false
peers = ["sam-laptop.ts.net:7470", "[fd00::2]:7470"]
log_level = "debug"
)",
                             "t.toml", home_env());
  REQUIRE(s.ok());
  CHECK(*s->data_dir == "/home/alex/journal");
  CHECK(*s->socket_path == "/run/user/1000/tandem/t.sock");
  CHECK(s->listen->to_string() == "0.0.0.0:7471");
  CHECK(*s->discovery == false);
  REQUIRE(s->peers->size() == 2);
  CHECK((*s->peers)[1].to_string() == "[fd00::2]:7470");
  CHECK(*s->log_level == "debug");
}

TEST_CASE("an unknown key is refused with its file and line") {
  const std::string m = refusal("log_level = \"info\"\n\nlisten_port = 7470\n");
  CHECK(m.starts_with("tandemd.toml:3: "));
  CHECK(m.find("unknown key \"listen_port\"") != std::string::npos);
  CHECK(m.find("known keys: data_dir") != std::string::npos);
}

TEST_CASE("a table where a key is expected is an unknown key") {
  CHECK(refusal("[network]\nlisten = \"0.0.0.0:7470\"\n").starts_with("tandemd.toml:1: "));
}

TEST_CASE("values of the wrong type are refused with their line") {
  CHECK(refusal("discovery = \"yes\"").starts_with("tandemd.toml:1: discovery must be true"));
  CHECK(refusal("\nlisten = 7470").starts_with("tandemd.toml:2: listen must be a string"));
  CHECK(refusal("peers = \"a:1\"").starts_with("tandemd.toml:1: peers must be an array"));
  CHECK(refusal("peers = [\n \"a:1\",\n 7 ]").starts_with("tandemd.toml:3: "));
  CHECK(refusal("log_level = 3").starts_with("tandemd.toml:1: log_level must be a string"));
  CHECK(refusal("data_dir = true").starts_with("tandemd.toml:1: data_dir must be a string"));
}

TEST_CASE("bad values are refused with their line") {
  CHECK(refusal("log_level = \"loud\"").starts_with("tandemd.toml:1: log_level must be"));
  CHECK(refusal("listen = \"localhost:7470\"").starts_with("tandemd.toml:1: listen: "));
  CHECK(refusal("listen = \"0.0.0.0:99999\"").starts_with("tandemd.toml:1: listen: "));
  CHECK(
      refusal("peers = [\"ok.example:7470\",\n\"no port\"]").starts_with("tandemd.toml:2: peers"));
  CHECK(refusal("data_dir = \"relative/dir\"").starts_with("tandemd.toml:1: data_dir must be"));
}

TEST_CASE("a TOML syntax error is refused with its line") {
  const std::string m = refusal("log_level = \"info\"\ndiscovery = \n");
  CHECK(m.starts_with("tandemd.toml:2: "));
  CHECK(refusal("a = 1\na = 2").starts_with("tandemd.toml:2: "));
}

TEST_CASE("a missing file is kNotFound, so the caller can fall back to defaults") {
  auto r = read_config_file("/nonexistent/tandem/tandemd.toml", home_env());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == tandem::Code::kNotFound);
}

TEST_CASE("the shipped example parses and every key it documents is known") {
  std::ifstream in(TANDEM_EXAMPLE_CONFIG);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto s = parse_config_text(text.str(), TANDEM_EXAMPLE_CONFIG, home_env());
  INFO((s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  // The example also shows each key, commented out, with its default: uncommented, it parses.
  std::string uncommented;
  std::string line;
  std::istringstream lines(text.str());
  while (std::getline(lines, line)) {
    for (std::string_view key : kConfigKeys) {
      if (line.starts_with("# " + std::string(key) + " =")) {
        uncommented += line.substr(2) + "\n";
        break;
      }
    }
  }
  for (std::string_view key : kConfigKeys) {
    INFO(key);
    CHECK(uncommented.find(std::string(key) + " =") != std::string::npos);
  }
  auto all = parse_config_text(uncommented, "example (uncommented)", home_env());
  INFO((all.ok() ? "" : all.error().message));
  CHECK(all.ok());
}
