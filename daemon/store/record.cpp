#include "daemon/store/record.hpp"

#include "proto/framing.hpp"
#include "proto/store.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tandem::store {

std::array<std::uint8_t, kHeaderSize> encode_header(const Header& h) {
  std::array<std::uint8_t, kHeaderSize> out{};
  std::uint8_t* p = out.data();
  std::memcpy(p, h.device.data(), 8);
  put_be64(p + 8, h.seq);
  put_be64(p + 16, h.hlc);
  std::memcpy(p + 24, h.prev_hash.data(), 32);
  std::memcpy(p + 56, h.body_hash.data(), 32);
  p[88] = h.flags;
  std::memcpy(p + 89, h.signature.data(), 64);
  return out;
}

Result<Header> decode_header(ByteView b) {
  if (b.size() != kHeaderSize) return Error{Code::kCorrupt, "record header has the wrong size"};
  Header h;
  std::memcpy(h.device.data(), b.data(), 8);
  h.seq = get_be64(b.data() + 8);
  h.hlc = get_be64(b.data() + 16);
  std::memcpy(h.prev_hash.data(), b.data() + 24, 32);
  std::memcpy(h.body_hash.data(), b.data() + 56, 32);
  h.flags = b[88];
  std::memcpy(h.signature.data(), b.data() + 89, 64);
  return h;
}

crypto::Hash32 record_hash(const Header& h) {
  auto bytes = encode_header(h);
  return crypto::hash("tandem/record/v1", {ByteView(bytes.data(), kSignedPrefix)});
}

crypto::Hash32 chain_hash(const Header& h) {
  auto bytes = encode_header(h);
  return crypto::hash("tandem/chain/v1", {ByteView(bytes.data(), bytes.size())});
}

static constexpr std::string_view kSigDomain = "tandem/sig/v1";

void sign_header(Header& h, const crypto::SignSecretKey& sk) {
  auto rh = record_hash(h);
  std::array<std::uint8_t, kSigDomain.size() + 32> msg{};
  std::memcpy(msg.data(), kSigDomain.data(), kSigDomain.size());
  std::memcpy(msg.data() + kSigDomain.size(), rh.data(), 32);
  h.signature = crypto::sign(sk, msg);
}

bool verify_header(const Header& h, const crypto::PublicKey& device_key) {
  auto rh = record_hash(h);
  std::array<std::uint8_t, kSigDomain.size() + 32> msg{};
  std::memcpy(msg.data(), kSigDomain.data(), kSigDomain.size());
  std::memcpy(msg.data() + kSigDomain.size(), rh.data(), 32);
  return crypto::verify(device_key, msg, h.signature);
}

crypto::Hash32 compute_note_hash(ByteView salt, std::string_view note) {
  return crypto::hash("tandem/note/v1", {salt, as_bytes(note)});
}

crypto::Hash32 compute_body_hash(const Body& b) {
  auto fh = crypto::hash("tandem/fields/v1", {b.fields});
  const auto nh = b.note ? compute_note_hash(b.note_salt, *b.note) : b.note_hash;
  return crypto::hash("tandem/body/v1", {fh, nh});
}

void withhold_note(Body& b) {
  if (!b.note) return;
  b.note_hash = compute_note_hash(b.note_salt, *b.note);
  b.note.reset();
}

Body make_body(Bytes fields, std::string note) {
  Body b;
  b.fields = std::move(fields);
  crypto::random_fill(b.note_salt);
  b.note_hash = compute_note_hash(b.note_salt, note);
  b.note = std::move(note);
  return b;
}

void encode_body_into(const Body& b, Bytes& out) {
  // Most bodies fit in the first segment, reused from call to call (capnp zeroes what was used).
  thread_local std::array<capnp::word, 256> first{};
  capnp::MallocMessageBuilder msg(kj::arrayPtr(first.data(), first.size()));
  auto rb = msg.initRoot<schema::RecordBody>();
  rb.setFields(
      kj::arrayPtr(reinterpret_cast<const capnp::byte*>(b.fields.data()), b.fields.size()));
  rb.setNoteSalt(kj::arrayPtr(b.note_salt.data(), b.note_salt.size()));
  if (b.note) {
    rb.setNote(kj::StringPtr(b.note->c_str(), b.note->size()));
  } else {
    rb.setNoteHash(kj::arrayPtr(b.note_hash.data(), b.note_hash.size()));
  }
  proto::flatten_into(msg, out);
}

void pad_body(Bytes& encoded) {
  const std::size_t padded = (encoded.size() + kBodyPadding - 1) / kBodyPadding * kBodyPadding;
  encoded.resize(padded, 0);
}

Bytes encode_body(const Body& b) {
  Bytes out;
  encode_body_into(b, out);
  return out;
}

Result<Body> decode_body(ByteView bytes) {
  if (bytes.size() % 8 != 0 || bytes.empty())
    return Error{Code::kCorrupt, "record body is misaligned"};
  try {
    // LMDB and network buffers carry no alignment promise: copied only when misaligned.
    kj::Array<capnp::word> copy;
    const auto words = proto::aligned_words(bytes, copy);
    capnp::FlatArrayMessageReader reader(words, proto::strict_reader_options());
    // Stored bodies are padded with zero bytes (pad_body); nothing else may follow the message.
    const auto* tail = reinterpret_cast<const std::uint8_t*>(reader.getEnd());
    const auto* end = reinterpret_cast<const std::uint8_t*>(words.end());
    if (!std::all_of(tail, end, [](std::uint8_t c) { return c == 0; }))
      return Error{Code::kCorrupt, "record body has bytes after its end"};
    auto rb = reader.getRoot<schema::RecordBody>();
    Body b;
    auto f = rb.getFields();
    b.fields.assign(f.begin(), f.end());
    auto salt = rb.getNoteSalt();
    if (salt.size() != 16) return Error{Code::kCorrupt, "record body has a bad note salt"};
    std::memcpy(b.note_salt.data(), salt.begin(), 16);
    if (rb.hasNote() || !rb.hasNoteHash()) {
      auto n = rb.getNote();
      b.note = std::string(n.begin(), n.size());
    } else {
      auto nh = rb.getNoteHash();
      if (nh.size() != 32) return Error{Code::kCorrupt, "record body has a bad note hash"};
      std::memcpy(b.note_hash.data(), nh.begin(), 32);
    }
    return b;
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt,
                 std::string("record body does not parse: ") + e.getDescription().cStr()};
  }
}

RecordKey record_key(const DeviceId& device, std::uint64_t seq) {
  RecordKey k{};
  std::memcpy(k.data(), device.data(), 8);
  put_be64(k.data() + 8, seq);
  return k;
}

std::string entry_id(const DeviceId& device, std::uint64_t seq) {
  if (device == kPrivateDevice) return "local-" + std::to_string(seq);
  return to_hex(device) + "-" + std::to_string(seq);
}

std::optional<std::pair<DeviceId, std::uint64_t>> parse_entry_id(std::string_view id) {
  auto dash = id.rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto head = id.substr(0, dash), tail = id.substr(dash + 1);
  std::uint64_t seq = 0;
  auto [ptr, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), seq);
  if (ec != std::errc() || ptr != tail.data() + tail.size() || seq == 0) return std::nullopt;
  DeviceId dev{};
  if (head == "local") return std::make_pair(kPrivateDevice, seq);
  auto bytes = from_hex(head);
  if (!bytes || bytes->size() != 8) return std::nullopt;
  std::memcpy(dev.data(), bytes->data(), 8);
  if (dev == kPrivateDevice) return std::nullopt;
  return std::make_pair(dev, seq);
}

}  // namespace tandem::store
