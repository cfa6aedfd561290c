// The local API's gate for untrusted bytes, as pure functions: JSON lines and Cap'n Proto frames
// in, typed Requests (or typed errors) out; Responses out as either encoding. No sockets here,
// so tests and fuzzers drive it directly.
#pragma once

#include "daemon/base/result.hpp"
#include "proto/api.capnp.h"

#include <capnp/message.h>
#include <kj/array.h>

#include <memory>
#include <string>
#include <string_view>

namespace tandem::api {

inline constexpr std::size_t kMaxFrameBytes = 1 << 20;  // one request, either encoding

// A decoded request; owns its message. reader() stays valid while it lives.
class RequestMessage {
 public:
  schema::Request::Reader reader() const { return msg_->getRoot<schema::Request>().asReader(); }
  std::uint32_t id() const { return reader().getId(); }

 private:
  friend class Codec;
  std::unique_ptr<capnp::MallocMessageBuilder> msg_;
};

// A request that failed to decode: the error to answer with and the id, when one could be read.
struct DecodeError {
  std::uint32_t id = 0;
  Error error;
};

class Codec {
 public:
  Codec();
  ~Codec();

  // Decodes one JSON line (without its newline). Unknown fields, unknown enum names and wrong
  // types are kBadRequest; a request with none of the known members is kUnknownRequest.
  std::variant<RequestMessage, DecodeError> decode_json(std::string_view line) const;
  // Decodes one whole Cap'n Proto frame (as FrameDecoder returns it).
  std::variant<RequestMessage, DecodeError> decode_frame(
      kj::ArrayPtr<const capnp::word> words) const;

  std::string encode_json(schema::Response::Reader response) const;  // one line, with '\n'
  static kj::Array<capnp::word> encode_frame(capnp::MessageBuilder& response);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fills `out` with an error response.
void set_error(schema::Response::Builder out, std::uint32_t id, const Error& error);
schema::ErrorCode to_wire(Code code);

}  // namespace tandem::api
