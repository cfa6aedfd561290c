// A schema walk over a parsed JSON request that names the first unknown field or enum value in
// words a frontend author can act on ("unknown value 'towardz' for add.entry.bid.response;
// expected one of: unclear, toward, away, against"). capnp's own JSON errors are terse.
#pragma once

#include <capnp/compat/json.h>
#include <capnp/schema.h>

#include <string>

namespace tandem::api {

// Empty when every field and enum value is known to `schema`; otherwise the message.
std::string check_json(capnp::JsonValue::Reader value, capnp::StructSchema schema,
                       const std::string& path);

}  // namespace tandem::api
