// Fuzzes the local API's JSON gate: any bytes as one request line must give a request or a typed
// error, never a crash, and the error must encode as exactly one JSON line.
#include "daemon/api/codec.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
    resp.setId(req.id());
    resp.initStatus();
  }
  auto line = codec.encode_json(resp.asReader());
  if (line.empty() || line.back() != '\n' || std::count(line.begin(), line.end(), '\n') != 1) {
    std::abort();  // a response must be one line whatever the request held
  }
  return 0;
}
