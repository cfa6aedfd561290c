// Fuzzes the local API's JSON gate: any bytes as one request line must give a request or a typed
// error, never a crash, and the error must encode as exactly one JSON line. A request that
// decodes is also written back as JSON by the daemon's writer and by JsonCodec: the same bytes.
#include "daemon/api/codec.hpp"
#include "daemon/api/json_writer.hpp"

#include <capnp/compat/json.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tandem::api;
  static const Codec codec;
  auto decoded = codec.decode_json(std::string_view(reinterpret_cast<const char*>(data), size));
  capnp::MallocMessageBuilder msg;
  auto resp = msg.initRoot<tandem::schema::Response>();
  if (auto* err = std::get_if<DecodeError>(&decoded)) {
    set_error(resp, err->id, err->error);
  } else {
    const auto& req = std::get<RequestMessage>(decoded);
    // Walk the whole request, as a backend would, and echo its id.
    (void)req.reader().totalSize();
    static const capnp::JsonCodec* const json = [] {
      auto* c = new capnp::JsonCodec;  // kept for the process
      c->handleByAnnotation<tandem::schema::Request>();
      return c;
    }();
    std::string mine;
    write_json(req.reader(), mine);
    const kj::String theirs = json->encode(req.reader());
    if (mine != std::string_view(theirs.cStr(), theirs.size())) std::abort();
    resp.setId(req.id());
    resp.initStatus();
  }
  auto line = codec.encode_json(resp.asReader());
  if (line.empty() || line.back() != '\n' || std::count(line.begin(), line.end(), '\n') != 1) {
    std::abort();  // a response must be one line whatever the request held
  }
  return 0;
}
