// The local API's gate, driven without sockets: JSON lines and Cap'n Proto frames in, typed
// requests or typed errors out.
#include "tests/daemon/api/api_test_support.hpp"

#include <capnp/schema.h>

#include <variant>

namespace tandem::api::test {
namespace {

using Decoded = std::variant<RequestMessage, DecodeError>;

const RequestMessage& request(const Decoded& d) {
  if (auto* e = std::get_if<DecodeError>(&d)) FAIL("decode failed: " << e->error.message);
  return std::get<RequestMessage>(d);
}
// By value: callers pass a temporary.
DecodeError failure(const Decoded& d) {
  REQUIRE(std::holds_alternative<DecodeError>(d));
  return std::get<DecodeError>(d);
}

TEST_CASE("a valid JSON status request decodes with its id", "[api][codec][json]") {
  Codec codec;
  auto d = codec.decode_json(R"({"id": 1, "status": {}})");
  CHECK(request(d).id() == 1);
  CHECK(request(d).reader().isStatus());
}

TEST_CASE("a JSON request with nested fields and enum names decodes", "[api][codec][json]") {
  Codec codec;
  auto d = codec.decode_json(
      R"({"id": 4000000000, "add": {"entry": {"bid": {"bidder": "partner", "response": "toward",)"
      R"( "heard": 4}, "date": "2026-11-25", "note": "asked about my day",)"
      R"( "refs": [{"device": "0102030405060708", "seq": "3"}]}}})");
  auto r = request(d).reader();
  CHECK(r.getId() == 4000000000u);
  REQUIRE(r.isAdd());
  auto e = r.getAdd().getEntry();
  REQUIRE(e.getKind().isBid());
  CHECK(e.getKind().getBid().getBidder() == schema::Party::PARTNER);
  CHECK(e.getKind().getBid().getResponse() == schema::BidResponse::TOWARD);
  CHECK(e.getKind().getBid().getHeard() == 4);
  CHECK(std::string(e.getNote().cStr()) == "asked about my day");
  REQUIRE(e.getRefs().size() == 1);
  CHECK(e.getRefs()[0].getSeq() == 3);
  CHECK(e.getRefs()[0].getDevice().size() == 8);
  CHECK(e.getRefs()[0].getDevice()[7] == 8);
}

TEST_CASE("a line that is not JSON is a bad request", "[api][codec][json]") {
  Codec codec;
  for (const char* line : {"hello", "{", "{\"id\": 1, \"status\": {}", "", "\x01\x02\xff",
                           "{\"id\": 1, \"status\": {}} trailing"}) {
    INFO("line '" << line << "'");
    auto e = failure(codec.decode_json(line));
    CHECK(e.error.code == Code::kBadRequest);
    CHECK(e.id == 0);
  }
}

TEST_CASE("JSON that is not an object is a bad request", "[api][codec][json]") {
  Codec codec;
  for (const char* line : {"[1, 2]", "42", "\"status\"", "null", "true"}) {
    INFO("line " << line);
    auto e = failure(codec.decode_json(line));
    CHECK(e.error.code == Code::kBadRequest);
  }
}

TEST_CASE("a request naming no operation is a bad request that echoes its id",
          "[api][codec][json]") {
  Codec codec;
  auto e = failure(codec.decode_json(R"({"id": 12})"));
  CHECK(e.error.code == Code::kBadRequest);
  CHECK(e.id == 12);
  CHECK(failure(codec.decode_json("{}")).error.code == Code::kBadRequest);
}

TEST_CASE("an unknown top-level member is an unknown request with the id echoed",
          "[api][codec][json]") {
  Codec codec;
  auto e = failure(codec.decode_json(R"({"id": 7, "frobnicate": {"x": 1}})"));
  CHECK(e.error.code == Code::kUnknownRequest);
  CHECK(e.id == 7);
  CHECK(e.error.message.find("frobnicate") != std::string::npos);
}

TEST_CASE("an unknown nested field is a bad request naming the field's path",
          "[api][codec][json]") {
  Codec codec;
  auto e = failure(codec.decode_json(
      R"({"id": 8, "add": {"entry": {"contribution": {"actor": "me"}, "colour": "red"}}})"));
  CHECK(e.error.code == Code::kBadRequest);
  CHECK(e.id == 8);
  CHECK(e.error.message.find("add.entry.colour") != std::string::npos);

  auto deep = failure(codec.decode_json(
      R"({"id": 9, "add": {"entry": {"contribution": {"actor": "me", "effortt": 2}}}})"));
  CHECK(deep.error.code == Code::kBadRequest);
  CHECK(deep.error.message.find("add.entry.contribution.effortt") != std::string::npos);

  auto in_list = failure(codec.decode_json(
      R"({"id": 10, "add": {"entry": {"refs": [{"seq": "1"}, {"sequence": "2"}]}}})"));
  CHECK(in_list.error.code == Code::kBadRequest);
  CHECK(in_list.error.message.find("add.entry.refs[1].sequence") != std::string::npos);
}

TEST_CASE("an unknown enum name is a bad request listing the valid values", "[api][codec][json]") {
  Codec codec;
  auto e = failure(codec.decode_json(
      R"({"id": 9, "add": {"entry": {"bid": {"bidder": "me", "response": "towardz"}}}})"));
  CHECK(e.error.code == Code::kBadRequest);
  CHECK(e.id == 9);
  CHECK(e.error.message.find("'towardz'") != std::string::npos);
  CHECK(e.error.message.find("add.entry.bid.response") != std::string::npos);
  CHECK(e.error.message.find("unclear, toward, away, against") != std::string::npos);

  auto top = failure(codec.decode_json(R"({"id": 3, "list": {"kind": "everything"}})"));
  CHECK(top.error.code == Code::kBadRequest);
  CHECK(top.error.message.find("contribution") != std::string::npos);
}

TEST_CASE("a field of the wrong type is a bad request, with the id echoed when readable",
          "[api][codec][json]") {
  Codec codec;
  const char* lines[] = {
      R"({"id": 10, "get": {"id": 5}})",                  // Text given a number
      R"({"id": 10, "list": {"limit": "many"}})",         // UInt32 given a word
      R"({"id": 10, "list": {"limit": {}}})",             // UInt32 given an object
      R"({"id": 10, "add": {"entry": "contribution"}})",  // struct given a string
      R"({"id": 10, "appreciate": {"ids": "abc"}})",      // list given a string
  };
  for (const char* line : lines) {
    INFO(line);
    auto e = failure(codec.decode_json(line));
    CHECK(e.error.code == Code::kBadRequest);
    CHECK(e.id == 10);
  }
  // An id that cannot be read is answered with id 0.
  auto bad_id = failure(codec.decode_json(R"({"id": "ten", "status": {}})"));
  CHECK(bad_id.error.code == Code::kBadRequest);
  CHECK(bad_id.id == 0);
}

TEST_CASE("deeply nested JSON is refused, not recursed into without bound", "[api][codec][json]") {
  Codec codec;
  std::string deep = R"({"id": 2, "status": )";
  for (int i = 0; i < 10000; ++i) deep += "[";
  for (int i = 0; i < 10000; ++i) deep += "]";
  deep += "}";
  CHECK(failure(codec.decode_json(deep)).error.code == Code::kBadRequest);
}

TEST_CASE("encode_json writes one line ending in a newline", "[api][codec][json]") {
  Codec codec;
  capnp::MallocMessageBuilder msg;
  set_error(msg.initRoot<schema::Response>(), 77,
            {Code::kNotFound, "no entry\nwith that id\r\n (really)"});
  auto line = codec.encode_json(msg.getRoot<schema::Response>().asReader());
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  CHECK(line.find('\r') == std::string::npos);
  JsonResponse back(line);
  CHECK(back.get().getId() == 77);
  REQUIRE(back.get().isError());
  CHECK(back.get().getError().getCode() == schema::ErrorCode::NOT_FOUND);
  CHECK(error_message(back.get()) == "no entry\nwith that id\r\n (really)");
}

TEST_CASE("every error code maps to its wire code", "[api][codec]") {
  CHECK(to_wire(Code::kBadRequest) == schema::ErrorCode::BAD_REQUEST);
  CHECK(to_wire(Code::kUnknownRequest) == schema::ErrorCode::UNKNOWN_REQUEST);
  CHECK(to_wire(Code::kTooLarge) == schema::ErrorCode::TOO_LARGE);
  CHECK(to_wire(Code::kStorageFull) == schema::ErrorCode::STORAGE_FULL);
  CHECK(to_wire(Code::kUnavailable) == schema::ErrorCode::UNAVAILABLE);
  CHECK(to_wire(Code::kNotFound) == schema::ErrorCode::NOT_FOUND);
  CHECK(to_wire(Code::kCorrupt) == schema::ErrorCode::INTERNAL);
}

// ---- Cap'n Proto frames ----

TEST_CASE("a valid frame decodes to its request", "[api][codec][frame]") {
  Codec codec;
  proto::FrameDecoder frames(kMaxFrameBytes);
  frames.feed(status_frame(5));
  kj::Array<capnp::word> words;
  REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
  CHECK(frames.buffered() == 0);
  auto d = codec.decode_frame(words);
  CHECK(request(d).id() == 5);
  CHECK(request(d).reader().isStatus());
  CHECK(frames.next(words) == proto::FrameDecoder::Result::kNeedMore);
}

TEST_CASE("a truncated frame waits for the rest, byte by byte", "[api][codec][frame]") {
  Codec codec;
  auto frame = status_frame(6);
  proto::FrameDecoder frames(kMaxFrameBytes);
  kj::Array<capnp::word> words;
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
    frames.feed(std::span<const std::uint8_t>(&frame[i], 1));
    REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kNeedMore);
  }
  frames.feed(std::span<const std::uint8_t>(&frame.back(), 1));
  REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
  CHECK(request(codec.decode_frame(words)).id() == 6);
}

TEST_CASE("two frames in one read come out one after the other", "[api][codec][frame]") {
  auto a = status_frame(1), b = status_frame(2);
  Bytes both = a;
  both.insert(both.end(), b.begin(), b.end());
  both.insert(both.end(), b.begin(), b.begin() + 5);  // and the start of a third
  proto::FrameDecoder frames(kMaxFrameBytes);
  frames.feed(both);
  Codec codec;
  kj::Array<capnp::word> words;
  REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
  CHECK(request(codec.decode_frame(words)).id() == 1);
  REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
  CHECK(request(codec.decode_frame(words)).id() == 2);
  CHECK(frames.next(words) == proto::FrameDecoder::Result::kNeedMore);
  CHECK(frames.buffered() == 5);
}

Bytes big_frame(std::uint32_t id, std::size_t note_bytes) {
  capnp::MallocMessageBuilder msg;
  auto req = msg.initRoot<schema::Request>();
  req.setId(id);
  req.initAppreciate().setNote(std::string(note_bytes, 'n'));
  return bytes_of(capnp::messageToFlatArray(msg));
}

TEST_CASE("an oversized frame is refused and the frame after it still decodes",
          "[api][codec][frame]") {
  Codec codec;
  auto big = big_frame(1, 8192);
  auto next = status_frame(2);
  kj::Array<capnp::word> words;

  SECTION("all in one read") {
    proto::FrameDecoder frames(4096);
    Bytes both = big;
    both.insert(both.end(), next.begin(), next.end());
    frames.feed(both);
    REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kTooLarge);
    REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
    CHECK(request(codec.decode_frame(words)).id() == 2);
  }
  SECTION("arriving in small pieces") {
    for (std::size_t chunk : {1u, 7u, 8u, 13u, 1000u, 4096u}) {
      INFO("chunk " << chunk);
      proto::FrameDecoder frames(4096);
      Bytes stream = big;
      stream.insert(stream.end(), next.begin(), next.end());
      int too_large = 0, decoded = 0;
      for (std::size_t off = 0; off < stream.size(); off += chunk) {
        auto n = std::min(chunk, stream.size() - off);
        frames.feed(std::span<const std::uint8_t>(stream.data() + off, n));
        for (;;) {
          auto r = frames.next(words);
          if (r == proto::FrameDecoder::Result::kNeedMore) break;
          REQUIRE(r != proto::FrameDecoder::Result::kMalformed);
          if (r == proto::FrameDecoder::Result::kTooLarge) {
            ++too_large;
          } else {
            CHECK(request(codec.decode_frame(words)).id() == 2);
            ++decoded;
          }
        }
      }
      CHECK(too_large == 1);
      CHECK(decoded == 1);
      CHECK(frames.buffered() == 0);
    }
  }
  SECTION("a frame of exactly the cap is accepted") {
    proto::FrameDecoder frames(big.size());
    frames.feed(big);
    REQUIRE(frames.next(words) == proto::FrameDecoder::Result::kFrame);
    CHECK(request(codec.decode_frame(words)).id() == 1);
  }
}

void put_u32le(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

TEST_CASE("an impossible segment table is malformed and the stream stays broken",
          "[api][codec][frame]") {
  kj::Array<capnp::word> words;
  SECTION("too many segments") {
    proto::FrameDecoder frames(kMaxFrameBytes);
    Bytes table(8, 0);
    put_u32le(table.data(), 100);  // 101 segments
    frames.feed(table);
    CHECK(frames.next(words) == proto::FrameDecoder::Result::kMalformed);
    frames.feed(status_frame(1));
    CHECK(frames.next(words) == proto::FrameDecoder::Result::kMalformed);
  }
  SECTION("a segment count that wraps to zero") {
    proto::FrameDecoder frames(kMaxFrameBytes);
    Bytes table(8, 0xff);
    frames.feed(table);
    CHECK(frames.next(words) == proto::FrameDecoder::Result::kMalformed);
  }
  SECTION("a frame of zero words") {
    proto::FrameDecoder frames(kMaxFrameBytes);
    Bytes table(8, 0);
    frames.feed(table);
    CHECK(frames.next(words) == proto::FrameDecoder::Result::kMalformed);
  }
  SECTION("segment sizes that sum past the cap are too large, not an overflow") {
    proto::FrameDecoder frames(kMaxFrameBytes);
    Bytes table(16, 0);
    put_u32le(table.data(), 1);  // two segments
    put_u32le(table.data() + 4, 0xffffffff);
    put_u32le(table.data() + 8, 0xffffffff);
    frames.feed(table);
    CHECK(frames.next(words) == proto::FrameDecoder::Result::kTooLarge);
  }
}

TEST_CASE("a frame whose segment table disagrees with its words is a bad request",
          "[api][codec][frame]") {
  Codec codec;
  auto frame = status_frame(3);
  auto words = words_of(frame);
  // Claim one more word in the segment than the frame holds.
  auto* table = reinterpret_cast<std::uint8_t*>(words.begin());
  put_u32le(table + 4, static_cast<std::uint32_t>(words.size()));
  CHECK(failure(codec.decode_frame(words)).error.code == Code::kBadRequest);
  // And garbage where the root pointer should be.
  auto words2 = words_of(frame);
  std::memset(reinterpret_cast<std::uint8_t*>(words2.begin()) + 8, 0xff, 8);
  CHECK(failure(codec.decode_frame(words2)).error.code == Code::kBadRequest);
}

TEST_CASE("a frame nested deeper than the reader limit is refused", "[api][codec][frame]") {
  Codec codec;
  auto nested = [](int depth) {
    capnp::MallocMessageBuilder msg;
    auto req = msg.initRoot<schema::Request>();
    req.setId(11);
    auto e = req.initAdd().initEntry();
    for (int i = 0; i < depth; ++i) e = e.initReplacement();
    e.setNote("deep");
    return bytes_of(capnp::messageToFlatArray(msg));
  };
  // The control: a modest depth decodes.
  auto shallow = words_of(nested(5));
  CHECK(request(codec.decode_frame(shallow)).id() == 11);
  auto deep = words_of(nested(40));
  CHECK(failure(codec.decode_frame(deep)).error.code == Code::kBadRequest);
}

// A hand-laid-out appreciate request whose `ids` list holds `count` pointers that all point at
// the same `blob_bytes` of text: small on the wire, enormous to traverse.
Bytes amplified_frame(std::uint32_t count, std::uint32_t blob_bytes) {
  auto req = capnp::Schema::from<schema::Request>();
  auto req_s = req.getProto().getStruct();
  auto app = capnp::Schema::from<schema::AppreciateRequest>();
  auto app_s = app.getProto().getStruct();
  const std::uint32_t dw_r = req_s.getDataWordCount(), pc_r = req_s.getPointerCount();
  const std::uint32_t dw_a = app_s.getDataWordCount(), pc_a = app_s.getPointerCount();
  const std::uint32_t slot_app = req.getFieldByName("appreciate").getProto().getSlot().getOffset();
  const std::uint32_t slot_ids = app.getFieldByName("ids").getProto().getSlot().getOffset();

  const std::uint32_t a = 1 + dw_r + pc_r;  // the AppreciateRequest struct
  const std::uint32_t l = a + dw_a + pc_a;  // the list of text pointers
  const std::uint32_t b = l + count;        // the one blob they all share
  const std::uint32_t seg_words = b + (blob_bytes + 7) / 8;
  std::vector<std::uint64_t> seg(seg_words, 0);
  auto struct_ptr = [](std::int64_t off, std::uint64_t dw, std::uint64_t pc) {
    return (static_cast<std::uint64_t>(off) << 2 & 0xffffffffu) | dw << 32 | pc << 48;
  };
  auto list_ptr = [](std::int64_t off, std::uint64_t size_tag, std::uint64_t n) {
    return (static_cast<std::uint64_t>(off) << 2 & 0xffffffffu) | 1 | size_tag << 32 | n << 35;
  };
  seg[0] = struct_ptr(0, dw_r, pc_r);
  seg[1] = 1;                                       // id = 1
  const auto disc = req_s.getDiscriminantOffset();  // in 16-bit units of the data section
  seg[1 + disc / 4] |= std::uint64_t(schema::Request::APPRECIATE) << (16 * (disc % 4));
  const std::uint32_t rp = 1 + dw_r + slot_app;
  seg[rp] = struct_ptr(a - (rp + 1), dw_a, pc_a);
  const std::uint32_t ip = a + dw_a + slot_ids;
  seg[ip] = list_ptr(l - (ip + 1), 6, count);  // 6: pointer elements
  for (std::uint32_t i = 0; i < count; ++i) {
    seg[l + i] = list_ptr(std::int64_t(b) - (l + i + 1), 2, blob_bytes);  // 2: byte elements
  }
  auto* blob = reinterpret_cast<std::uint8_t*>(seg.data() + b);
  std::memset(blob, 'x', blob_bytes - 1);  // NUL-terminated text

  Bytes frame(8 + seg_words * 8);
  put_u32le(frame.data(), 0);
  put_u32le(frame.data() + 4, seg_words);
  for (std::uint32_t i = 0; i < seg_words; ++i) {
    for (int k = 0; k < 8; ++k) frame[8 + i * 8 + k] = static_cast<std::uint8_t>(seg[i] >> (8 * k));
  }
  return frame;
}

TEST_CASE("a frame that aliases one blob many times is refused by the traversal limit",
          "[api][codec][frame]") {
  Codec codec;
  auto frame = amplified_frame(10000, 64 * 1024);
  REQUIRE(frame.size() < kMaxFrameBytes);  // it passes the frame cap: the reader limit must hold

  // The control: the layout is what it claims (read lazily with a lax reader).
  auto words = words_of(frame);
  capnp::ReaderOptions lax;
  lax.traversalLimitInWords = UINT64_MAX / 16;
  capnp::FlatArrayMessageReader reader(words.asPtr(), lax);
  auto req = reader.getRoot<schema::Request>();
  REQUIRE(req.isAppreciate());
  auto ids = req.getAppreciate().getIds();
  REQUIRE(ids.size() == 10000);
  CHECK(ids[9999].size() == 64 * 1024 - 1);

  auto e = failure(codec.decode_frame(words));
  CHECK(e.error.code == Code::kBadRequest);

  // Amplified only a little, the same layout is an ordinary request.
  auto small = words_of(amplified_frame(3, 64));
  auto d = codec.decode_frame(small);
  CHECK(request(d).reader().getAppreciate().getIds().size() == 3);
}

TEST_CASE("a frame with an unknown union member is an unknown request with the id echoed",
          "[api][codec][frame]") {
  Codec codec;
  auto frame = status_frame(42);
  auto words = words_of(frame);
  auto* bytes = reinterpret_cast<std::uint8_t*>(words.begin());
  // The root pointer (after the 8-byte table) points at the Request's data section.
  std::uint32_t lo = 0;
  std::memcpy(&lo, bytes + 8, 4);
  const std::int32_t off = static_cast<std::int32_t>(lo) >> 2;
  const std::size_t data = 8 + 8 + static_cast<std::size_t>(off) * 8;
  const auto disc =
      capnp::Schema::from<schema::Request>().getProto().getStruct().getDiscriminantOffset();
  std::uint16_t which = 0;
  std::memcpy(&which, bytes + data + disc * 2, 2);
  REQUIRE(which == static_cast<std::uint16_t>(schema::Request::STATUS));
  const std::uint16_t future = 99;
  std::memcpy(bytes + data + disc * 2, &future, 2);

  auto e = failure(codec.decode_frame(words));
  CHECK(e.error.code == Code::kUnknownRequest);
  CHECK(e.id == 42);
}

}  // namespace
}  // namespace tandem::api::test
