// The JSON writer against the codec it replaces: random values of every type of the local API
// (every field, every union member, null and set pointers, odd strings, odd numbers, unknown
// enum values) written by write_json and by capnp::JsonCodec with handleByAnnotation must be the
// same bytes.
#include "daemon/api/json_writer.hpp"
#include "daemon/api/codec.hpp"
#include "proto/api.capnp.h"
#include "proto/entry.capnp.h"
#include "proto/report.capnp.h"

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace tandem::api::test {
namespace {

class Filler {
 public:
  explicit Filler(std::uint32_t seed) : rng_(seed) {}

  void fill(capnp::DynamicStruct::Builder b, int depth) {
    auto schema = b.getSchema();
    for (auto f : schema.getNonUnionFields()) fill_field(b, f, depth);
    auto members = schema.getUnionFields();
    if (members.size() > 0) fill_field(b, members[pick(members.size())], depth);
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }

  std::string text() {
    static const std::string kChars[] = {"a",  "Z",  " ",  "\"", "\\",   "/",    "\n",
                                         "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f",
                                         "é",  "💛",  "{",  "}",  ":",    ","};
    std::string s;
    for (std::size_t i = pick(12); i > 0; --i) s += kChars[pick(std::size(kChars))];
    return s;
  }

  double number() {
    switch (pick(10)) {
      case 0:
        return 0;
      case 1:
        return -0.0;
      case 2:
        return 1.0 / 3;
      case 3:
        return 1e300;
      case 4:
        return -2.5e-310;
      case 5:
        return std::numeric_limits<double>::infinity();
      case 6:
        return std::nan("");
      case 7:
        return static_cast<double>(pick(1000000)) / 1000;
      case 8:
        return -std::numeric_limits<double>::infinity();
      default:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
    }
  }

  std::uint64_t bits() {
    switch (pick(4)) {
      case 0:
        return 0;
      case 1:
        return ~std::uint64_t{0};
      case 2:
        return pick(300);
      default:
        return rng_();
    }
  }

  capnp::DynamicValue::Reader scalar(capnp::Type t) {
    using W = capnp::schema::Type;
    switch (t.which()) {
      case W::VOID:
        return capnp::VOID;
      case W::BOOL:
        return chance(50);
      case W::INT8:
        return static_cast<std::int8_t>(bits());
      case W::INT16:
        return static_cast<std::int16_t>(bits());
      case W::INT32:
        return static_cast<std::int32_t>(bits());
      case W::INT64:
        return static_cast<std::int64_t>(bits());
      case W::UINT8:
        return static_cast<std::uint8_t>(bits());
      case W::UINT16:
        return static_cast<std::uint16_t>(bits());
      case W::UINT32:
        return static_cast<std::uint32_t>(bits());
      case W::UINT64:
        return bits();
      case W::FLOAT32:
        return static_cast<float>(number());
      case W::FLOAT64:
        return number();
      case W::ENUM: {
        auto e = t.asEnum();
        const auto n = e.getEnumerants().size();
        // Now and then a value from a newer schema: written as a number.
        return capnp::DynamicEnum(e,
                                  static_cast<std::uint16_t>(chance(10) ? n + pick(3) : pick(n)));
      }
      default:
        FAIL("not a scalar");
        return capnp::VOID;
    }
  }

  void fill_field(capnp::DynamicStruct::Builder b, capnp::StructSchema::Field f, int depth) {
    const bool member =
        f.getProto().getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT;
    if (f.getProto().isGroup()) {
      fill(b.init(f).as<capnp::DynamicStruct>(), depth);
      return;
    }
    auto t = f.getType();
    using W = capnp::schema::Type;
    switch (t.which()) {
      case W::TEXT:
      case W::DATA:
      case W::LIST:
      case W::STRUCT:
        if (chance(depth > 4 ? 80 : 25)) {
          if (member) b.clear(f);  // the member is chosen, its pointer null
          return;
        }
        break;
      default:
        b.set(f, scalar(t));
        return;
    }
    switch (t.which()) {
      case W::TEXT:
        b.set(f, capnp::Text::Reader(text()));
        break;
      case W::DATA: {
        std::string d = text();
        b.set(f, capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(d.data()), d.size()));
        break;
      }
      case W::STRUCT:
        fill(b.init(f).as<capnp::DynamicStruct>(), depth + 1);
        break;
      default:
        fill_list(b.init(f, static_cast<unsigned>(pick(4))).as<capnp::DynamicList>(), depth + 1);
        break;
    }
  }

  void fill_list(capnp::DynamicList::Builder l, int depth) {
    auto et = l.getSchema().getElementType();
    using W = capnp::schema::Type;
    for (unsigned i = 0; i < l.size(); ++i) {
      switch (et.which()) {
        case W::TEXT:
          l.set(i, capnp::Text::Reader(text()));
          break;
        case W::DATA: {
          std::string d = text();
          l.set(i, capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(d.data()), d.size()));
          break;
        }
        case W::STRUCT:
          fill(l[i].as<capnp::DynamicStruct>(), depth);
          break;
        case W::LIST:
          fill_list(l.init(i, static_cast<unsigned>(pick(3))).as<capnp::DynamicList>(), depth + 1);
          break;
        default:
          l.set(i, scalar(et));
          break;
      }
    }
  }

  std::mt19937_64 rng_;
};

// Returns every output, concatenated, so callers can check what the random values reached.
template <typename T>
std::string same_as_json_codec(int rounds) {
  std::string all;
  capnp::JsonCodec codec;
  codec.handleByAnnotation<T>();
  for (int seed = 0; seed < rounds; ++seed) {
    capnp::MallocMessageBuilder msg;
    auto root = msg.initRoot<T>();
    Filler(static_cast<std::uint32_t>(seed)).fill(capnp::toDynamic(root), 0);
    const kj::String expected = codec.encode(root.asReader());
    std::string actual;
    write_json(root.asReader(), actual);
    INFO("seed " << seed);
    REQUIRE(actual == std::string(expected.cStr(), expected.size()));
    all += actual;
  }
  return all;
}

TEST_CASE("the JSON writer writes what JsonCodec writes, for every type of the local API",
          "[api][json]") {
  const std::string responses = same_as_json_codec<schema::Response>(3000);
  // The random values reached the odd cases: non-finite numbers, escapes, reports, hex.
  CHECK(responses.find("\"NaN\"") != std::string::npos);
  CHECK(responses.find("\"-Infinity\"") != std::string::npos);
  CHECK(responses.find("\"Infinity\"") != std::string::npos);
  CHECK(responses.find("\\u001f") != std::string::npos);
  CHECK(responses.find("\"data\":\"") != std::string::npos);  // $Json.hex
  CHECK(responses.find("\"bandLow\":") != std::string::npos);
  CHECK(responses.find("\"contribution\":") != std::string::npos);
  same_as_json_codec<schema::Request>(2000);
  same_as_json_codec<schema::Event>(500);
  same_as_json_codec<schema::Entry>(1000);
}

TEST_CASE("numbers are written as KJ writes a double", "[api][json]") {
  std::mt19937_64 rng(7);
  auto check = [](double v) {
    std::string mine;
    append_json_number(mine, v);
    const kj::String kj_text = kj::str(v);
    INFO(mine);
    REQUIRE(mine == std::string(kj_text.cStr(), kj_text.size()));
  };
  for (double v : {0.0,
                   -0.0,
                   1.0,
                   -1.0,
                   0.1,
                   0.5,
                   1.0 / 3,
                   2.0 / 3,
                   1e15,
                   1e16,
                   1e17,
                   123456789012345678.0,
                   1e-5,
                   1e-4,
                   5e-324,
                   2.2250738585072014e-308,
                   1.7976931348623157e308,
                   0.3,
                   0.1 + 0.2,
                   100.0,
                   4294967295.0,
                   -42.0,
                   999999999999999.0,
                   -999999999999999.0,
                   1e15 - 0.5,
                   -1e15})
    check(v);
  for (int i = 0; i < 100000; ++i) {
    double v;
    std::uint64_t bits = rng();
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) check(v);                                      // any exponent
    check(std::uniform_real_distribution<double>(0, 1)(rng));            // shares
    check(static_cast<double>(static_cast<std::int64_t>(rng() >> 20)));  // whole numbers
    check(-static_cast<double>(rng() >> 14));  // whole numbers near and past 10^15
    check(std::round(std::uniform_real_distribution<double>(0, 1)(rng) * 1e4) / 1e4);
  }
}

TEST_CASE("encode_json of an empty response is the id alone, on one line", "[api][json]") {
  capnp::MallocMessageBuilder msg;
  auto r = msg.initRoot<schema::Response>();
  r.setId(7);
  Codec codec;
  const std::string line = codec.encode_json(r.asReader());
  CHECK(line.back() == '\n');
  CHECK(line.find("\"id\":7") != std::string::npos);
}

}  // namespace
}  // namespace tandem::api::test
