// Fuzzes the store's decoders of bytes that come from peers or the disk: record bodies, pages of
// bodies, headers, rosters and entry fields. Whatever decodes must re-encode to something that
// decodes the same.
#include "daemon/store/body_page.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/record.hpp"
#include "daemon/store/roster.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace tandem;
using namespace tandem::store;

static void check_body(ByteView in) {
  auto b = decode_body(in);
  if (!b) return;
  auto again = decode_body(encode_body(*b));
  if (!again || compute_body_hash(*again) != compute_body_hash(*b) || again->note != b->note) {
    std::abort();
  }
  // The fields of a body are an entry: parse them the way the journal does.
  if (auto p = ParsedEntry::parse(b->fields, b->note)) (void)p->reader().totalSize();
  (void)edit_target(b->fields);
}

static void check_page(ByteView in) {
  auto p = PageView::parse(in);
  if (!p) return;
  PageBuilder again;
  again.load(*p);
  Bytes out;
  again.finish(out);
  auto q = PageView::parse(out);
  if (!q || q->count() != p->count()) std::abort();
  for (std::size_t i = 0; i < p->count(); ++i) {
    auto a = p->body(i), b = q->body(i);
    if (a.has_value() != b.has_value()) std::abort();
    if (a && (a->size() != b->size() || std::memcmp(a->data(), b->data(), a->size()) != 0))
      std::abort();
    if (a) check_body(*a);
  }
}

static void check_header(ByteView in) {
  auto h = decode_header(in);
  if (!h) {
    if (in.size() == kHeaderSize) std::abort();  // any 153 bytes are a header
    return;
  }
  auto back = encode_header(*h);
  if (std::memcmp(back.data(), in.data(), kHeaderSize) != 0) std::abort();
}

static void check_roster(ByteView in) {
  auto r = decode_roster(in);
  if (!r) return;
  auto again = decode_roster(encode_roster(*r));
  if (!again || again->devices.size() != r->devices.size() || again->epoch != r->epoch ||
      again->space_id != r->space_id) {
    std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView in(data, size);
  check_body(in);
  check_page(in);
  check_header(in);
  check_roster(in);
  if (auto p = ParsedEntry::parse(in, std::nullopt)) (void)p->reader().totalSize();
  if (auto p = ParsedEntry::parse(in, std::string("a note"))) (void)p->reader().totalSize();
  (void)edit_target(in);
  if (size == kHeaderSize) check_header(in);
  return 0;
}
