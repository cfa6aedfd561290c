// JSON out of Cap'n Proto values, written straight into one string.
//
// The output is exactly what capnp::JsonCodec writes for a type registered with
// handleByAnnotation (the codec the daemon decodes requests with): field names, or $Json.name;
// fields in schema order with the union's member last; null pointers left out; 64-bit integers
// as strings; enums by name; Data as an array of bytes, or as hex with $Json.hex; groups and
// structs with $Json.flatten written inline under their prefix. Byte for byte:
// tests/daemon/api/json_writer_test.cpp checks it against JsonCodec on every type of the API.
//
// Why not JsonCodec itself: it builds a JsonValue message of the whole answer, then a tree of
// strings, then flattens it, looking each field's type up again on the way. A report answer is
// tens of kilobytes; this writer is an order of magnitude quicker on it. It walks the message
// through AnyStruct with a layout computed once per type (offsets, defaults, escaped names).
#pragma once

#include <capnp/any.h>
#include <capnp/schema.h>

#include <string>

namespace tandem::api {

// Appends `value` (a struct of type `schema`) to `out` as one JSON object, no newline.
// Layouts are built on the first call for a type and kept for the process (thread-safe).
// Throws std::logic_error if the schema uses a JSON annotation this writer does not implement
// ($Json.discriminator, $Json.base64) or a field of a kind JsonCodec cannot encode either
// (AnyPointer, interfaces): both are programming errors, caught by the tests.
void write_json(capnp::StructSchema schema, capnp::AnyStruct::Reader value, std::string& out);

// Appends a Float32/Float64 value as JsonCodec writes it: KJ's formatting of a double
// ("%.15g", or "%.17g" when that does not read back exactly); NaN and the infinities as the
// strings "NaN", "Infinity" and "-Infinity".
void append_json_number(std::string& out, double v);

template <typename Reader>
void write_json(Reader value, std::string& out) {
  using T = capnp::FromReader<Reader>;
  write_json(capnp::Schema::from<T>(), capnp::toAny(value), out);
}

}  // namespace tandem::api
