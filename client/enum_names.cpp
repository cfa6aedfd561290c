#include "client/enum_names.hpp"

#include <cctype>

namespace tandem::client {

std::string kebab_from_camel(std::string_view camel) {
  std::string out;
  out.reserve(camel.size() + 4);
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out.push_back('-');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> enum_choices(capnp::EnumSchema schema) {
  std::vector<std::string> out;
  for (auto e : schema.getEnumerants()) {
    auto name = e.getProto().getName();
    std::string_view sv(name.cStr(), name.size());
    if (sv == "unset") continue;
    out.push_back(kebab_from_camel(sv));
  }
  return out;
}

std::string enum_choices_text(capnp::EnumSchema schema, std::string_view sep) {
  std::string out;
  for (const auto& c : enum_choices(schema)) {
    if (!out.empty()) out += sep;
    out += c;
  }
  return out;
}

std::optional<std::uint16_t> parse_enum(capnp::EnumSchema schema, std::string_view text) {
  for (auto e : schema.getEnumerants()) {
    auto name = e.getProto().getName();
    std::string_view camel(name.cStr(), name.size());
    if (camel == "unset") continue;
    if (text == camel || text == kebab_from_camel(camel)) return e.getOrdinal();
  }
  return std::nullopt;
}

std::string enum_name(capnp::EnumSchema schema, std::uint16_t value) {
  auto enumerants = schema.getEnumerants();
  if (value < enumerants.size()) {
    auto name = enumerants[value].getProto().getName();
    return kebab_from_camel(std::string_view(name.cStr(), name.size()));
  }
  return std::to_string(value);
}

std::string bad_enum_message(std::string_view flag, std::string_view text,
                             capnp::EnumSchema schema) {
  std::string out = "bad ";
  out += flag;
  out += " '";
  out += text;
  out += "'; valid values: ";
  out += enum_choices_text(schema, ", ");
  return out;
}

}  // namespace tandem::client
