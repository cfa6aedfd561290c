// Command-line spellings of the schema's enums.
//
// The schemas name enumerants in camelCase (unfairToMe, importantDate); the command line spells
// them in kebab-case (unfair-to-me, important-date). The mapping is derived from the compiled-in
// Cap'n Proto schema, so a new enumerant appears on the command line without a code change.
#pragma once

#include <capnp/schema.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::client {

// "unfairToMe" -> "unfair-to-me". Pure; any ASCII input.
std::string kebab_from_camel(std::string_view camel);

// The values a user may type for `schema`: every enumerant except `unset` (which means "not
// given" and is never typed), in kebab-case, in schema order.
std::vector<std::string> enum_choices(capnp::EnumSchema schema);

// The choices joined with `sep`, for help texts and usage errors.
std::string enum_choices_text(capnp::EnumSchema schema, std::string_view sep = "|");

// The ordinal of the enumerant spelled `text` (kebab-case, or the schema's own camelCase name),
// or nullopt when it names no enumerant or names `unset`.
std::optional<std::uint16_t> parse_enum(capnp::EnumSchema schema, std::string_view text);

// The kebab-case name of ordinal `value`, or its number when the schema (older than the daemon)
// does not know it.
std::string enum_name(capnp::EnumSchema schema, std::uint16_t value);

template <typename E>
std::optional<E> parse_enum(std::string_view text) {
  auto v = parse_enum(capnp::Schema::from<E>(), text);
  if (!v) return std::nullopt;
  return static_cast<E>(*v);
}

template <typename E>
std::string enum_name(E value) {
  return enum_name(capnp::Schema::from<E>(), static_cast<std::uint16_t>(value));
}

// A usage-error message for a bad enum value: "bad --phase 'x'; valid values: a, b, c".
std::string bad_enum_message(std::string_view flag, std::string_view text,
                             capnp::EnumSchema schema);

}  // namespace tandem::client
