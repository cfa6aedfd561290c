// Offline bundles: the sync protocol written to a file, for devices that never share a network.
// Pure (bytes in, bytes out); the journal side that reads the store and commits lives in
// app/bundles.
//
// Layout (big-endian integers):
//   header  magic "TANDEMBN"[8] version[2]=1 flags[2]=0 reserved[4]=0 space_id[16] bundle_id[16]
//   chunk*  length[4] sealed[length]
// sealed = XChaCha20-Poly1305 (random nonce) under a key derived from the space key, with the
// whole header and the chunk's index as associated data, so a chunk from another bundle, another
// position or another space does not open. Plaintexts, in this order:
//   index 0      kFrontier: exporter device[8] || a peer-wire hello with its frontier
//   1..n         kBatch: a peer-wire batch (one device, in sequence order, under the sync caps)
//   n+1 (last)   kEnd: the number of records in the batches [8]
// A length is checked against kMaxSealedChunk before anything waits for or holds its bytes, so a
// forged length never makes the reader allocate; the reader holds at most what was fed to it.
#pragma once

#include "daemon/crypto/secret.hpp"
#include "daemon/sync/engine.hpp"

#include <array>

namespace tandem::sync {

using SpaceId = std::array<std::uint8_t, 16>;

inline constexpr std::size_t kBundleHeaderSize = 48;
inline constexpr std::uint16_t kBundleVersion = 1;
inline constexpr std::size_t kMaxChunkPlaintext = 128 * 1024;  // a batch is under 64 KiB
inline constexpr std::size_t kMaxSealedChunk = kMaxChunkPlaintext + 1 + 40;

// Writes one bundle, chunk by chunk; the caller concatenates what each call returns. Borrows
// `space_key` only while constructing (the derived key is its own).
class BundleWriter {
 public:
  BundleWriter(const crypto::SymmetricKey& space_key, const SpaceId& space,
               const store::DeviceId& exporter);
  // The header and the frontier chunk: what the exporter holds, so that the importer learns what
  // it can leave out when it writes a bundle back.
  Bytes start(const Frontier& exporter_frontier);
  // One chunk holding a batch as collect() returns it (one device, contiguous, under the caps).
  Bytes batch(const std::vector<WireRecord>& records);
  // The closing chunk; without it a reader reports the bundle truncated.
  Bytes finish();
  std::uint64_t records() const { return records_; }
  // Seals `plaintext` (type byte included) as the next chunk, whatever it holds: for tests and
  // fuzzers that need chunks a real writer never makes.
  Bytes sealed_chunk(ByteView plaintext);

 private:
  Bytes chunk(std::uint8_t type, ByteView payload);

  crypto::SymmetricKey key_;
  std::array<std::uint8_t, kBundleHeaderSize> header_{};
  store::DeviceId exporter_{};
  std::uint64_t index_ = 0;
  std::uint64_t records_ = 0;
};

// One step of reading a bundle.
struct BundleItem {
  enum class Kind { kNeedMore, kFrontier, kBatch, kEnd } kind = Kind::kNeedMore;
  store::DeviceId exporter{};       // kFrontier
  Frontier frontier;                // kFrontier
  std::vector<WireRecord> records;  // kBatch (decoded, not yet verified against a store)
};

// Reads a bundle fed in pieces of any size. Every error is final (the reader stays failed):
//   kInvalidArgument  not a tandem bundle (magic), or a version this daemon does not read
//   kForbidden        a bundle of another space (the message names it)
//   kAuth             a chunk does not open: another key (e.g. rotated since), altered, reordered,
//                     or spliced from another bundle
//   kCorrupt          a length over the cap (forged), chunks out of the expected order, a
//                     malformed plaintext, bytes after the end, or (from finish) truncated
class BundleReader {
 public:
  // `previous`, when given, is the space key before the last rotation: a bundle from a device
  // that had not learnt the rotation yet still opens (its records are verified all the same).
  BundleReader(const crypto::SymmetricKey& space_key, const SpaceId& space,
               const crypto::SymmetricKey* previous = nullptr);
  // Appends bytes to the internal buffer (it holds at most the unread part of what was fed).
  void feed(ByteView bytes);
  // The next item, or kNeedMore when the buffer holds no whole chunk.
  Result<BundleItem> next();
  // The input has ended: ok only when the end chunk was read and nothing follows it.
  Status finish();
  // Bytes consumed into items so far (the header included).
  std::uint64_t consumed() const { return consumed_; }
  bool ended() const { return ended_; }

 private:
  Result<BundleItem> fail(Error e);

  crypto::SymmetricKey key_;
  std::optional<crypto::SymmetricKey> previous_;  // tried on chunk 0 only; adopted if it opens
  SpaceId space_{};
  Bytes buf_;
  std::size_t pos_ = 0;  // read position in buf_
  std::array<std::uint8_t, kBundleHeaderSize> header_{};
  bool have_header_ = false;
  bool ended_ = false;
  std::optional<Error> failed_;
  std::uint64_t index_ = 0;
  std::uint64_t records_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace tandem::sync
