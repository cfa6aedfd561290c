// Fuzzes the offline bundle reader, a parser of bytes carried on a USB stick or through a chat:
// whole bundles fed in pieces of fuzzed sizes (the header, length and seal gate), and fuzzed
// plaintexts sealed under the reader's own key (what lies behind the gate: chunk types, batches,
// frontiers, the end count). The reader must never crash, hold more than it was fed, or accept a
// bundle it failed on or did not read to its end.
//
// Input: byte 0 chooses the mode (bit 0) and the piece size (the rest); then the bytes. The seed
// corpus holds real bundles sealed under the key below (tests/fuzz/corpus/fuzz_bundle).
#include "daemon/sync/bundle.hpp"

#include <cstdint>
#include <cstdlib>

using namespace tandem;

namespace {

crypto::SymmetricKey fuzz_key() {
  crypto::SymmetricKey k;
  for (std::size_t i = 0; i < k.size(); ++i) k.data()[i] = 0x42;
  return k;
}

constexpr sync::SpaceId kSpace = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                                  0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};

void read_all(const crypto::SymmetricKey& key, ByteView in, std::size_t piece) {
  sync::BundleReader r(key, kSpace);
  bool failed = false;
  for (std::size_t at = 0; at < in.size() && !failed; at += piece) {
    r.feed(in.subspan(at, std::min(piece, in.size() - at)));
    for (;;) {
      auto item = r.next();
      if (!item) {
        failed = true;
        break;
      }
      if (item->kind == sync::BundleItem::Kind::kNeedMore) break;
      if (r.consumed() > in.size()) std::abort();  // never more than it was fed
    }
  }
  auto st = r.finish();
  if (st.ok() && (failed || !r.ended())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const crypto::SymmetricKey key = fuzz_key();
  const std::size_t piece = 1 + static_cast<std::size_t>(data[0] >> 1) * 131;
  ByteView in(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    read_all(key, in, piece);
    return 0;
  }
  // Behind the gate: the input is a chunk's plaintext, sealed as the first batch of a bundle.
  sync::BundleWriter w(key, kSpace, store::DeviceId{1, 2, 3, 4, 5, 6, 7, 8});
  Bytes bundle = w.start({});
  Bytes chunk = w.sealed_chunk(in);
  bundle.insert(bundle.end(), chunk.begin(), chunk.end());
  Bytes end = w.finish();
  bundle.insert(bundle.end(), end.begin(), end.end());
  read_all(key, bundle, piece);
  return 0;
}
