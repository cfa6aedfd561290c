// tandem-verify-store DATA_DIR: checks a stopped daemon's log offline (every hash chain, body hash
// and signature, as store::verify_log does) and prints "records=N bodies=M erased=E problems=P",
// then each problem on its own line. Exit 0 when the log verifies, 1 when it does not, 2 when the
// store cannot be opened. The fault matrix runs it on every device after the daemons stop.
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"

#include <cstdio>
#include <string>

using namespace tandem;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tandem-verify-store DATA_DIR\n");
    return 2;
  }
  const std::string data = argv[1];
  auto key = store::read_key_file<32>(data + "/keys/storage.key");
  if (!key) {
    std::fprintf(stderr, "tandem-verify-store: %s\n", key.error().message.c_str());
    return 2;
  }
  auto st = store::Store::open(data + "/store", std::move(*key));
  if (!st) {
    std::fprintf(stderr, "tandem-verify-store: %s\n", st.error().message.c_str());
    return 2;
  }
  auto txn = store::Txn::begin_read((*st)->env());
  if (!txn) return 2;
  auto rep = store::verify_log(**st, *txn);
  if (!rep) {
    std::fprintf(stderr, "tandem-verify-store: %s\n", rep.error().message.c_str());
    return 2;
  }
  std::printf("records=%llu bodies=%llu erased=%llu problems=%zu\n",
              static_cast<unsigned long long>(rep->records),
              static_cast<unsigned long long>(rep->bodies),
              static_cast<unsigned long long>(rep->erased), rep->problems.size());
  for (const auto& p : rep->problems) std::printf("%s\n", p.c_str());
  return rep->problems.empty() ? 0 : 1;
}
