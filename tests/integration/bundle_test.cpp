// Offline bundles between real daemons that share no network after pairing: the CLI writes and
// reads the file; the partner's daemon verifies and merges it as sync would. Bad bundles of every
// kind are refused with a typed error and store nothing of the bad part.
#include "daemon/sync/bundle.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/data_dir.hpp"
#include "tests/support/devices.hpp"

#include <capnp/schema.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

std::uint64_t entries(Device& d) {
  return root(d.call(R"({"id": 3, "status": {}})")).getStatus().getEntries();
}

std::string add(Device& d, const std::string& entry) {
  auto r = d.call(R"({"id": 9, "add": {"entry": )" + entry + "}}");
  REQUIRE(root(r).isEntry());
  return root(r).getEntry().getId().cStr();
}

bool has(Device& d, const std::string& id) {
  return root(d.call(R"({"id": 8, "get": {"id": ")" + id + R"("}})")).isEntry();
}

std::string device_id(Device& d) {
  return root(d.call(R"({"id": 3, "status": {}})")).getStatus().getDeviceId().cStr();
}

RunResult cli(Device& d, std::vector<std::string> args) {
  std::vector<std::string> argv{binary("tandem")};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--socket");
  argv.push_back(d.daemon.socket());
  return run(argv);
}

// The value of `"name":` in one line of the CLI's JSON output, quotes dropped.
std::string field(const std::string& json, const std::string& name) {
  auto at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return "(missing)";
  at += name.size() + 3;
  while (at < json.size() && (json[at] == ' ' || json[at] == '"')) ++at;
  auto end = json.find_first_of(",}\"", at);
  return json.substr(at, end - at);
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Alex and Sam paired, then apart for good: both restarted on new ports, so the address each
// remembers of the other leads nowhere and only files carry entries between them.
struct Apart {
  Device alex, sam;
  Apart() {
    REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
    pair(alex, sam, "Sam");
    alex.daemon.stop();
    sam.daemon.stop();
    alex.daemon.start();
    sam.daemon.start();
  }
  std::string file(const std::string& name) { return alex.dir / name; }
};

// Sends `bundle` to `d` as bundleImport pieces over JSON lines; returns the last answer (an
// error stops early).
Msg import_raw(Device& d, const Bytes& bundle, std::size_t piece = 256 * 1024) {
  JsonClient c(d.daemon.socket());
  Msg last;
  std::size_t off = 0;
  do {
    const std::size_t n = std::min(piece, bundle.size() - off);
    const bool end = off + n == bundle.size();
    last = parse_response(c.call(R"({"id": 40, "bundleImport": {"data": ")" +
                                 to_hex(ByteView(bundle).subspan(off, n)) + R"(", "offset": ")" +
                                 std::to_string(off) + R"(", "last": )" + (end ? "true" : "false") +
                                 "}}"));
    off += n;
    if (!root(last).isBundleImported()) break;
  } while (off < bundle.size());
  return last;
}

std::string error_code(const Msg& m) {
  if (!root(m).isError()) return "(no error)";
  auto e = root(m).getError();
  return capnp::Schema::from<schema::ErrorCode>()
      .getEnumerants()[static_cast<unsigned>(e.getCode())]
      .getProto()
      .getName()
      .cStr();
}

// Offsets of each chunk (its length prefix) in a bundle.
std::vector<std::size_t> chunk_offsets(const Bytes& b) {
  std::vector<std::size_t> out;
  for (std::size_t at = sync::kBundleHeaderSize; at + 4 <= b.size();
       at += 4 + get_be32(b.data() + at)) {
    out.push_back(at);
  }
  return out;
}

std::uint64_t peak_rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

}  // namespace

TEST_CASE("a bundle carries a partner's entries across no network, and the log verifies",
          "[bundle][integration]") {
  Apart t;
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(add(t.alex, R"({"contribution": {"actor": "me", "effort": 2}, "note": "n)" +
                                  std::to_string(i) + R"("})"));
  }
  std::string priv = add(
      t.alex, R"({"contribution": {}, "visibility": "private", "note": "draft-xyzzy-private"})");
  std::string agg = add(
      t.alex,
      R"({"initiation": {"what": "intimacy"}, "visibility": "aggregate", "note": "aggregate-plugh"})");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(!has(t.sam, ids.back()));  // no network path: nothing arrived by sync
  CHECK(!root(t.alex.call(R"({"id": 4, "peers": {}})")).getPeers().getDevices()[0].getConnected());

  const std::string file = t.file("to-sam.tandem");
  auto out = cli(t.alex, {"bundle", "export", file});
  INFO(out.err);
  REQUIRE(out.code == 0);
  CHECK(out.out.find("wrote " + file) != std::string::npos);

  // Private entries are not in it, and neither is the aggregate entry's note: not as bytes in
  // the file, and not in the records the bundle holds once opened with the space key.
  const Bytes bytes = read_file(file);
  const std::string text(bytes.begin(), bytes.end());
  CHECK(text.find("xyzzy") == std::string::npos);
  CHECK(text.find("plugh") == std::string::npos);
  {
    auto key = store::read_key_file<32>(t.alex.dir / "data/keys/space.key");
    REQUIRE(key.ok());
    sync::SpaceId space;
    auto sid =
        from_hex(root(t.alex.call(R"({"id": 3, "status": {}})")).getStatus().getSpaceId().cStr());
    std::copy(sid->begin(), sid->end(), space.begin());
    sync::BundleReader r(*key, space);
    r.feed(bytes);
    std::size_t records = 0;
    for (;;) {
      auto item = r.next();
      REQUIRE(item.ok());
      if (item->kind == sync::BundleItem::Kind::kNeedMore) break;
      for (const auto& rec : item->records) {
        ++records;
        CHECK(rec.header.device != store::kPrivateDevice);
        if (rec.body && rec.body->note) {
          CHECK(rec.body->note->find("xyzzy") == std::string::npos);
          CHECK(rec.body->note->find("plugh") == std::string::npos);
        }
      }
    }
    REQUIRE(r.finish().ok());
    CHECK(records == 43);  // the genesis roster, the roster admitting Sam, 41 shared entries
  }

  auto in = cli(t.sam, {"bundle", "import", file});
  INFO(in.err);
  REQUIRE(in.code == 0);
  // Sam may have caught Alex's two roster records in the moment between pairing and parting.
  CHECK(in.out.find("imported 4") == 0);
  CHECK(in.out.find("from device " + device_id(t.alex)) != std::string::npos);
  for (const auto& id : ids) CHECK(has(t.sam, id));
  CHECK(has(t.sam, agg));
  CHECK(!has(t.sam, priv));
  auto v = t.sam.call(R"({"id": 8, "get": {"id": ")" + agg + R"("}})");
  CHECK(root(v).getEntry().getNoteWithheld());
  CHECK(entries(t.sam) == entries(t.alex) - 1);  // all but the private entry

  // Importing it again is harmless.
  auto again = cli(t.sam, {"bundle", "import", file, "--json"});
  REQUIRE(again.code == 0);
  CHECK(field(again.out, "records") == "0");
  CHECK(field(again.out, "duplicates") == "43");
  CHECK(entries(t.sam) == entries(t.alex) - 1);

  t.sam.daemon.stop();
  auto rep = verify_data_dir(t.sam.dir / "data");
  CHECK(rep.problems.empty());
  CHECK(rep.records == 43);
}

TEST_CASE("a bundle for a device leaves out what it is known to hold", "[bundle][integration]") {
  Apart t;
  for (int i = 0; i < 10; ++i) add(t.alex, R"({"contribution": {}})");
  REQUIRE(cli(t.alex, {"bundle", "export", t.file("a1")}).code == 0);
  REQUIRE(cli(t.sam, {"bundle", "import", t.file("a1")}).code == 0);
  // Sam writes back: Sam's bundle tells Alex what Sam held, and Sam knows what Alex held.
  std::vector<std::string> sams;
  for (int i = 0; i < 5; ++i) sams.push_back(add(t.sam, R"({"bid": {"bidder": "me"}})"));
  auto back = cli(t.sam, {"bundle", "export", "--for", device_id(t.alex), t.file("s1"), "--json"});
  INFO(back.err);
  REQUIRE(back.code == 0);
  CHECK(field(back.out, "records") == "5");  // only Sam's new entries
  auto full = cli(t.sam, {"bundle", "export", t.file("s-all"), "--json"});
  CHECK(field(full.out, "records") == "17");  // 2 rosters + 10 + 5
  REQUIRE(cli(t.alex, {"bundle", "import", t.file("s1")}).code == 0);
  for (const auto& id : sams) CHECK(has(t.alex, id));
  // Alex learnt from Sam's bundle what Sam holds: nothing new for Sam, then just the new one.
  auto none = cli(t.alex, {"bundle", "export", "--for", device_id(t.sam), t.file("a2"), "--json"});
  CHECK(field(none.out, "records") == "0");
  add(t.alex, R"({"contribution": {}})");
  auto one = cli(t.alex, {"bundle", "export", "--for", device_id(t.sam), t.file("a3"), "--json"});
  CHECK(field(one.out, "records") == "1");
  // Devices may be named instead of given by id, but both test devices carry the host's name.
  const std::string name =
      root(t.sam.call(R"({"id": 3, "status": {}})")).getStatus().getDeviceName().cStr();
  auto ambiguous = cli(t.alex, {"bundle", "export", "--for", name, t.file("a5")});
  CHECK(ambiguous.code == 1);
  CHECK(ambiguous.err.find("two devices are called") != std::string::npos);
  auto unknown = cli(t.alex, {"bundle", "export", "--for", "no-such-device", t.file("a4")});
  CHECK(unknown.code == 1);
  CHECK(unknown.err.find("notFound") != std::string::npos);
  REQUIRE(cli(t.sam, {"bundle", "import", t.file("a3")}).code == 0);
  CHECK(entries(t.alex) == entries(t.sam));
}

TEST_CASE("the device a sync session last saw is remembered for --for", "[bundle][integration]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  std::string id = add(alex, R"({"contribution": {}})");
  REQUIRE(eventually([&] { return has(sam, id); }));
  REQUIRE(eventually([&] {                            // Sam acknowledged it
    auto m = alex.call(R"({"id": 4, "peers": {}})");  // the message outlives its readers
    auto p = root(m).getPeers().getDevices();
    return p.size() == 1 && p[0].getConnected() && p[0].getBehind() == 0;
  }));
  alex.daemon.stop();  // the session's end is remembered; so is the restart
  alex.daemon.start();
  auto b = cli(alex, {"bundle", "export", "--for", device_id(sam), alex.dir / "b", "--json"});
  INFO(b.err);
  CHECK(field(b.out, "records") == "0");
}

TEST_CASE("bad bundles are refused with a typed error and store nothing of the bad part",
          "[bundle][integration][security]") {
  Apart t;
  const std::string words(1000, 'w');  // ~50 records a batch: several batches from few adds
  for (int i = 0; i < 200; ++i) add(t.alex, R"({"contribution": {}, "note": ")" + words + R"("})");
  REQUIRE(cli(t.alex, {"bundle", "export", t.file("good")}).code == 0);
  const Bytes good = read_file(t.file("good"));
  const auto chunks = chunk_offsets(good);
  REQUIRE(chunks.size() >= 5);  // frontier, at least 3 batches, end
  const std::uint64_t before = entries(t.sam);

  SECTION("another couple's bundle") {
    Device stranger;
    REQUIRE(root(stranger.call(R"({"id": 1, "init": {"name": "Kim"}})")).isInit());
    add(stranger, R"({"contribution": {}})");
    REQUIRE(cli(stranger, {"bundle", "export", stranger.dir / "x"}).code == 0);
    auto r = cli(t.sam, {"bundle", "import", stranger.dir / "x"});
    CHECK(r.code == 1);
    CHECK(r.err.find("forbidden") != std::string::npos);
    CHECK(r.err.find("another space") != std::string::npos);
  }
  SECTION("a bundle of this space sealed under another key") {
    crypto::SymmetricKey other;
    crypto::random_fill({other.data(), other.size()});
    sync::SpaceId space;
    std::copy(good.begin() + 16, good.begin() + 32, space.begin());
    sync::BundleWriter w(other, space, store::DeviceId{1, 1, 1, 1, 1, 1, 1, 1});
    Bytes b = w.start({});
    Bytes end = w.finish();
    b.insert(b.end(), end.begin(), end.end());
    auto m = import_raw(t.sam, b);
    CHECK(error_code(m) == "badBundle");
    CHECK(std::string(root(m).getError().getMessage().cStr()).find("does not open") !=
          std::string::npos);
  }
  SECTION("truncated in its first batch") {
    Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(chunks[1] + 1000));
    write_file(t.file("cut"), cut);
    auto r = cli(t.sam, {"bundle", "import", t.file("cut")});
    CHECK(r.code == 1);
    CHECK(r.err.find("badBundle") != std::string::npos);
    CHECK(r.err.find("truncated") != std::string::npos);
  }
  SECTION("one byte altered in the first batch") {
    Bytes bad = good;
    bad[chunks[1] + 200] ^= 0x01;
    auto m = import_raw(t.sam, bad);
    CHECK(error_code(m) == "badBundle");
  }
  SECTION("the first two batches swapped") {
    Bytes swapped(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(chunks[1]));
    auto piece = [&](std::size_t i) {
      swapped.insert(swapped.end(), good.begin() + static_cast<std::ptrdiff_t>(chunks[i]),
                     good.begin() + static_cast<std::ptrdiff_t>(chunks[i + 1]));
    };
    piece(2);
    piece(1);
    for (std::size_t i = 3; i + 1 < chunks.size(); ++i) piece(i);
    swapped.insert(swapped.end(), good.begin() + static_cast<std::ptrdiff_t>(chunks.back()),
                   good.end());
    REQUIRE(swapped.size() == good.size());
    auto m = import_raw(t.sam, swapped);
    CHECK(error_code(m) == "badBundle");
  }
  SECTION("not a bundle at all") {
    auto m = import_raw(t.sam, Bytes{'%', 'P', 'D', 'F', '-', '1'});
    CHECK(error_code(m) == "badBundle");
    CHECK(std::string(root(m).getError().getMessage().cStr()) == "not a tandem bundle");
  }
  SECTION("a forged length: the daemon neither waits for nor holds what it declares") {
    Bytes forged(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(chunks[1]));
    Bytes huge(4 + 256 * 1024, 0x41);
    put_be32(huge.data(), 0xfffffff0u);  // ~4 GiB declared
    forged.insert(forged.end(), huge.begin(), huge.end());
    const auto rss_before = peak_rss_kb(t.sam.daemon.pid());
    auto m = import_raw(t.sam, forged, 64 * 1024);
    CHECK(error_code(m) == "badBundle");
    CHECK(std::string(root(m).getError().getMessage().cStr()).find("declares") !=
          std::string::npos);
    // Keep sending 64 MiB more as if the chunk went on: every piece is refused at once.
    JsonClient c(t.sam.daemon.socket());
    const std::string filler = to_hex(Bytes(256 * 1024, 0x41));
    for (int i = 0; i < 256; ++i) {
      auto r = parse_response(
          c.call(R"({"id": 41, "bundleImport": {"data": ")" + filler + R"(", "offset": ")" +
                 std::to_string(forged.size() + std::size_t(i) * 256 * 1024) + R"("}})"));
      REQUIRE(error_code(r) == "invalidArgument");
    }
    const auto rss_after = peak_rss_kb(t.sam.daemon.pid());
    INFO("peak RSS " << rss_before << " kB -> " << rss_after << " kB");
#if !defined(__SANITIZE_ADDRESS__)
    // Under AddressSanitizer freed memory sits in quarantine, so peak RSS says nothing there.
    CHECK(rss_after < rss_before + 16 * 1024);
#endif
  }
  CHECK(entries(t.sam) == before);  // nothing of a bad part was stored
  // And the good bundle still imports afterwards.
  auto m = import_raw(t.sam, good);
  REQUIRE(root(m).isBundleImported());
  CHECK(root(m).getBundleImported().getDone());
  CHECK(entries(t.sam) == entries(t.alex));
}

TEST_CASE("a failed export leaves no file behind", "[bundle][integration]") {
  Device alex;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  auto missing = cli(alex, {"bundle", "export", alex.dir / "no/such/dir/b.tandem"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("No such file or directory") != std::string::npos);
  // A disk that fills up mid-write (the file size limit stands in for it: write() fails alike).
  for (int i = 0; i < 30; ++i) add(alex, R"({"contribution": {}, "note": "fills a block"})");
  const std::string target = alex.dir / "b.tandem";
  auto full = run({"/bin/sh", "-c", "ulimit -f 1; trap '' XFSZ; exec \"$0\" \"$@\"",
                   binary("tandem"), "bundle", "export", target, "--socket", alex.daemon.socket()});
  CHECK(full.code == 1);
  CHECK(full.err.find("cannot write " + target + ": File too large") != std::string::npos);
  CHECK(::access(target.c_str(), F_OK) != 0);
  CHECK(::access((target + ".partial").c_str(), F_OK) != 0);
  auto unread = cli(alex, {"bundle", "import", alex.dir / "nothing-here"});
  CHECK(unread.code == 1);
  CHECK(unread.err.find("cannot read") != std::string::npos);
}
