// Entries (entry.capnp) as record bodies: the fields are the entry's serialized bytes with its
// note (and an edit's replacement note) moved out, so the note can be withheld while the body
// hash still verifies.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/store/record.hpp"
#include "proto/entry.capnp.h"

#include <capnp/message.h>

#include <memory>
#include <optional>
#include <string>

namespace tandem::store {

// Splits an entry into body fields and note. For an edit, the replacement's note becomes the
// note (an edit has no note of its own).
std::pair<Bytes, std::string> split_entry(schema::Entry::Reader entry);

// A parsed entry: owns the message the reader points into. Readers stay valid while it lives.
class ParsedEntry {
 public:
  // Decodes body fields (untrusted when they came from a peer: strict limits, kCorrupt on
  // failure) and puts `note` back where split_entry took it from.
  static Result<ParsedEntry> parse(ByteView fields, const std::optional<std::string>& note);
  schema::Entry::Reader reader() { return builder_->getRoot<schema::Entry>().asReader(); }
  schema::Entry::Builder builder() { return builder_->getRoot<schema::Entry>(); }

 private:
  std::unique_ptr<capnp::MallocMessageBuilder> builder_;
};

struct EditTarget {
  RecordKey key;
  bool retract = false;
};
// For edit and retract bodies, the entry they act on (refs[0]); nullopt for other kinds or
// unreadable fields.
std::optional<EditTarget> edit_target(ByteView fields);

}  // namespace tandem::store
