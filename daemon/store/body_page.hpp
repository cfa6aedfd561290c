// Pages of bodies: the encoded bodies of consecutive records of one device, sealed at rest
// together as one value of the store's pages table (store.hpp), under the key of the page's first
// record. One AEAD per page instead of one per body: a catch-up sync opens and seals a few KiB at a
// time, where XChaCha20-Poly1305 costs about a third as much per byte as on one 256-byte body
// (185 ns per 256 bytes within 4 KiB, 530 ns for 256 bytes alone, on the development machine),
// and writes one value per page instead of one per record.
//
// Page plaintext (big-endian integers):
//   [0]     version, 1
//   [1]     count: the records the page covers, 1..kPageRecords (first, first + 1, ...)
//   [2..8)  zero
//   [8..)   count × u32: each body's length in bytes (a multiple of 8: a Cap'n Proto message);
//           0 for a body erased by a retract. Then zero bytes up to a multiple of 8.
//   then    the bodies, in sequence order (encode_body_into, not padded)
//   then    zero bytes up to a multiple of kBodyPadding: a stolen disk shows a page's length only
//           to the nearest 256 bytes, so a lone body's to the nearest 256 as before.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace tandem::store {

// A page takes another body while it covers fewer than kPageRecords records and its plaintext,
// padded, stays within kPageBytes (a lone body of any size makes a page of its own). Sealed, such
// a page (3,840 + 40 bytes) fills one 4 KiB LMDB overflow page with its 16-byte header, where a
// larger one would take two. Reading one body opens its whole page: a
// few microseconds.
inline constexpr std::size_t kPageRecords = 32;
inline constexpr std::size_t kPageBytes = 3840;

// A parsed page plaintext; views into the bytes it was parsed from.
class PageView {
 public:
  // The gate for a page's plaintext: kCorrupt on anything that does not follow the layout above.
  static Result<PageView> parse(ByteView plain);

  std::size_t count() const { return count_; }
  // The encoded body of the page's i-th record (i < count()); nullopt when erased.
  std::optional<ByteView> body(std::size_t i) const;

 private:
  ByteView plain_;
  std::size_t count_ = 0;
  std::array<std::uint32_t, kPageRecords> lengths_{};
  std::array<std::uint32_t, kPageRecords> offsets_{};
};

// A page being filled: bodies appended in sequence order, then written out as plaintext.
class PageBuilder {
 public:
  PageBuilder() = default;
  ~PageBuilder();  // wipes the bodies it holds
  PageBuilder(PageBuilder&&) = default;
  PageBuilder& operator=(PageBuilder&&) = default;

  std::size_t count() const { return lengths_.size(); }
  bool empty() const { return lengths_.empty(); }
  // Whether a body of `size` bytes may join: the page then still within kPageRecords and, padded,
  // kPageBytes (an empty page takes any one body).
  bool fits(std::size_t size) const;
  // Appends the next record's encoded body (a multiple of 8 bytes, not empty), or an erased slot.
  void add(ByteView encoded_body);
  void add_erased();
  // Replaces the page with `page`'s bodies (to extend it or to erase one of its slots), slot
  // `erase` left out as erased when given.
  void load(const PageView& page, std::optional<std::size_t> erase = std::nullopt);
  // Whether every slot is erased (the page can go).
  bool all_erased() const;
  // The plaintext, laid out as above, into `out` (resized; its capacity reused).
  void finish(Bytes& out) const;
  // Empties the page, wiping the bodies it held.
  void clear();

 private:
  Bytes bodies_;
  std::vector<std::uint32_t> lengths_;
};

}  // namespace tandem::store
