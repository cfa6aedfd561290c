#include "daemon/crypto/cpace_encoding.hpp"

#include <algorithm>

namespace tandem::crypto::cpace {

namespace {

void append_leb128(Bytes& out, std::size_t n) {
  do {
    std::uint8_t b = n & 0x7f;
    n >>= 7;
    if (n != 0) b |= 0x80;
    out.push_back(b);
  } while (n != 0);
}

std::size_t leb128_size(std::size_t n) {
  std::size_t k = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++k;
  }
  return k;
}

}  // namespace

void append_lv(Bytes& out, ByteView s) {
  append_leb128(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

Bytes prepend_len(ByteView s) {
  Bytes out;
  out.reserve(s.size() + leb128_size(s.size()));
  append_lv(out, s);
  return out;
}

Bytes lv_cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) append_lv(out, p);
  return out;
}

Bytes o_cat(ByteView a, ByteView b) {
  Bytes out{'o', 'c'};
  const bool a_first = std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end());
  const ByteView first = a_first ? a : b;
  const ByteView second = a_first ? b : a;
  out.insert(out.end(), first.begin(), first.end());
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

Bytes transcript_ir(ByteView ya, ByteView ada, ByteView yb, ByteView adb) {
  return lv_cat({ya, ada, yb, adb});
}

Bytes transcript_oc(ByteView ya, ByteView ada, ByteView yb, ByteView adb) {
  return o_cat(lv_cat({ya, ada}), lv_cat({yb, adb}));
}

Bytes generator_string(ByteView dsi, ByteView prs, ByteView ci, ByteView sid,
                       std::size_t s_in_bytes) {
  const std::size_t used =
      leb128_size(prs.size()) + prs.size() + leb128_size(dsi.size()) + dsi.size() + 1;
  const std::size_t zpad = s_in_bytes > used ? s_in_bytes - used : 0;
  const Bytes zeros(zpad, 0);
  return lv_cat({dsi, prs, zeros, ci, sid});
}

std::optional<ByteView> read_lv(ByteView& in) {
  std::size_t len = 0;
  std::size_t i = 0;
  for (;; ++i) {
    if (i >= in.size() || i >= 4) return std::nullopt;
    len |= static_cast<std::size_t>(in[i] & 0x7f) << (7 * i);
    if ((in[i] & 0x80) == 0) break;
  }
  ++i;
  if (in.size() - i < len) return std::nullopt;
  ByteView field = in.subspan(i, len);
  in = in.subspan(i + len);
  return field;
}

}  // namespace tandem::crypto::cpace
