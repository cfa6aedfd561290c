// The benchmarks' raw-LMDB baselines, straight through the LMDB C API in a fresh environment at
// `dir` (created; the caller removes it): batched durable inserts, and single durable commits.
#pragma once

#include <lmdb.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tandem::test {

// A fresh durable environment at `dir` (created) and its main table.
inline MDB_env* raw_lmdb_open(const std::string& dir, MDB_dbi& dbi) {
  ::mkdir(dir.c_str(), 0700);
  MDB_env* env;
  mdb_env_create(&env);
  mdb_env_set_mapsize(env, 1ull << 34);
  mdb_env_open(env, dir.c_str(), 0, 0600);
  MDB_txn* txn;
  mdb_txn_begin(env, nullptr, 0, &txn);
  mdb_dbi_open(txn, nullptr, 0, &dbi);
  mdb_txn_commit(txn);
  return env;
}

// Durable inserts per second: `total` 400-byte values under 8-byte big-endian keys, 1,000 per
// committed transaction.
inline double raw_lmdb_inserts_per_s(const std::string& dir, int total) {
  MDB_dbi dbi;
  MDB_env* env = raw_lmdb_open(dir, dbi);
  MDB_txn* txn;
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

// Milliseconds per durable commit of one 256-byte put, over `commits` commits.
inline double raw_lmdb_commit_ms(const std::string& dir, int commits) {
  MDB_dbi dbi;
  MDB_env* env = raw_lmdb_open(dir, dbi);
  MDB_txn* txn;
  char value[256] = {};
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < commits; ++i) {
    mdb_txn_begin(env, nullptr, 0, &txn);
    std::uint64_t k = __builtin_bswap64(static_cast<std::uint64_t>(i));
    MDB_val key{8, &k}, val{sizeof value, value};
    mdb_put(txn, dbi, &key, &val, 0);
    mdb_txn_commit(txn);
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  mdb_env_close(env);
  return ms / commits;
}

}  // namespace tandem::test
