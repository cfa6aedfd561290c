// Output of the CLI: human text and JSON, built as strings so tests can check them.
//
// Text is for people: compact, one entry per line in lists, key: value lines otherwise. JSON is
// for scripts: capnp's JSON mapping of the API structs (field names as in api.capnp, enums by
// name, 64-bit integers as strings, Data as hex), one document per line.
#pragma once

#include "proto/api.capnp.h"

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>

#include <string>

namespace tandem::client {

// Encodes API structs as single-line JSON. Holds one configured codec; reuse it for streams.
class JsonWriter {
 public:
  JsonWriter();

  // `value` as one line of JSON, without the trailing newline. Throws kj::Exception only if
  // the message itself is malformed (callers treat that as a protocol error).
  std::string encode(capnp::DynamicStruct::Reader value) const;

  template <typename Reader>
  std::string encode(Reader value) const {
    return encode(capnp::DynamicStruct::Reader(capnp::toDynamic(value)));
  }

 private:
  capnp::JsonCodec codec_;
};

// `status` as "key: value" lines.
std::string render_status(schema::Status::Reader status);

// One entry as one line: id, date, kind, dimension, who, short note.
std::string render_entry_line(schema::EntryView::Reader view);

// Every entry of a page, one line each; an empty page says so.
std::string render_list(schema::EntryList::Reader list);

// One entry in detail: every field of its kind, its references, its note in full.
std::string render_entry_detail(schema::EntryView::Reader view);

// One subscription event as one line: "added <entry line>" or "changed <entry line>".
std::string render_event(schema::Event::Reader event);

// A peer's sync state in a few words: "caught up", "to send 1,200 (512 in flight), to receive
// 45,000", "connecting", "not connected" or "revoked".
std::string render_sync_state(schema::PeerView::Reader peer);

// `note` shortened to at most `max_chars` characters (UTF-8 aware), newlines folded to spaces.
std::string short_note(std::string_view note, std::size_t max_chars);

}  // namespace tandem::client
