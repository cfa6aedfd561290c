// Record encodings: header bytes, body bytes, entry ids, and the roster. Each decoder is a gate
// for bytes from a peer or the disk, so malformed input must be refused, not trusted.
#include "tests/daemon/store/store_fixture.hpp"

#include "proto/framing.hpp"
#include "proto/store.capnp.h"

#include <capnp/serialize.h>

#include <cstring>

namespace tandem::store::test {
namespace {

Bytes flat(capnp::MessageBuilder& msg) {
  auto words = capnp::messageToFlatArray(msg);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

TEST_CASE("a header encodes to 153 bytes and decodes to the same header", "[store][record]") {
  Header h;
  h.device = {1, 2, 3, 4, 5, 6, 7, 8};
  h.seq = 0x0102030405060708ull;
  h.hlc = 42;
  h.prev_hash.fill(0xaa);
  h.body_hash.fill(0xbb);
  h.flags = kFlagAggregate;
  h.signature.fill(0xcc);
  auto bytes = encode_header(h);
  CHECK(bytes.size() == 153);
  CHECK(bytes[8] == 0x01);  // big-endian seq
  CHECK(bytes[15] == 0x08);
  auto back = decode_header(bytes);
  REQUIRE(back);
  CHECK(encode_header(*back) == bytes);
  CHECK(back->seq == h.seq);
  CHECK(back->flags == kFlagAggregate);

  CHECK_FALSE(decode_header(ByteView(bytes.data(), 152)));
  Bytes longer(bytes.begin(), bytes.end());
  longer.push_back(0);
  auto r = decode_header(longer);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::kCorrupt);
}

TEST_CASE("a body round-trips through its encoding with its note", "[store][record]") {
  auto b = make_body(Bytes{1, 2, 3, 4, 5, 6, 7, 8}, "hello");
  auto back = decode_body(encode_body(b));
  REQUIRE(back);
  CHECK(back->fields == b.fields);
  CHECK(back->note == "hello");
  CHECK(back->note_salt == b.note_salt);
  CHECK(compute_body_hash(*back) == compute_body_hash(b));
  // Two bodies with the same note get different salts, so the note hash says nothing about it.
  CHECK(make_body({}, "hello").note_hash != b.note_hash);
}

TEST_CASE("encoding into a reused buffer gives encode_body's bytes, for small and large bodies",
          "[store][record]") {
  Bytes out;
  // A body past the encoder's reused first segment (2 KiB) spills into more segments.
  for (std::size_t note_size :
       {std::size_t(5000), std::size_t(3), std::size_t(0), std::size_t(200)}) {
    auto b = make_body(Bytes(64, 7), std::string(note_size, 'n'));
    encode_body_into(b, out);
    // The same bytes as Cap'n Proto's own flattening of the same message (built with the same
    // first segment: 256 words).
    capnp::MallocMessageBuilder msg(256);
    auto rb = msg.initRoot<schema::RecordBody>();
    rb.setFields(kj::arrayPtr(b.fields.data(), b.fields.size()));
    rb.setNoteSalt(kj::arrayPtr(b.note_salt.data(), b.note_salt.size()));
    rb.setNote(kj::StringPtr(b.note->c_str(), b.note->size()));
    auto words = capnp::messageToFlatArray(msg);
    CHECK(out == Bytes(words.asBytes().begin(), words.asBytes().end()));
    auto back = decode_body(out);
    REQUIRE(back);
    CHECK(back->note == b.note);
    CHECK(compute_body_hash(*back) == compute_body_hash(b));
  }
  // A message of several segments flattens as Cap'n Proto flattens it.
  capnp::MallocMessageBuilder split(2, capnp::AllocationStrategy::FIXED_SIZE);
  auto rb = split.initRoot<schema::RecordBody>();
  rb.setFields(kj::arrayPtr(Bytes(100, 1).data(), 100));
  rb.setNote("a note in a segment of its own");
  REQUIRE(split.getSegmentsForOutput().size() > 2);
  proto::flatten_into(split, out);
  auto words = capnp::messageToFlatArray(split);
  CHECK(out == Bytes(words.asBytes().begin(), words.asBytes().end()));
  // A withheld note travels as its hash.
  auto w = make_body(Bytes(16, 1), "private words");
  withhold_note(w);
  encode_body_into(w, out);
  auto back = decode_body(out);
  REQUIRE(back);
  CHECK_FALSE(back->note);
  CHECK(back->note_hash == w.note_hash);
  // Decoding reads aligned bytes in place and copies misaligned ones (LMDB's values, say).
  Bytes shifted(out.size() + 1);
  std::memcpy(shifted.data() + 1, out.data(), out.size());
  auto misaligned = decode_body(ByteView(shifted.data() + 1, out.size()));
  REQUIRE(misaligned);
  CHECK(misaligned->note_hash == w.note_hash);
}

TEST_CASE("a body padded with zeros decodes; other bytes after it are refused", "[store][record]") {
  auto b = make_body(Bytes(40, 3), "a short note");
  Bytes padded = encode_body(b);
  const std::size_t exact = padded.size();
  pad_body(padded);
  REQUIRE(padded.size() % kBodyPadding == 0);
  REQUIRE(padded.size() > exact);
  auto back = decode_body(padded);
  REQUIRE(back);
  CHECK(back->note == b.note);
  CHECK(compute_body_hash(*back) == compute_body_hash(b));
  // Already a multiple: unchanged.
  Bytes again = padded;
  pad_body(again);
  CHECK(again == padded);
  // A non-zero byte anywhere in the padding: corrupt.
  for (std::size_t i = exact; i < padded.size(); i += 13) {
    Bytes bent = padded;
    bent[i] = 1;
    auto r = decode_body(bent);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kCorrupt);
  }
}

TEST_CASE("malformed body bytes are refused as corrupt", "[store][record]") {
  auto good = encode_body(make_body(Bytes{1, 2, 3}, "n"));
  CHECK_FALSE(decode_body({}));
  CHECK_FALSE(decode_body(ByteView(good.data(), good.size() - 1)));  // misaligned
  CHECK_FALSE(decode_body(ByteView(good.data(), good.size() - 8)));  // truncated
  Bytes garbage(64, 0xff);
  auto r = decode_body(garbage);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::kCorrupt);

  capnp::MallocMessageBuilder msg;
  auto rb = msg.initRoot<schema::RecordBody>();
  std::uint8_t salt[15] = {};
  rb.setNoteSalt(kj::arrayPtr(salt, sizeof salt));
  CHECK_FALSE(decode_body(flat(msg)));  // a 15-byte salt

  capnp::MallocMessageBuilder msg2;
  auto rb2 = msg2.initRoot<schema::RecordBody>();
  std::uint8_t salt16[16] = {}, short_hash[31] = {};
  rb2.setNoteSalt(kj::arrayPtr(salt16, 16));
  rb2.setNoteHash(kj::arrayPtr(short_hash, sizeof short_hash));
  CHECK_FALSE(decode_body(flat(msg2)));  // a withheld note with a 31-byte hash
}

TEST_CASE("entry ids round-trip for shared and private records", "[store][ids]") {
  DeviceId dev{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  CHECK(entry_id(dev, 17) == "0123456789abcdef-17");
  auto p = parse_entry_id("0123456789abcdef-17");
  REQUIRE(p);
  CHECK(p->first == dev);
  CHECK(p->second == 17);

  CHECK(entry_id(kPrivateDevice, 3) == "local-3");
  auto l = parse_entry_id("local-3");
  REQUIRE(l);
  CHECK(l->first == kPrivateDevice);
  CHECK(l->second == 3);

  auto big = parse_entry_id(entry_id(dev, UINT64_MAX));
  REQUIRE(big);
  CHECK(big->second == UINT64_MAX);
}

TEST_CASE("malformed entry ids are refused", "[store][ids]") {
  const char* bad[] = {
      "",
      "-",
      "17",
      "local-",
      "local-0",  // seq starts at 1
      "local-x",
      "local--1",
      "local-+1",
      "local-1 ",
      " local-1",
      "0123456789abcde-1",     // 15 hex digits
      "0123456789abcdef0-1",   // 17
      "0123456789abcdef01-1",  // 9 bytes
      "0123456789abcdeg-1",    // not hex
      "0123456789abcdef-",
      "0123456789abcdef-0",
      "0123456789abcdef-18446744073709551616",  // over 64 bits
      "0123456789abcdef-1x",
      "0123456789abcdef-0x10",
      "0000000000000000-1",  // the private device is only ever "local"
      "LOCAL-1",
  };
  for (const char* id : bad) {
    INFO("id '" << id << "'");
    CHECK_FALSE(parse_entry_id(id));
  }
}

Roster sample_roster() {
  Roster r;
  for (std::size_t i = 0; i < 16; ++i) r.space_id[i] = static_cast<std::uint8_t>(i);
  r.member_names[1] = "Sam";
  r.member_names[2] = "Jo";
  r.epoch = 3;
  for (std::uint8_t m : {1, 2, 2}) {
    DeviceInfo d;
    d.id.fill(static_cast<std::uint8_t>(0x10 * m + r.devices.size()));
    d.member = m;
    d.name = "device " + std::to_string(r.devices.size());
    d.sign_key.fill(static_cast<std::uint8_t>(0x40 + r.devices.size()));
    d.dh_key.fill(static_cast<std::uint8_t>(0x80 + r.devices.size()));
    d.revoked = r.devices.size() == 1;
    r.devices.push_back(d);
  }
  return r;
}

TEST_CASE("a roster round-trips through its encoding", "[store][roster]") {
  auto r = sample_roster();
  auto back = decode_roster(encode_roster(r));
  REQUIRE(back);
  CHECK(back->space_id == r.space_id);
  CHECK(back->member_names[1] == "Sam");
  CHECK(back->member_names[2] == "Jo");
  CHECK(back->epoch == 3);
  REQUIRE(back->devices.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("device " << i);
    CHECK(back->devices[i].id == r.devices[i].id);
    CHECK(back->devices[i].member == r.devices[i].member);
    CHECK(back->devices[i].name == r.devices[i].name);
    CHECK(back->devices[i].sign_key == r.devices[i].sign_key);
    CHECK(back->devices[i].dh_key == r.devices[i].dh_key);
    CHECK(back->devices[i].revoked == r.devices[i].revoked);
  }
  REQUIRE(back->device(r.devices[2].id));
  CHECK(back->device(r.devices[2].id)->name == "device 2");
  CHECK(back->device(DeviceId{}) == nullptr);
  CHECK(Roster::other(1) == 2);
  CHECK(Roster::other(2) == 1);
}

// Encodes a roster and then lets `mutate` damage one field of the capnp form.
template <class F>
Bytes damaged_roster(F mutate) {
  auto good = encode_roster(sample_roster());
  auto words = kj::heapArray<capnp::word>(good.size() / 8);
  std::memcpy(words.begin(), good.data(), good.size());
  capnp::FlatArrayMessageReader reader(words);
  capnp::MallocMessageBuilder msg;
  msg.setRoot(reader.getRoot<schema::Roster>());
  mutate(msg.getRoot<schema::Roster>());
  return flat(msg);
}

TEST_CASE("a malformed roster is refused as corrupt", "[store][roster]") {
  CHECK_FALSE(decode_roster({}));
  auto good = encode_roster(sample_roster());
  CHECK_FALSE(decode_roster(ByteView(good.data(), good.size() - 3)));
  CHECK_FALSE(decode_roster(ByteView(good.data(), good.size() / 2 / 8 * 8)));
  Bytes garbage(256, 0xee);
  CHECK_FALSE(decode_roster(garbage));

  std::uint8_t seven[7] = {};
  std::uint8_t thirtyone[31] = {};
  struct Case {
    const char* what;
    Bytes bytes;
  } cases[] = {
      {"member id 3",
       damaged_roster([](schema::Roster::Builder r) { r.getMembers()[1].setId(3); })},
      {"member id 0",
       damaged_roster([](schema::Roster::Builder r) { r.getMembers()[0].setId(0); })},
      {"device of member 0",
       damaged_roster([](schema::Roster::Builder r) { r.getDevices()[0].setMember(0); })},
      {"device of member 7",
       damaged_roster([](schema::Roster::Builder r) { r.getDevices()[2].setMember(7); })},
      {"space id of 7 bytes",
       damaged_roster([&](schema::Roster::Builder r) { r.setSpaceId(kj::arrayPtr(seven, 7)); })},
      {"device id of 7 bytes", damaged_roster([&](schema::Roster::Builder r) {
         r.getDevices()[0].setId(kj::arrayPtr(seven, 7));
       })},
      {"sign key of 31 bytes", damaged_roster([&](schema::Roster::Builder r) {
         r.getDevices()[1].setSignKey(kj::arrayPtr(thirtyone, 31));
       })},
      {"dh key missing",
       damaged_roster([](schema::Roster::Builder r) { r.getDevices()[1].disownDhKey(); })},
      {"65 devices", damaged_roster([](schema::Roster::Builder r) {
         auto devs = r.initDevices(65);
         std::uint8_t id[8] = {}, key[32] = {};
         for (auto d : devs) {
           d.setId(kj::arrayPtr(id, 8));
           d.setMember(1);
           d.setSignKey(kj::arrayPtr(key, 32));
           d.setDhKey(kj::arrayPtr(key, 32));
         }
       })},
  };
  for (auto& c : cases) {
    INFO(c.what);
    auto r = decode_roster(c.bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::kCorrupt);
  }
  // The control: an undamaged copy made the same way decodes.
  CHECK(decode_roster(damaged_roster([](schema::Roster::Builder) {})));
}

}  // namespace
}  // namespace tandem::store::test
