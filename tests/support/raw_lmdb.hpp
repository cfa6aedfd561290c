// The benchmarks' raw-LMDB baseline: durable inserts per second straight through the LMDB C API,
// `total` 400-byte values under 8-byte big-endian keys, 1,000 per committed transaction, in a
// fresh environment at `dir` (created; the caller removes it).
#pragma once

#include <lmdb.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tandem::test {

inline double raw_lmdb_inserts_per_s(const std::string& dir, int total) {
  ::mkdir(dir.c_str(), 0700);
  MDB_env* env;
  mdb_env_create(&env);
  mdb_env_set_mapsize(env, 1ull << 34);
  mdb_env_open(env, dir.c_str(), 0, 0600);
  MDB_txn* txn;
  MDB_dbi dbi;
  mdb_txn_begin(env, nullptr, 0, &txn);
  mdb_dbi_open(txn, nullptr, 0, &dbi);
  mdb_txn_commit(txn);
  std::vector<char> value(400, 'x');
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < total;) {
    mdb_txn_begin(env, nullptr, 0, &txn);
    for (int j = 0; j < 1000 && i < total; ++j, ++i) {
      std::uint64_t k = __builtin_bswap64(static_cast<std::uint64_t>(i));
      MDB_val key{8, &k}, val{value.size(), value.data()};
      mdb_put(txn, dbi, &key, &val, 0);
    }
    mdb_txn_commit(txn);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  mdb_env_close(env);
  return total / secs;
}

}  // namespace tandem::test
