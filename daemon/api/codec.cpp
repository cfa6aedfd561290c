#include "daemon/api/codec.hpp"

#include "daemon/api/json_check.hpp"
#include "daemon/api/json_writer.hpp"
#include "proto/framing.hpp"

#include <capnp/compat/json.h>

#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <algorithm>

namespace tandem::api {

struct Codec::Impl {
  capnp::JsonCodec json;
  Impl() {
    json.handleByAnnotation<schema::Request>();
    json.handleByAnnotation<schema::Response>();
    json.setRejectUnknownFields(true);
  }
};

Codec::Codec() : impl_(std::make_unique<Impl>()) {}
Codec::~Codec() = default;

schema::ErrorCode to_wire(Code code) {
  switch (code) {
    case Code::kBadRequest:
      return schema::ErrorCode::BAD_REQUEST;
    case Code::kUnknownRequest:
      return schema::ErrorCode::UNKNOWN_REQUEST;
    case Code::kTooLarge:
      return schema::ErrorCode::TOO_LARGE;
    case Code::kInvalidArgument:
      return schema::ErrorCode::INVALID_ARGUMENT;
    case Code::kNotInitialized:
      return schema::ErrorCode::NOT_INITIALIZED;
    case Code::kAlreadyInitialized:
      return schema::ErrorCode::ALREADY_INITIALIZED;
    case Code::kNotFound:
      return schema::ErrorCode::NOT_FOUND;
    case Code::kForbidden:
      return schema::ErrorCode::FORBIDDEN;
    case Code::kStorageFull:
      return schema::ErrorCode::STORAGE_FULL;
    case Code::kUnavailable:
      return schema::ErrorCode::UNAVAILABLE;
    case Code::kLocked:
      return schema::ErrorCode::LOCKED;
    case Code::kBadPassphrase:
      return schema::ErrorCode::BAD_PASSPHRASE;
    default:
      return schema::ErrorCode::INTERNAL;
  }
}

void set_error(schema::Response::Builder out, std::uint32_t id, const Error& error) {
  out.setId(id);
  auto e = out.initError();
  e.setCode(to_wire(error.code));
  e.setMessage(error.message);
}

static std::string describe(const kj::Exception& e) {
  std::string d = e.getDescription().cStr();
  // capnp prefixes internal details; keep the human part short.
  if (auto pos = d.find(";"); pos != std::string::npos && pos < 80) d = d.substr(0, pos);
  return d;
}

// A request whose union matched nothing this daemon knows (e.g. from a newer client).
// The schema compiled in knows how many members its union has; a newer one has more.
static bool is_unknown(schema::Request::Reader r) {
  static const unsigned known = capnp::Schema::from<schema::Request>().getUnionFields().size();
  return static_cast<unsigned>(r.which()) >= known;
}

std::variant<RequestMessage, DecodeError> Codec::decode_json(std::string_view line) const {
  std::uint32_t id = 0;
  capnp::MallocMessageBuilder raw_msg;
  auto raw = raw_msg.initRoot<capnp::JsonValue>();
  try {
    impl_->json.decodeRaw(kj::ArrayPtr<const char>(line.data(), line.size()), raw);
  } catch (const kj::Exception&) {
    return DecodeError{
        0, {Code::kBadRequest, "not a JSON object: each line must be one JSON request"}};
  }
  try {
    if (!raw.isObject()) return DecodeError{0, {Code::kBadRequest, "a request is a JSON object"}};
    bool has_member = false;
    for (auto f : raw.getObject()) {
      if (f.getName() == "id" && f.getValue().isNumber()) {
        double d = f.getValue().getNumber();
        if (d >= 0 && d <= 4294967295.0) id = static_cast<std::uint32_t>(d);
      } else if (f.getName() != "id") {
        has_member = true;
      }
    }
    if (!has_member) return DecodeError{id, {Code::kBadRequest, "the request names no operation"}};
    if (auto msg = check_json(raw.asReader(), capnp::Schema::from<schema::Request>(), "");
        !msg.empty()) {
      // An unknown top-level member is a request this daemon does not implement (a newer client).
      bool top = msg.rfind("unknown field '", 0) == 0 && msg.find('.') == std::string::npos;
      if (top)
        return DecodeError{
            id, {Code::kUnknownRequest, "unknown request: " + msg.substr(15, msg.size() - 16)}};
      return DecodeError{id, {Code::kBadRequest, msg}};
    }
    RequestMessage m;
    m.msg_ = std::make_unique<capnp::MallocMessageBuilder>();
    auto root = m.msg_->initRoot<schema::Request>();
    impl_->json.decode(raw.asReader(), root);
    if (is_unknown(root.asReader())) {
      return DecodeError{id, {Code::kUnknownRequest, "unknown request"}};
    }
    return m;
  } catch (const kj::Exception& e) {
    return DecodeError{
        id, {Code::kBadRequest, "malformed request (a field has the wrong type?): " + describe(e)}};
  }
}

std::variant<RequestMessage, DecodeError> Codec::decode_frame(
    kj::ArrayPtr<const capnp::word> words) const {
  try {
    capnp::FlatArrayMessageReader reader(words, proto::strict_reader_options());
    auto req = reader.getRoot<schema::Request>();
    std::uint32_t id = req.getId();
    if (is_unknown(req)) return DecodeError{id, {Code::kUnknownRequest, "unknown request"}};
    RequestMessage m;
    m.msg_ = std::make_unique<capnp::MallocMessageBuilder>();
    m.msg_->setRoot(req);  // a deep copy: also checks every pointer against the limits
    return m;
  } catch (const kj::Exception& e) {
    return DecodeError{0, {Code::kBadRequest, "malformed request: " + describe(e)}};
  }
}

std::string Codec::encode_json(schema::Response::Reader response) const {
  std::string out;
  // Room for an answer like the last one on this thread (a report is tens of kilobytes), so the
  // line is not copied as it grows.
  thread_local std::size_t last_size = 256;
  out.reserve(std::min<std::size_t>(last_size + last_size / 8, kMaxFrameBytes));
  write_json(response, out);  // what impl_->json.encode writes, without its JsonValue tree
  last_size = out.size();
  out.push_back('\n');
  return out;
}

kj::Array<capnp::word> Codec::encode_frame(capnp::MessageBuilder& response) {
  return capnp::messageToFlatArray(response);
}

}  // namespace tandem::api
