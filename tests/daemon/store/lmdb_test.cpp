// The LMDB wrapper's in-place writes: a value reserved with Txn::reserve and filled before the
// next write is what reads back, after the commit and after the environment is reopened.
#include "daemon/store/lmdb.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tandem;
using namespace tandem::store;

TEST_CASE("a value reserved in place and filled reads back after commit and reopen",
          "[store][lmdb]") {
  test::TempDir dir;
  MDB_dbi dbi = 0;
  {
    auto env = Env::open(dir.path(), Env::Options{});
    REQUIRE(env);
    auto txn = Txn::begin_write(*env);
    REQUIRE(txn);
    auto t = open_table(*txn, "t");
    REQUIRE(t);
    dbi = *t;
    for (std::uint64_t i = 1; i <= 300; ++i) {
      std::uint8_t key[8];
      put_be64(key, i);
      auto slot = txn->reserve(dbi, ByteView(key, 8), static_cast<std::size_t>(i));
      REQUIRE(slot);
      REQUIRE(slot->size() == i);
      std::memset(slot->data(), static_cast<int>(i & 0xff), slot->size());
    }
    REQUIRE(txn->commit());
  }
  auto env = Env::open(dir.path(), Env::Options{});
  REQUIRE(env);
  auto txn = Txn::begin_write(*env);
  REQUIRE(txn);
  auto t = open_table(*txn, "t");  // a table handle belongs to its environment
  REQUIRE(t);
  dbi = *t;
  int n = 0;
  for (std::uint64_t i = 1; i <= 300; ++i, ++n) {
    std::uint8_t key[8];
    put_be64(key, i);
    auto v = txn->get(dbi, ByteView(key, 8));
    REQUIRE(v);
    REQUIRE(*v);
    REQUIRE((*v)->size() == i);
    for (auto b : **v) REQUIRE(b == static_cast<std::uint8_t>(i & 0xff));
  }
  CHECK(n == 300);
}
