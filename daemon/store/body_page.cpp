#include "daemon/store/body_page.hpp"

#include "daemon/crypto/secret.hpp"
#include "daemon/store/record.hpp"

#include <algorithm>
#include <cstring>

namespace tandem::store {

namespace {

constexpr std::uint8_t kPageVersion = 1;

std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}

// Bytes before the first body: the fixed part and the lengths, rounded up to a word.
std::size_t header_size(std::size_t count) {
  return round_up(8 + 4 * count, 8);
}

bool all_zero(const std::uint8_t* p, std::size_t n) {
  return std::all_of(p, p + n, [](std::uint8_t c) { return c == 0; });
}

}  // namespace

Result<PageView> PageView::parse(ByteView plain) {
  const Error bad{Code::kCorrupt, "a stored page of bodies is malformed"};
  if (plain.size() < 8 || plain[0] != kPageVersion) return bad;
  const std::size_t count = plain[1];
  if (count == 0 || count > kPageRecords || !all_zero(plain.data() + 2, 6)) return bad;
  const std::size_t header = header_size(count);
  if (plain.size() < header || !all_zero(plain.data() + 8 + 4 * count, header - 8 - 4 * count))
    return bad;
  PageView v;
  v.plain_ = plain;
  v.count_ = count;
  std::size_t at = header;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t len = get_be32(plain.data() + 8 + 4 * i);
    if (len % 8 != 0 || len > plain.size() - at) return bad;
    v.lengths_[i] = len;
    v.offsets_[i] = static_cast<std::uint32_t>(at);
    at += len;
  }
  // Only the padding may follow the bodies.
  if (plain.size() % kBodyPadding != 0 || !all_zero(plain.data() + at, plain.size() - at))
    return bad;
  return v;
}

std::optional<ByteView> PageView::body(std::size_t i) const {
  if (i >= count_ || lengths_[i] == 0) return std::nullopt;
  return plain_.subspan(offsets_[i], lengths_[i]);
}

bool PageBuilder::fits(std::size_t size) const {
  if (lengths_.empty()) return true;
  if (lengths_.size() >= kPageRecords) return false;
  return round_up(header_size(lengths_.size() + 1) + bodies_.size() + size, kBodyPadding) <=
         kPageBytes;
}

void PageBuilder::add(ByteView encoded_body) {
  bodies_.insert(bodies_.end(), encoded_body.begin(), encoded_body.end());
  lengths_.push_back(static_cast<std::uint32_t>(encoded_body.size()));
}

void PageBuilder::add_erased() {
  lengths_.push_back(0);
}

void PageBuilder::load(const PageView& page, std::optional<std::size_t> erase) {
  clear();
  for (std::size_t i = 0; i < page.count(); ++i) {
    auto b = page.body(i);
    if (b && i != erase) {
      add(*b);
    } else {
      add_erased();
    }
  }
}

bool PageBuilder::all_erased() const {
  return std::all_of(lengths_.begin(), lengths_.end(), [](std::uint32_t n) { return n == 0; });
}

void PageBuilder::finish(Bytes& out) const {
  const std::size_t header = header_size(lengths_.size());
  out.assign(round_up(header + bodies_.size(), kBodyPadding), 0);
  out[0] = kPageVersion;
  out[1] = static_cast<std::uint8_t>(lengths_.size());
  for (std::size_t i = 0; i < lengths_.size(); ++i) put_be32(out.data() + 8 + 4 * i, lengths_[i]);
  if (!bodies_.empty()) std::memcpy(out.data() + header, bodies_.data(), bodies_.size());
}

PageBuilder::~PageBuilder() {
  clear();
}

void PageBuilder::clear() {
  crypto::wipe(bodies_.data(), bodies_.size());
  bodies_.clear();
  lengths_.clear();
}

}  // namespace tandem::store
