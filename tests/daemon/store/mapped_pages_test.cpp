// Env::release_mapped_pages: the store's pages that reads made resident leave the process's RSS,
// and every value reads back the same afterwards.
#include "daemon/store/lmdb.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace tandem;
using namespace tandem::store;

namespace {

long rss_file_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("RssFile:", 0) == 0) return std::stol(line.substr(8));
  }
  return -1;
}

}  // namespace

TEST_CASE("releasing the mapped pages drops them from RSS and the data reads back the same",
          "[store][memory]") {
  test::TempDir dir;
  auto env = Env::open(dir.path(), Env::Options{});
  REQUIRE(env);
  MDB_dbi dbi = 0;
  constexpr int kValues = 4000;  // 4000 × 2 KiB = 8 MiB of values
  std::vector<std::uint8_t> value(2048);
  {
    auto txn = Txn::begin_write(*env);
    REQUIRE(txn);
    auto t = open_table(*txn, "t");
    REQUIRE(t);
    dbi = *t;
    for (int i = 0; i < kValues; ++i) {
      std::uint8_t key[8];
      put_be64(key, static_cast<std::uint64_t>(i));
      std::memset(value.data(), i & 0xff, value.size());
      REQUIRE(txn->put(dbi, ByteView(key, 8), value));
    }
    REQUIRE(txn->commit());
  }
  auto sum = [&] {
    auto txn = Txn::begin_read(*env);
    REQUIRE(txn);
    auto cur = Cursor::open(*txn, dbi);
    REQUIRE(cur);
    long total = 0;
    int n = 0;
    for (auto it = cur->first(); it; it = cur->next(), ++n) {
      for (auto b : it->value) total += b;
    }
    CHECK(n == kValues);
    return total;
  };
  const long before = sum();  // every page of the table is mapped in now
  const long resident = rss_file_kb();
  REQUIRE(env->release_mapped_pages() >= std::size_t(kValues) * 2048);
  const long released = rss_file_kb();
  CHECK(released + 6 * 1024 < resident);  // at least 6 of the 8 MiB left the RSS
  CHECK(sum() == before);                 // and read back from the page cache unchanged
}
