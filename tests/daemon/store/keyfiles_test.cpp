// Secret key files: written 0600 without ever overwriting a key, read only when nobody else
// could have read them, and private directories that really are private.
#include "daemon/store/keyfiles.hpp"

#include "daemon/crypto/primitives.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstring>

namespace tandem::store {
namespace {

using tandem::test::TempDir;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

crypto::Secret<32> some_secret() {
  crypto::Secret<32> s;
  crypto::random_fill({s.data(), s.size()});
  return s;
}

TEST_CASE("a key file is written 0600 and reads back the same bytes", "[store][keyfiles]") {
  TempDir dir;
  auto key = some_secret();
  REQUIRE(write_key_file(dir / "storage.key", key));
  CHECK(mode_of(dir / "storage.key") == 0600);
  auto back = read_key_file<32>(dir / "storage.key");
  REQUIRE(back);
  CHECK(std::memcmp(back->data(), key.data(), 32) == 0);

  crypto::Secret<64> sk;
  crypto::random_fill({sk.data(), sk.size()});
  REQUIRE(write_key_file(dir / "sign.key", sk));
  auto sk_back = read_key_file<64>(dir / "sign.key");
  REQUIRE(sk_back);
  CHECK(std::memcmp(sk_back->data(), sk.data(), 64) == 0);
}

TEST_CASE("writing a key file refuses to overwrite an existing key", "[store][keyfiles]") {
  TempDir dir;
  auto first = some_secret();
  REQUIRE(write_key_file(dir / "k", first));
  auto st = write_key_file(dir / "k", some_secret());
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kAlreadyInitialized);
  auto back = read_key_file<32>(dir / "k");
  REQUIRE(back);
  CHECK(std::memcmp(back->data(), first.data(), 32) == 0);
}

TEST_CASE("a key file others could read is refused", "[store][keyfiles]") {
  TempDir dir;
  REQUIRE(write_key_file(dir / "k", some_secret()));
  for (unsigned mode : {0644u, 0640u, 0604u, 0660u}) {
    INFO("mode " << std::oct << mode);
    REQUIRE(::chmod((dir / "k").c_str(), mode) == 0);
    auto r = read_key_file<32>(dir / "k");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kIo);
  }
  REQUIRE(::chmod((dir / "k").c_str(), 0400) == 0);  // owner-only read is fine
  CHECK(read_key_file<32>(dir / "k"));
}

TEST_CASE("a key file of the wrong size is refused", "[store][keyfiles]") {
  TempDir dir;
  Bytes short_key(31, 7), long_key(33, 7);
  REQUIRE(write_file_atomic(dir / "short", short_key, 0600));
  REQUIRE(write_file_atomic(dir / "long", long_key, 0600));
  auto s = read_key_file<32>(dir / "short");
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("size") != std::string::npos);
  CHECK_FALSE(read_key_file<32>(dir / "long"));
  // A 32-byte storage key is not a 64-byte signing key.
  REQUIRE(write_key_file(dir / "k32", some_secret()));
  CHECK_FALSE(read_key_file<64>(dir / "k32"));
}

TEST_CASE("a missing key file is kNotFound", "[store][keyfiles]") {
  TempDir dir;
  auto r = read_key_file<32>(dir / "absent");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::kNotFound);
}

TEST_CASE("ensure_private_dir creates a 0700 directory and refuses one open to others",
          "[store][keyfiles]") {
  TempDir dir;
  REQUIRE(ensure_private_dir(dir / "new"));
  CHECK(mode_of(dir / "new") == 0700);
  CHECK(ensure_private_dir(dir / "new"));  // again: already fine

  REQUIRE(::mkdir((dir / "open").c_str(), 0755) == 0);
  REQUIRE(::chmod((dir / "open").c_str(), 0755) == 0);  // whatever the umask
  auto st = ensure_private_dir(dir / "open");
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Code::kIo);
  CHECK(mode_of(dir / "open") == 0755);  // refused, not silently "fixed"

  REQUIRE(write_file_atomic(dir / "file", Bytes{1}, 0600));
  CHECK_FALSE(ensure_private_dir(dir / "file"));
}

TEST_CASE("write_file_atomic replaces a file with the given mode and leaves no temp file",
          "[store][keyfiles]") {
  TempDir dir;
  REQUIRE(write_file_atomic(dir / "peers", Bytes{1, 2, 3}, 0644));
  REQUIRE(write_file_atomic(dir / "peers", Bytes{4, 5}, 0600));
  CHECK(mode_of(dir / "peers") == 0600);
  auto back = read_file(dir / "peers");
  REQUIRE(back);
  CHECK(*back == Bytes{4, 5});
  struct stat st {};
  CHECK(::stat((dir / "peers.tmp").c_str(), &st) != 0);
}

}  // namespace
}  // namespace tandem::store
