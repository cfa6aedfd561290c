// The key ring: key files plain or wrapped by a passphrase, a wrong passphrase that changes
// nothing, wrapped files that name their own key, and passphrase changes that are all or nothing.
#include "daemon/store/keyring.hpp"

#include "daemon/crypto/primitives.hpp"
#include "daemon/store/keyfiles.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace tandem::store {
namespace {

using tandem::test::TempDir;

template <std::size_t N>
crypto::Secret<N> random_secret() {
  crypto::Secret<N> s;
  crypto::random_fill({s.data(), s.size()});
  return s;
}

template <std::size_t N>
bool same(const crypto::Secret<N>& a, const crypto::Secret<N>& b) {
  return std::memcmp(a.data(), b.data(), N) == 0;
}

Bytes file_bytes(const std::string& path) {
  auto b = read_file(path);
  REQUIRE(b);
  return *b;
}

bool contains(const Bytes& hay, const std::uint8_t* needle, std::size_t n) {
  return std::search(hay.begin(), hay.end(), needle, needle + n) != hay.end();
}

struct Ring {
  TempDir tmp;
  std::string dir = tmp.path() + "/keys";
  crypto::Secret<32> storage = random_secret<32>();
  crypto::Secret<64> sign = random_secret<64>();
  crypto::Secret<32> space = random_secret<32>();

  Ring() {
    REQUIRE(ensure_private_dir(dir));
    auto ring = KeyRing::open(dir);
    REQUIRE(ring);
    REQUIRE(ring->write("storage.key", storage));
    REQUIRE(ring->write("device.sign", sign));
    REQUIRE(ring->write("space.key", space));
  }
  KeyRing open() {
    auto ring = KeyRing::open(dir);
    REQUIRE(ring);
    return std::move(*ring);
  }
};

TEST_CASE("a key ring without a passphrase keeps raw 0600 key files", "[keyring]") {
  Ring r;
  auto ring = r.open();
  CHECK_FALSE(ring.wrapped());
  CHECK_FALSE(ring.locked());
  CHECK(file_bytes(r.dir + "/storage.key").size() == 32);
  auto s = ring.read<32>("storage.key");
  REQUIRE(s);
  CHECK(same(*s, r.storage));
  CHECK(ring.read<32>("missing.key").error().code == Code::kNotFound);
  CHECK(ring.write("storage.key", r.space).error().code == Code::kAlreadyInitialized);
  REQUIRE(ring.unlock("anything at all"));  // nothing to unlock: a no-op
}

TEST_CASE("a passphrase wraps every key file and nothing opens without it", "[keyring]") {
  Ring r;
  {
    auto ring = r.open();
    CHECK(ring.change_passphrase("short").error().code == Code::kInvalidArgument);
    REQUIRE(ring.change_passphrase("correct horse battery"));
    CHECK(ring.wrapped());
    CHECK_FALSE(ring.locked());
    auto again = ring.read<64>("device.sign");  // still unlocked in this process
    REQUIRE(again);
    CHECK(same(*again, r.sign));
  }
  // On disk: no raw key anywhere in the directory, every key file 0600 and longer by the seal.
  for (const auto& f : std::filesystem::directory_iterator(r.dir)) {
    const auto bytes = file_bytes(f.path());
    CHECK_FALSE(contains(bytes, r.storage.data(), 32));
    CHECK_FALSE(contains(bytes, r.sign.data(), 32));
    CHECK_FALSE(contains(bytes, r.sign.data() + 32, 32));
    CHECK_FALSE(contains(bytes, r.space.data(), 32));
    struct stat st {};
    REQUIRE(::stat(f.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  CHECK(file_bytes(r.dir + "/storage.key").size() == 5 + 40 + 32);
  CHECK(file_bytes(r.dir + "/device.sign").size() == 5 + 40 + 64);

  auto ring = r.open();
  CHECK(ring.wrapped());
  CHECK(ring.locked());
  CHECK(ring.read<32>("storage.key").error().code == Code::kLocked);
  CHECK(ring.write("device.dh", r.space).error().code == Code::kLocked);
  CHECK(ring.change_passphrase("").error().code == Code::kLocked);
  CHECK(ring.unlock("correct horse battery!").error().code == Code::kBadPassphrase);
  CHECK(ring.unlock("").error().code == Code::kBadPassphrase);
  CHECK(ring.locked());
  REQUIRE(ring.unlock("correct horse battery"));
  CHECK_FALSE(ring.locked());
  auto s = ring.read<32>("storage.key");
  REQUIRE(s);
  CHECK(same(*s, r.storage));
  auto sp = ring.read<32>("space.key");
  REQUIRE(sp);
  CHECK(same(*sp, r.space));
  // Keys written while wrapped are wrapped too.
  auto dh = random_secret<32>();
  REQUIRE(ring.write("device.dh", dh));
  CHECK(file_bytes(r.dir + "/device.dh").size() == 5 + 40 + 32);
  CHECK_FALSE(contains(file_bytes(r.dir + "/device.dh"), dh.data(), 32));
  auto rotated = random_secret<32>();
  REQUIRE(ring.replace("space.key", rotated));
  auto back = ring.read<32>("space.key");
  REQUIRE(back);
  CHECK(same(*back, rotated));
}

TEST_CASE("a wrapped key file opens only under its own name and unaltered", "[keyring]") {
  Ring r;
  REQUIRE(r.open().change_passphrase("correct horse battery"));
  auto ring = r.open();
  REQUIRE(ring.unlock("correct horse battery"));
  // Moved: the space key's file put in place of the storage key's (both 32 bytes).
  auto space_file = file_bytes(r.dir + "/space.key");
  REQUIRE(write_file_atomic(r.dir + "/storage.key", space_file, 0600));
  CHECK(ring.read<32>("storage.key").error().code == Code::kAuth);
  // Altered: every byte of a wrapped file, flipped in turn.
  for (std::size_t i = 0; i < space_file.size(); ++i) {
    auto bad = space_file;
    bad[i] ^= 0x01;
    REQUIRE(write_file_atomic(r.dir + "/space.key", bad, 0600));
    CHECK_FALSE(ring.read<32>("space.key"));
  }
  // A raw key put where a wrapped one belongs (by someone who wants the daemon to use a key they
  // know): refused.
  REQUIRE(write_file_atomic(r.dir + "/space.key", Bytes(32, 0x42), 0600));
  CHECK(ring.read<32>("space.key").error().code == Code::kCorrupt);
  // Readable by others: refused before it is opened.
  REQUIRE(write_file_atomic(r.dir + "/space.key", space_file, 0644));
  CHECK(ring.read<32>("space.key").error().code == Code::kIo);
}

TEST_CASE("a passphrase can be changed and removed, and the keys stay the same", "[keyring]") {
  Ring r;
  REQUIRE(r.open().change_passphrase("correct horse battery"));
  {
    auto ring = r.open();
    REQUIRE(ring.unlock("correct horse battery"));
    REQUIRE(ring.change_passphrase("a different passphrase"));
  }
  {
    auto ring = r.open();
    CHECK(ring.unlock("correct horse battery").error().code == Code::kBadPassphrase);
    REQUIRE(ring.unlock("a different passphrase"));
    auto s = ring.read<64>("device.sign");
    REQUIRE(s);
    CHECK(same(*s, r.sign));
    REQUIRE(ring.change_passphrase(""));  // back to plain files
  }
  CHECK_FALSE(std::filesystem::exists(r.dir + "/passphrase"));
  auto ring = r.open();
  CHECK_FALSE(ring.wrapped());
  CHECK(file_bytes(r.dir + "/storage.key").size() == 32);
  auto s = ring.read<32>("storage.key");
  REQUIRE(s);
  CHECK(same(*s, r.storage));
}

TEST_CASE("an interrupted passphrase change leaves the old set in place", "[keyring]") {
  Ring r;
  // What a crash before the swap leaves: keys.new half written.
  REQUIRE(ensure_private_dir(r.dir + ".new"));
  REQUIRE(write_file_atomic(r.dir + ".new/storage.key", Bytes(77, 0xaa), 0600));
  auto ring = r.open();
  CHECK_FALSE(std::filesystem::exists(r.dir + ".new"));
  CHECK_FALSE(ring.wrapped());
  auto s = ring.read<32>("storage.key");
  REQUIRE(s);
  CHECK(same(*s, r.storage));
}

TEST_CASE("a passphrase file that asks for absurd Argon2id limits is refused", "[keyring]") {
  Ring r;
  REQUIRE(r.open().change_passphrase("correct horse battery"));
  auto pass = file_bytes(r.dir + "/passphrase");
  put_be64(pass.data() + 5 + 16 + 8, std::uint64_t(1) << 40);  // 1 TiB of memory
  REQUIRE(write_file_atomic(r.dir + "/passphrase", pass, 0600));
  auto ring = r.open();
  CHECK(ring.unlock("correct horse battery").error().code == Code::kCorrupt);
  CHECK(ring.locked());
  REQUIRE(write_file_atomic(r.dir + "/passphrase", Bytes(10, 1), 0600));
  CHECK(KeyRing::open(r.dir).error().code == Code::kCorrupt);
}

}  // namespace
}  // namespace tandem::store
