// At rest: no note or other text of an entry appears in plaintext in any file of the data
// directory, while the daemon runs and after it stops.
#include "tests/support/daemon_process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace tandem;
using namespace tandem::test;

namespace {

std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(needle) != std::string::npos) hits.push_back(f.path());
  }
  return hits;
}

}  // namespace

TEST_CASE("no entry text is stored in plaintext", "[durability][at-rest][security]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data, dir.path() + "/s.sock");
  JsonClient c(daemon.socket());
  REQUIRE(parse_response(c.call(R"({"id": 1, "init": {"name": "Alex"}})"))
              ->getRoot<schema::Response>()
              .isInit());
  const std::vector<std::string> secrets = {"quokka-note-5f1e",       "ocelot-private-77ab",
                                            "narwhal-aggregate-0c3d", "axolotl-title-9e2f",
                                            "pangolin-edit-41aa",     "okapi-thanks-d00d"};
  auto add = [&](const std::string& entry) {
    auto r = parse_response(c.call(R"({"id": 2, "add": {"entry": )" + entry + "}}"));
    REQUIRE(r->getRoot<schema::Response>().isEntry());
    return std::string(r->getRoot<schema::Response>().getEntry().getId().cStr());
  };
  auto id = add(R"({"contribution": {}, "note": "quokka-note-5f1e"})");
  add(R"({"contribution": {}, "visibility": "private", "note": "ocelot-private-77ab"})");
  add(R"({"initiation": {"what": "intimacy"}, "visibility": "aggregate", "note": "narwhal-aggregate-0c3d"})");
  add(R"({"card": {"title": "axolotl-title-9e2f", "owner": "me"}})");
  REQUIRE(
      parse_response(c.call(R"({"id": 3, "edit": {"id": ")" + id +
                            R"(", "entry": {"contribution": {}, "note": "pangolin-edit-41aa"}}})"))
          ->getRoot<schema::Response>()
          .isEntry());
  REQUIRE(parse_response(c.call(R"({"id": 4, "appreciate": {"ids": [")" + id +
                                R"("], "note": "okapi-thanks-d00d"}})"))
              ->getRoot<schema::Response>()
              .isEntry());
  // The texts are really stored: the daemon returns them.
  auto got = parse_response(c.call(R"({"id": 5, "get": {"id": ")" + id + R"("}})"));
  CHECK(std::string(got->getRoot<schema::Response>().getEntry().getEntry().getNote().cStr()) ==
        "pangolin-edit-41aa");
  for (const auto& s : secrets) {
    INFO("while running: " << s);
    CHECK(files_containing(data, s).empty());
  }
  daemon.stop();
  for (const auto& s : secrets) {
    INFO("after stop: " << s);
    CHECK(files_containing(data, s).empty());
  }
}

TEST_CASE("secret key files are 0600 in a 0700 directory", "[durability][at-rest][security]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data, dir.path() + "/s.sock");
  JsonClient c(daemon.socket());
  REQUIRE(parse_response(c.call(R"({"id": 1, "init": {"name": "Alex"}})"))
              ->getRoot<schema::Response>()
              .isInit());
  namespace fs = std::filesystem;
  CHECK((fs::status(data).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(data + "/keys").permissions() & fs::perms::all) == fs::perms::owner_all);
  for (const char* f : {"storage.key", "device.sign", "device.dh", "space.key"}) {
    INFO(f);
    auto p = fs::status(data + "/keys/" + f).permissions() & fs::perms::all;
    CHECK(p == (fs::perms::owner_read | fs::perms::owner_write));
  }
}
