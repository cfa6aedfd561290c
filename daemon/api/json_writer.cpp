#include "daemon/api/json_writer.hpp"

#include <capnp/compat/json.capnp.h>
#include <capnp/list.h>
#include <capnp/schema.capnp.h>
#include <kj/string.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tandem::api {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the writer reads Cap'n Proto's little-endian data sections in place");

namespace cs = capnp::schema;

// The annotation ids of /capnp/compat/json.capnp.
constexpr std::uint64_t kJsonName = 0xfa5b1fd61c2e7c3dull;
constexpr std::uint64_t kJsonFlatten = 0x82d3e852af0336bfull;
constexpr std::uint64_t kJsonDiscriminator = 0xcfa794e8d19a0162ull;
constexpr std::uint64_t kJsonBase64 = 0xd7d879450a253e4bull;
constexpr std::uint64_t kJsonHex = 0xf061e22f0ae5c7b5ull;
constexpr std::uint16_t kNoDiscriminant = 0xffff;

struct StructLayout;

// How one value of a type is written.
struct TypeLayout {
  cs::Type::Which kind = cs::Type::VOID;
  const StructLayout* structure = nullptr;               // STRUCT (and groups)
  const std::vector<std::string>* enumerants = nullptr;  // ENUM: quoted, escaped JSON names
  const TypeLayout* element = nullptr;                   // LIST
};

struct FieldLayout {
  std::string name;  // the JSON name, escaped, without quotes
  std::string key;   // ,"name": as written when there is no flattening prefix
  TypeLayout type;
  bool group = false;    // a group: shares its parent's data; `type.structure` is its layout
  bool pointer = false;  // TEXT, DATA, LIST or STRUCT slot
  bool hex = false;      // $Json.hex on a Data field
  bool flatten = false;  // $Json.flatten: the fields are written inline, names prefixed
  std::string flatten_prefix;
  std::uint32_t offset = 0;         // slot offset, in units of the type's size (bits for Bool)
  std::uint64_t default_bits = 0;   // primitive default, XORed into the stored bits
  cs::Value::Reader default_value;  // points into the compiled-in schema, which lives forever
};

struct StructLayout {
  std::vector<FieldLayout> plain;    // fields outside the union, in schema order
  std::vector<FieldLayout> members;  // the union's members
  std::vector<int> by_discriminant;  // discriminant -> index in `members`, or -1
  bool has_union = false;
  std::uint32_t discriminant_offset = 0;  // in 16-bit units
};

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\b':
        esc = "\\b";
        break;
      case '\f':
        esc = "\\f";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      default:
        if (c >= 0x20) continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (esc != nullptr) {
      out += esc;
    } else {
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, sizeof u);
    }
  }
  out.append(s.data() + run, s.size() - run);
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

template <typename T>
void append_int(std::string& out, T v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, static_cast<std::size_t>(r.ptr - b));
}

}  // namespace

// KJ prints a double as printf's "%.15g", or "%.17g" when 15 digits do not read back as the same
// double; to_chars with a precision is specified as printf's %g, and neither parse nor print
// here depends on the locale. About ten times quicker than snprintf and strtod.
void append_json_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char b[40];
  // Whole numbers below 10^15 (most of a report: counts, weeks) print as their digits under %.15g.
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    if (v == 0 && std::signbit(v)) {
      out += "-0";
      return;
    }
    auto r = std::to_chars(b, b + sizeof b, static_cast<std::int64_t>(v));
    out.append(b, static_cast<std::size_t>(r.ptr - b));
    return;
  }
  auto r = std::to_chars(b, b + sizeof b, v, std::chars_format::general, 15);
  double back = 0;
  std::from_chars(b, r.ptr, back);
  if (back != v) r = std::to_chars(b, b + sizeof b, v, std::chars_format::general, 17);
  // KJ leaves out the exponent's plus sign: 1e15, 1e-05.
  char* e = std::find(b, r.ptr, 'e');
  if (e != r.ptr && e + 1 != r.ptr && e[1] == '+') {
    out.append(b, static_cast<std::size_t>(e + 1 - b));
    out.append(e + 2, static_cast<std::size_t>(r.ptr - (e + 2)));
    return;
  }
  out.append(b, static_cast<std::size_t>(r.ptr - b));
}

namespace {

void append_data(std::string& out, kj::ArrayPtr<const capnp::byte> d, bool hex) {
  if (hex) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (auto b : d) {
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
    out += '"';
    return;
  }
  out += '[';
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) out += ',';
    append_int(out, static_cast<unsigned>(d[i]));
  }
  out += ']';
}

template <typename T>
T read_data(kj::ArrayPtr<const capnp::byte> data, std::uint32_t offset, std::uint64_t def) {
  using U = std::conditional_t<
      sizeof(T) == 1, std::uint8_t,
      std::conditional_t<sizeof(T) == 2, std::uint16_t,
                         std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
  U raw = 0;
  const std::size_t at = static_cast<std::size_t>(offset) * sizeof(T);
  if (at + sizeof(T) <= data.size()) std::memcpy(&raw, data.begin() + at, sizeof(T));
  raw ^= static_cast<U>(def);
  T v;
  std::memcpy(&v, &raw, sizeof(T));
  return v;
}

bool read_bool(kj::ArrayPtr<const capnp::byte> data, std::uint32_t offset, std::uint64_t def) {
  const std::size_t at = offset / 8;
  const bool stored = at < data.size() && ((data[at] >> (offset % 8)) & 1) != 0;
  return stored != (def != 0);
}

// ---------------------------------------------------------------------------------------------
// Layouts, built once per type.

class Registry {
 public:
  const StructLayout& get(capnp::StructSchema schema) {
    std::lock_guard lock(mu_);
    return build_struct(schema);
  }

 private:
  static void refuse(const char* what, capnp::Schema where) {
    throw std::logic_error(std::string("json_writer: ") + what + " in " +
                           where.getProto().getDisplayName().cStr());
  }

  const StructLayout& build_struct(capnp::StructSchema schema) {
    const std::uint64_t id = schema.getProto().getId();
    if (auto it = structs_.find(id); it != structs_.end()) return *it->second;
    if (id == capnp::typeId<capnp::json::Value>()) refuse("a JsonValue field", schema);
    auto owned = std::make_unique<StructLayout>();
    StructLayout& layout = *owned;
    structs_.emplace(id, std::move(owned));  // first, so recursive types find it
    for (auto a : schema.getProto().getAnnotations())
      if (a.getId() == kJsonDiscriminator) refuse("$Json.discriminator", schema);
    auto proto = schema.getProto().getStruct();
    layout.has_union = proto.getDiscriminantCount() > 0;
    layout.discriminant_offset = proto.getDiscriminantOffset();
    for (auto field : schema.getFields()) {
      FieldLayout f = build_field(schema, field);
      const std::uint16_t d = field.getProto().getDiscriminantValue();
      if (d == kNoDiscriminant) {
        layout.plain.push_back(std::move(f));
        continue;
      }
      if (layout.by_discriminant.size() <= d) layout.by_discriminant.resize(d + 1u, -1);
      layout.by_discriminant[d] = static_cast<int>(layout.members.size());
      layout.members.push_back(std::move(f));
    }
    return layout;
  }

  FieldLayout build_field(capnp::StructSchema schema, capnp::StructSchema::Field field) {
    auto proto = field.getProto();
    FieldLayout f;
    std::string name = proto.getName();
    for (auto a : proto.getAnnotations()) {
      switch (a.getId()) {
        case kJsonName:
          name = a.getValue().getText();
          break;
        case kJsonFlatten:
          f.flatten = true;
          f.flatten_prefix.clear();
          append_escaped(
              f.flatten_prefix,
              a.getValue().getStruct().getAs<capnp::json::FlattenOptions>().getPrefix().cStr());
          break;
        case kJsonHex:
          f.hex = true;
          break;
        case kJsonDiscriminator:
          refuse("$Json.discriminator", schema);
          break;
        case kJsonBase64:
          refuse("$Json.base64", schema);
          break;
        default:
          break;
      }
    }
    append_escaped(f.name, name);
    f.key = ",\"" + f.name + "\":";
    if (proto.isGroup()) {
      f.group = true;
      f.type.kind = cs::Type::STRUCT;
      f.type.structure = &build_struct(field.getType().asStruct());
      return f;
    }
    auto slot = proto.getSlot();
    f.offset = slot.getOffset();
    f.default_value = slot.getDefaultValue();
    f.type = type_of(field.getType(), schema);
    if (f.hex && f.type.kind != cs::Type::DATA)
      refuse("$Json.hex on a field that is not Data", schema);
    if (f.flatten && f.type.kind != cs::Type::STRUCT) refuse("$Json.flatten on a slot", schema);
    switch (f.type.kind) {
      case cs::Type::TEXT:
      case cs::Type::DATA:
      case cs::Type::LIST:
      case cs::Type::STRUCT:
        f.pointer = true;
        break;
      default:
        f.default_bits = default_bits(f.default_value);
        break;
    }
    return f;
  }

  static std::uint64_t default_bits(cs::Value::Reader v) {
    auto bits = [](auto x) {
      std::uint64_t b = 0;
      std::memcpy(&b, &x, sizeof x);
      return b;
    };
    switch (v.which()) {
      case cs::Value::BOOL:
        return v.getBool() ? 1 : 0;
      case cs::Value::INT8:
        return bits(v.getInt8());
      case cs::Value::INT16:
        return bits(v.getInt16());
      case cs::Value::INT32:
        return bits(v.getInt32());
      case cs::Value::INT64:
        return bits(v.getInt64());
      case cs::Value::UINT8:
        return v.getUint8();
      case cs::Value::UINT16:
        return v.getUint16();
      case cs::Value::UINT32:
        return v.getUint32();
      case cs::Value::UINT64:
        return v.getUint64();
      case cs::Value::FLOAT32:
        return bits(v.getFloat32());
      case cs::Value::FLOAT64:
        return bits(v.getFloat64());
      case cs::Value::ENUM:
        return v.getEnum();
      default:
        return 0;
    }
  }

  TypeLayout type_of(capnp::Type t, capnp::Schema where) {
    TypeLayout l;
    l.kind = t.which();
    switch (l.kind) {
      case cs::Type::STRUCT:
        l.structure = &build_struct(t.asStruct());
        break;
      case cs::Type::ENUM:
        l.enumerants = &build_enum(t.asEnum());
        break;
      case cs::Type::LIST:
        l.element = &types_.emplace_back(type_of(t.asList().getElementType(), where));
        break;
      case cs::Type::ANY_POINTER:
        refuse("an AnyPointer field", where);
        break;
      case cs::Type::INTERFACE:
        refuse("an interface field", where);
        break;
      default:
        break;
    }
    return l;
  }

  const std::vector<std::string>& build_enum(capnp::EnumSchema schema) {
    const std::uint64_t id = schema.getProto().getId();
    if (auto it = enums_.find(id); it != enums_.end()) return *it->second;
    auto names = std::make_unique<std::vector<std::string>>();
    for (auto e : schema.getEnumerants()) {
      std::string name = e.getProto().getName();
      for (auto a : e.getProto().getAnnotations())
        if (a.getId() == kJsonName) name = a.getValue().getText();
      std::string quoted;
      append_string(quoted, name);
      names->push_back(std::move(quoted));
    }
    return *enums_.emplace(id, std::move(names)).first->second;
  }

  std::mutex mu_;
  std::map<std::uint64_t, std::unique_ptr<StructLayout>> structs_;
  std::map<std::uint64_t, std::unique_ptr<std::vector<std::string>>> enums_;
  std::deque<TypeLayout> types_;  // list element types; a deque keeps their addresses
};

// ---------------------------------------------------------------------------------------------
// Writing.

void write_struct(const StructLayout& layout, capnp::AnyStruct::Reader s, std::string& out);
void write_pointer(const TypeLayout& type, bool hex, capnp::AnyPointer::Reader p, std::string& out);

void write_enum(const TypeLayout& type, std::uint16_t raw, std::string& out) {
  if (raw < type.enumerants->size())
    out += (*type.enumerants)[raw];
  else
    append_int(out, raw);
}

template <typename T, typename Each>
void write_list_of(capnp::AnyPointer::Reader p, std::string& out, Each&& each) {
  auto list = [&] {
    if constexpr (std::is_same_v<T, capnp::AnyPointer> || std::is_same_v<T, capnp::AnyStruct>)
      return p.getAs<capnp::AnyList>().as<capnp::List<T>>();
    else
      return p.getAs<capnp::List<T>>();
  }();
  out += '[';
  for (unsigned i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    each(list[i]);
  }
  out += ']';
}

void write_list(const TypeLayout& element, capnp::AnyPointer::Reader p, std::string& out) {
  auto num = [&](auto v) { append_int(out, v); };
  auto quoted = [&](auto v) {
    out += '"';
    append_int(out, v);
    out += '"';
  };
  auto dbl = [&](auto v) { append_json_number(out, static_cast<double>(v)); };
  switch (element.kind) {
    case cs::Type::VOID:
      return write_list_of<capnp::Void>(p, out, [&](auto) { out += "null"; });
    case cs::Type::BOOL:
      return write_list_of<bool>(p, out, [&](bool v) { out += v ? "true" : "false"; });
    case cs::Type::INT8:
      return write_list_of<std::int8_t>(p, out, num);
    case cs::Type::INT16:
      return write_list_of<std::int16_t>(p, out, num);
    case cs::Type::INT32:
      return write_list_of<std::int32_t>(p, out, num);
    case cs::Type::UINT8:
      return write_list_of<std::uint8_t>(p, out, num);
    case cs::Type::UINT16:
      return write_list_of<std::uint16_t>(p, out, num);
    case cs::Type::UINT32:
      return write_list_of<std::uint32_t>(p, out, num);
    case cs::Type::INT64:
      return write_list_of<std::int64_t>(p, out, quoted);
    case cs::Type::UINT64:
      return write_list_of<std::uint64_t>(p, out, quoted);
    case cs::Type::FLOAT32:
      return write_list_of<float>(p, out, dbl);
    case cs::Type::FLOAT64:
      return write_list_of<double>(p, out, dbl);
    case cs::Type::ENUM:
      return write_list_of<std::uint16_t>(p, out,
                                          [&](std::uint16_t v) { write_enum(element, v, out); });
    case cs::Type::TEXT:
    case cs::Type::DATA:
    case cs::Type::LIST:
      return write_list_of<capnp::AnyPointer>(
          p, out, [&](capnp::AnyPointer::Reader e) { write_pointer(element, false, e, out); });
    case cs::Type::STRUCT:
      return write_list_of<capnp::AnyStruct>(
          p, out, [&](capnp::AnyStruct::Reader e) { write_struct(*element.structure, e, out); });
    default:
      throw std::logic_error("json_writer: a list of a kind JsonCodec cannot encode");
  }
}

void write_pointer(const TypeLayout& type, bool hex, capnp::AnyPointer::Reader p,
                   std::string& out) {
  switch (type.kind) {
    case cs::Type::TEXT: {
      auto t = p.getAs<capnp::Text>();
      append_string(out, std::string_view(t.begin(), t.size()));
      return;
    }
    case cs::Type::DATA:
      append_data(out, p.getAs<capnp::Data>(), hex);
      return;
    case cs::Type::LIST:
      write_list(*type.element, p, out);
      return;
    case cs::Type::STRUCT:
      write_struct(*type.structure, p.getAs<capnp::AnyStruct>(), out);
      return;
    default:
      throw std::logic_error("json_writer: not a pointer type");
  }
}

void write_scalar(const FieldLayout& f, kj::ArrayPtr<const capnp::byte> data, std::string& out) {
  const auto o = f.offset;
  const auto d = f.default_bits;
  switch (f.type.kind) {
    case cs::Type::VOID:
      out += "null";
      return;
    case cs::Type::BOOL:
      out += read_bool(data, o, d) ? "true" : "false";
      return;
    case cs::Type::INT8:
      return append_int(out, read_data<std::int8_t>(data, o, d));
    case cs::Type::INT16:
      return append_int(out, read_data<std::int16_t>(data, o, d));
    case cs::Type::INT32:
      return append_int(out, read_data<std::int32_t>(data, o, d));
    case cs::Type::UINT8:
      return append_int(out, read_data<std::uint8_t>(data, o, d));
    case cs::Type::UINT16:
      return append_int(out, read_data<std::uint16_t>(data, o, d));
    case cs::Type::UINT32:
      return append_int(out, read_data<std::uint32_t>(data, o, d));
    case cs::Type::INT64:
      out += '"';
      append_int(out, read_data<std::int64_t>(data, o, d));
      out += '"';
      return;
    case cs::Type::UINT64:
      out += '"';
      append_int(out, read_data<std::uint64_t>(data, o, d));
      out += '"';
      return;
    case cs::Type::FLOAT32:
      return append_json_number(out, static_cast<double>(read_data<float>(data, o, d)));
    case cs::Type::FLOAT64:
      return append_json_number(out, read_data<double>(data, o, d));
    case cs::Type::ENUM:
      return write_enum(f.type, read_data<std::uint16_t>(data, o, d), out);
    default:
      throw std::logic_error("json_writer: not a scalar type");
  }
}

struct Cursor {
  std::string& out;
  bool first = true;
  void key(std::string_view prefix, const FieldLayout& f) {
    if (prefix.empty()) {
      out.append(f.key, first ? 1 : 0);  // without its comma for the first member
    } else {
      if (!first) out += ',';
      out += '"';
      out += prefix;
      out += f.name;
      out += "\":";
    }
    first = false;
  }
};

void gather(const StructLayout& layout, capnp::AnyStruct::Reader s, const std::string& prefix,
            Cursor& c);

void write_field(const FieldLayout& f, capnp::AnyStruct::Reader s,
                 kj::ArrayPtr<const capnp::byte> data, const std::string& prefix, bool member,
                 Cursor& c) {
  if (f.group) {
    if (f.flatten) return gather(*f.type.structure, s, prefix + f.flatten_prefix, c);
    c.key(prefix, f);
    return write_struct(*f.type.structure, s, c.out);
  }
  if (!f.pointer) {
    c.key(prefix, f);
    return write_scalar(f, data, c.out);
  }
  auto ptrs = s.getPointerSection();
  capnp::AnyPointer::Reader p =
      f.offset < ptrs.size() ? ptrs[f.offset] : capnp::AnyPointer::Reader();
  if (p.isNull()) {
    if (!member) return;  // outside the union, a null pointer is left out
    // The union's member is written even when null: as its default.
    switch (f.type.kind) {
      case cs::Type::TEXT: {
        auto t = f.default_value.getText();
        c.key(prefix, f);
        return append_string(c.out, std::string_view(t.begin(), t.size()));
      }
      case cs::Type::DATA:
        c.key(prefix, f);
        return append_data(c.out, f.default_value.getData(), f.hex);
      case cs::Type::LIST:
        p = f.default_value.getList();
        break;
      default:
        p = f.default_value.getStruct();
        break;
    }
  }
  if (f.flatten)
    return gather(*f.type.structure, p.getAs<capnp::AnyStruct>(), prefix + f.flatten_prefix, c);
  c.key(prefix, f);
  write_pointer(f.type, f.hex, p, c.out);
}

void gather(const StructLayout& layout, capnp::AnyStruct::Reader s, const std::string& prefix,
            Cursor& c) {
  auto data = s.getDataSection();
  for (const auto& f : layout.plain) write_field(f, s, data, prefix, false, c);
  if (!layout.has_union) return;
  const std::uint16_t d = read_data<std::uint16_t>(data, layout.discriminant_offset, 0);
  if (d < layout.by_discriminant.size() && layout.by_discriminant[d] >= 0)
    write_field(layout.members[static_cast<std::size_t>(layout.by_discriminant[d])], s, data,
                prefix, true, c);
}

void write_struct(const StructLayout& layout, capnp::AnyStruct::Reader s, std::string& out) {
  static const std::string kNoPrefix;
  Cursor c{out};
  out += '{';
  gather(layout, s, kNoPrefix, c);
  out += '}';
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void write_json(capnp::StructSchema schema, capnp::AnyStruct::Reader value, std::string& out) {
  write_struct(registry().get(schema), value, out);
}

}  // namespace tandem::api
