#include "daemon/sync/bundle.hpp"

#include "daemon/crypto/primitives.hpp"

#include <cstring>

namespace tandem::sync {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'N', 'D', 'E', 'M', 'B', 'N'};
enum ChunkType : std::uint8_t { kFrontierChunk = 1, kBatchChunk = 2, kEndChunk = 3 };

crypto::SymmetricKey bundle_key(const crypto::SymmetricKey& space_key) {
  return crypto::derive_key(space_key, "tandem/bundle/v1", 0);
}

// The associated data of chunk `index`: the header, then the index.
Bytes chunk_ad(const std::array<std::uint8_t, kBundleHeaderSize>& header, std::uint64_t index) {
  Bytes ad(header.begin(), header.end());
  ad.resize(kBundleHeaderSize + 8);
  put_be64(ad.data() + kBundleHeaderSize, index);
  return ad;
}

}  // namespace

BundleWriter::BundleWriter(const crypto::SymmetricKey& space_key, const SpaceId& space,
                           const store::DeviceId& exporter)
    : key_(bundle_key(space_key)), exporter_(exporter) {
  std::memcpy(header_.data(), kMagic, 8);
  header_[8] = kBundleVersion >> 8;
  header_[9] = kBundleVersion & 0xff;
  std::memcpy(header_.data() + 16, space.data(), 16);
  crypto::random_fill({header_.data() + 32, 16});
}

Bytes BundleWriter::chunk(std::uint8_t type, ByteView payload) {
  Bytes plain;
  plain.reserve(1 + payload.size());
  plain.push_back(type);
  plain.insert(plain.end(), payload.begin(), payload.end());
  return sealed_chunk(plain);
}

Bytes BundleWriter::sealed_chunk(ByteView plain) {
  Bytes sealed = crypto::seal(key_, plain, chunk_ad(header_, index_++));
  Bytes out(4);
  put_be32(out.data(), static_cast<std::uint32_t>(sealed.size()));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Bytes BundleWriter::start(const Frontier& exporter_frontier) {
  Bytes payload(exporter_.begin(), exporter_.end());
  Bytes hello = encode_hello(exporter_frontier, 0);
  payload.insert(payload.end(), hello.begin(), hello.end());
  Bytes out(header_.begin(), header_.end());
  Bytes c = chunk(kFrontierChunk, payload);
  out.insert(out.end(), c.begin(), c.end());
  return out;
}

Bytes BundleWriter::batch(const std::vector<WireRecord>& records) {
  records_ += records.size();
  return chunk(kBatchChunk, encode_batch(index_, records));
}

Bytes BundleWriter::finish() {
  std::uint8_t n[8];
  put_be64(n, records_);
  return chunk(kEndChunk, {n, 8});
}

BundleReader::BundleReader(const crypto::SymmetricKey& space_key, const SpaceId& space,
                           const crypto::SymmetricKey* previous)
    : key_(bundle_key(space_key)), space_(space) {
  if (previous) previous_.emplace(bundle_key(*previous));
}

void BundleReader::feed(ByteView bytes) {
  if (failed_) return;
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {  // drop what was read before growing
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<BundleItem> BundleReader::fail(Error e) {
  failed_ = e;
  buf_.clear();
  buf_.shrink_to_fit();
  pos_ = 0;
  return e;
}

Result<BundleItem> BundleReader::next() {
  if (failed_) return *failed_;
  const std::size_t avail = buf_.size() - pos_;
  if (avail == 0) return BundleItem{};  // (an empty buffer's data() may be null)
  const std::uint8_t* p = buf_.data() + pos_;
  if (!have_header_) {
    // Judge the magic as soon as its bytes are here: a wrong file fails at once.
    const std::size_t m = std::min<std::size_t>(avail, 8);
    if (std::memcmp(p, kMagic, m) != 0) {
      return fail({Code::kInvalidArgument, "not a tandem bundle"});
    }
    if (avail < kBundleHeaderSize) return BundleItem{};
    const std::uint16_t version = static_cast<std::uint16_t>(p[8] << 8 | p[9]);
    if (version != kBundleVersion) {
      return fail({Code::kInvalidArgument, "a bundle of format version " + std::to_string(version) +
                                               "; this tandemd reads version " +
                                               std::to_string(kBundleVersion)});
    }
    if (p[10] || p[11] || p[12] || p[13] || p[14] || p[15]) {
      return fail({Code::kInvalidArgument, "a bundle with flags this tandemd does not know"});
    }
    if (std::memcmp(p + 16, space_.data(), 16) != 0) {
      return fail({Code::kForbidden, "this bundle belongs to another space (" +
                                         to_hex({p + 16, 16}) + "), not this couple's (" +
                                         to_hex(space_) + ")"});
    }
    std::memcpy(header_.data(), p, kBundleHeaderSize);
    have_header_ = true;
    pos_ += kBundleHeaderSize;
    consumed_ += kBundleHeaderSize;
    return next();
  }
  if (ended_) return fail({Code::kCorrupt, "bytes after the end of the bundle"});
  if (avail < 4) return BundleItem{};
  const std::uint32_t len = get_be32(p);
  if (len > kMaxSealedChunk || len <= crypto::kSealOverhead) {
    return fail({Code::kCorrupt, "chunk " + std::to_string(index_) + " declares " +
                                     std::to_string(len) + " bytes; a chunk holds 41 to " +
                                     std::to_string(kMaxSealedChunk)});
  }
  if (avail < 4 + std::size_t{len}) return BundleItem{};
  auto plain = crypto::open(key_, {p + 4, len}, chunk_ad(header_, index_));
  if (!plain && index_ == 0 && previous_) {
    plain = crypto::open(*previous_, {p + 4, len}, chunk_ad(header_, index_));
    if (plain) key_ = std::move(*previous_);
  }
  previous_.reset();
  if (!plain) {
    return fail({Code::kAuth,
                 "chunk " + std::to_string(index_) +
                     " does not open: the bundle was altered, reordered or cut and spliced, or "
                     "it was made under a space key this device does not hold"});
  }
  pos_ += 4 + std::size_t{len};
  consumed_ += 4 + std::uint64_t{len};
  const std::uint64_t index = index_++;
  const std::uint8_t type = plain->empty() ? 0 : (*plain)[0];
  ByteView payload = ByteView(*plain).subspan(plain->empty() ? 0 : 1);
  BundleItem item;
  if (index == 0) {
    if (type != kFrontierChunk || payload.size() < 8) {
      return fail({Code::kCorrupt, "the bundle does not start with the exporter's frontier"});
    }
    auto m = decode(payload.subspan(8));
    if (!m || m->kind != Message::Kind::kHello) {
      return fail({Code::kCorrupt, "a malformed frontier in the bundle"});
    }
    item.kind = BundleItem::Kind::kFrontier;
    std::memcpy(item.exporter.data(), payload.data(), 8);
    item.frontier = std::move(m->frontier);
    return item;
  }
  if (type == kBatchChunk) {
    auto m = decode(payload);
    if (!m)
      return fail({m.error().code, "chunk " + std::to_string(index) + ": " + m.error().message});
    if (m->kind != Message::Kind::kBatch || m->id != index) {
      return fail({Code::kCorrupt, "chunk " + std::to_string(index) + " is not a batch"});
    }
    records_ += m->records.size();
    item.kind = BundleItem::Kind::kBatch;
    item.records = std::move(m->records);
    return item;
  }
  if (type == kEndChunk && payload.size() == 8) {
    if (get_be64(payload.data()) != records_) {
      return fail({Code::kCorrupt, "the bundle's end counts other records than it held"});
    }
    ended_ = true;
    item.kind = BundleItem::Kind::kEnd;
    return item;
  }
  return fail({Code::kCorrupt, "chunk " + std::to_string(index) + " has an unknown type"});
}

Status BundleReader::finish() {
  if (failed_) return *failed_;
  if (!ended_) {
    return Error{Code::kCorrupt, "the bundle is truncated: it ends after " +
                                     std::to_string(consumed_) + " whole bytes, before its end"};
  }
  if (buf_.size() > pos_) return Error{Code::kCorrupt, "bytes after the end of the bundle"};
  return {};
}

}  // namespace tandem::sync
