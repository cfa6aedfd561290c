#include "proto/framing.hpp"

#include <capnp/serialize.h>

#include <cstring>

namespace tandem::proto {

capnp::ReaderOptions strict_reader_options() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = 4 * 1024 * 1024 / sizeof(capnp::word);  // 4 MiB of reads per message
  o.nestingLimit = 16;
  return o;
}

kj::ArrayPtr<const capnp::word> aligned_words(std::span<const std::uint8_t> bytes,
                                              kj::Array<capnp::word>& copy) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) return {};
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    return {reinterpret_cast<const capnp::word*>(bytes.data()), bytes.size() / sizeof(capnp::word)};
  }
  copy = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(copy.begin(), bytes.data(), bytes.size());
  return copy;
}

void flatten_into(capnp::MessageBuilder& message, std::vector<std::uint8_t>& out) {
  auto segments = message.getSegmentsForOutput();
  const std::size_t table = (segments.size() / 2 + 1) * sizeof(capnp::word);
  std::size_t total = table;
  for (auto s : segments) total += s.size() * sizeof(capnp::word);
  out.assign(total, 0);
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  put32(0, static_cast<std::uint32_t>(segments.size() - 1));
  std::size_t at = table;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    put32(4 + 4 * i, static_cast<std::uint32_t>(segments[i].size()));
    std::memcpy(out.data() + at, segments[i].begin(), segments[i].size() * sizeof(capnp::word));
    at += segments[i].size() * sizeof(capnp::word);
  }
}

FrameDecoder::FrameDecoder(std::size_t max_frame_bytes, std::uint32_t max_segments)
    : max_frame_bytes_(max_frame_bytes), max_segments_(max_segments) {}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (broken_) return;
  if (skip_ > 0) {
    std::size_t n = std::min(skip_, bytes.size());
    skip_ -= n;
    bytes = bytes.subspan(n);
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

void FrameDecoder::compact() {
  if (pos_ > 0 && (pos_ > 4096 || pos_ * 2 > buf_.size())) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

static std::uint32_t read_u32le(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

FrameDecoder::Result FrameDecoder::next(kj::Array<capnp::word>& out) {
  if (broken_) return Result::kMalformed;
  if (skip_ > 0) return Result::kNeedMore;
  const std::size_t avail = buf_.size() - pos_;
  const std::uint8_t* p = buf_.data() + pos_;
  if (avail < 4) return Result::kNeedMore;
  const std::uint64_t segments = std::uint64_t(read_u32le(p)) + 1;
  if (segments > max_segments_) {
    broken_ = true;
    buf_.clear();
    pos_ = 0;
    return Result::kMalformed;
  }
  const std::size_t table = static_cast<std::size_t>(((segments + 1) * 4 + 7) / 8 * 8);
  if (avail < table) return Result::kNeedMore;
  std::uint64_t words = 0;
  for (std::uint64_t i = 0; i < segments; ++i) words += read_u32le(p + 4 + 4 * i);
  const std::uint64_t total = table + words * 8;
  if (words == 0) {
    broken_ = true;
    buf_.clear();
    pos_ = 0;
    return Result::kMalformed;
  }
  if (total > max_frame_bytes_) {
    // Drop what is buffered of this frame and the rest as it arrives.
    if (avail >= total) {
      pos_ += static_cast<std::size_t>(total);
    } else {
      skip_ = static_cast<std::size_t>(total - avail);
      pos_ = buf_.size();
    }
    compact();
    return Result::kTooLarge;
  }
  if (avail < total) return Result::kNeedMore;
  out = kj::heapArray<capnp::word>(static_cast<std::size_t>(total / 8));
  std::memcpy(out.begin(), p, static_cast<std::size_t>(total));
  pos_ += static_cast<std::size_t>(total);
  compact();
  return Result::kFrame;
}

FrameReader::FrameReader(kj::ArrayPtr<const capnp::word> words, capnp::ReaderOptions options)
    : reader_(kj::heap<capnp::FlatArrayMessageReader>(words, options)) {}

kj::Array<capnp::word> encode_frame(capnp::MessageBuilder& message) {
  return capnp::messageToFlatArray(message);
}

}  // namespace tandem::proto
