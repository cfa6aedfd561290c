// Builders for the API tests: requests as Cap'n Proto frames (also hand-laid-out hostile ones)
// and JSON responses parsed back into Response readers.
#pragma once

#include "daemon/api/codec.hpp"
#include "proto/framing.hpp"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace tandem::api::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes_of(kj::ArrayPtr<const capnp::word> words) {
  auto b = words.asBytes();
  return Bytes(b.begin(), b.end());
}

// A status request with `id`, as one frame in the standard stream framing.
inline Bytes status_frame(std::uint32_t id) {
  capnp::MallocMessageBuilder msg;
  auto req = msg.initRoot<schema::Request>();
  req.setId(id);
  req.initStatus();
  return bytes_of(capnp::messageToFlatArray(msg));
}

inline kj::Array<capnp::word> words_of(const Bytes& bytes) {
  REQUIRE(bytes.size() % 8 == 0);
  auto words = kj::heapArray<capnp::word>(bytes.size() / 8);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  return words;
}

// A decoded Response from one JSON line (with or without its newline).
class JsonResponse {
 public:
  explicit JsonResponse(std::string line) {
    if (!line.empty() && line.back() == '\n') line.pop_back();
    capnp::JsonCodec json;
    json.handleByAnnotation<schema::Response>();
    json.decode(kj::ArrayPtr<const char>(line.data(), line.size()),
                msg_.initRoot<schema::Response>());
  }
  schema::Response::Reader get() { return msg_.getRoot<schema::Response>().asReader(); }

 private:
  capnp::MallocMessageBuilder msg_;
};

inline std::string error_message(schema::Response::Reader r) {
  return r.isError() ? std::string(r.getError().getMessage().cStr()) : std::string();
}

}  // namespace tandem::api::test
