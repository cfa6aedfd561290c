#include "daemon/store/entry_codec.hpp"

#include "proto/framing.hpp"

#include <capnp/serialize.h>

#include <cstring>

namespace tandem::store {

std::pair<Bytes, std::string> split_entry(schema::Entry::Reader entry) {
  capnp::MallocMessageBuilder msg(128);
  msg.setRoot(entry);
  auto root = msg.getRoot<schema::Entry>();
  std::string note;
  if (root.getKind().isEdit() && root.hasReplacement()) {
    auto rep = root.getReplacement();
    note = std::string(rep.getNote().cStr());
    rep.disownNote();
  } else {
    note = std::string(root.getNote().cStr());
  }
  root.disownNote();
  // Copy into a fresh message so that no orphaned bytes of the note stay in the fields.
  capnp::MallocMessageBuilder clean(128);
  clean.setRoot(root.asReader());
  auto words = capnp::messageToFlatArray(clean);
  auto bytes = words.asBytes();
  return {Bytes(bytes.begin(), bytes.end()), std::move(note)};
}

Result<ParsedEntry> ParsedEntry::parse(ByteView fields, const std::optional<std::string>& note) {
  if (fields.empty() || fields.size() % 8)
    return Error{Code::kCorrupt, "entry fields are misaligned"};
  try {
    kj::Array<capnp::word> copy;
    capnp::FlatArrayMessageReader reader(proto::aligned_words(fields, copy),
                                         proto::strict_reader_options());
    ParsedEntry p;
    p.builder_ = std::make_unique<capnp::MallocMessageBuilder>(fields.size() / 8 + 16);
    p.builder_->setRoot(reader.getRoot<schema::Entry>());
    if (note && !note->empty()) {
      auto root = p.builder_->getRoot<schema::Entry>();
      if (root.getKind().isEdit() && root.hasReplacement()) {
        root.getReplacement().setNote(*note);
      } else {
        root.setNote(*note);
      }
    }
    return p;
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt, std::string("entry does not parse: ") + e.getDescription().cStr()};
  }
}

std::optional<EditTarget> edit_target(ByteView fields) {
  if (fields.empty() || fields.size() % 8) return std::nullopt;
  try {
    kj::Array<capnp::word> copy;
    capnp::FlatArrayMessageReader reader(proto::aligned_words(fields, copy),
                                         proto::strict_reader_options());
    auto e = reader.getRoot<schema::Entry>();
    auto which = e.getKind().which();
    if (which != schema::Entry::Kind::EDIT && which != schema::Entry::Kind::RETRACT)
      return std::nullopt;
    if (e.getRefs().size() < 1) return std::nullopt;
    auto ref = e.getRefs()[0];
    if (ref.getDevice().size() != 8) return std::nullopt;
    DeviceId dev;
    std::memcpy(dev.data(), ref.getDevice().begin(), 8);
    return EditTarget{record_key(dev, ref.getSeq()), which == schema::Entry::Kind::RETRACT};
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

}  // namespace tandem::store
