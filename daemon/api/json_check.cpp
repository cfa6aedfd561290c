#include "daemon/api/json_check.hpp"

#include <capnp/compat/json.h>

#include <optional>

namespace tandem::api {

namespace {

constexpr std::uint64_t kFlattenId = 0x82d3e852af0336bfull;  // json.capnp's $flatten

bool flattened(const capnp::StructSchema::Field& f) {
  for (auto a : f.getProto().getAnnotations()) {
    if (a.getId() == kFlattenId) return true;
  }
  return false;
}

// Finds the field called `name` in `s`, looking through flattened groups.
std::optional<capnp::StructSchema::Field> find_field(capnp::StructSchema s, kj::StringPtr name) {
  for (auto f : s.getFields()) {
    if (f.getProto().getName() == name) return f;
    if (f.getProto().isGroup() && flattened(f)) {
      if (auto inner = find_field(f.getType().asStruct(), name)) return inner;
    }
  }
  return std::nullopt;
}

std::string check_value(capnp::JsonValue::Reader v, capnp::Type t, const std::string& path) {
  if (t.isStruct() && v.isObject()) return check_json(v, t.asStruct(), path);
  if (t.isList() && v.isArray()) {
    auto elem = t.asList().getElementType();
    unsigned i = 0;
    for (auto item : v.getArray()) {
      auto msg = check_value(item, elem, path + "[" + std::to_string(i++) + "]");
      if (!msg.empty()) return msg;
    }
    return {};
  }
  if (t.isEnum() && v.isString()) {
    auto e = t.asEnum();
    if (e.findEnumerantByName(v.getString()) == nullptr) {
      std::string valid;
      for (auto en : e.getEnumerants()) {
        valid += (valid.empty() ? "" : ", ") + std::string(en.getProto().getName().cStr());
      }
      return "unknown value '" + std::string(v.getString().cStr()) + "' for " + path +
             "; expected one of: " + valid;
    }
  }
  return {};
}

}  // namespace

std::string check_json(capnp::JsonValue::Reader value, capnp::StructSchema schema,
                       const std::string& path) {
  if (!value.isObject()) return {};
  for (auto field : value.getObject()) {
    auto name = field.getName();
    std::string here = path.empty() ? std::string(name.cStr()) : path + "." + name.cStr();
    auto f = find_field(schema, name);
    if (!f) return "unknown field '" + here + "'";
    auto msg = f->getProto().isGroup() ? check_json(field.getValue(), f->getType().asStruct(), here)
                                       : check_value(field.getValue(), f->getType(), here);
    if (!msg.empty()) return msg;
  }
  return {};
}

}  // namespace tandem::api
