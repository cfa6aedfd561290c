#include "daemon/base/result.hpp"

namespace tandem {

const char* code_name(Code c) {
  switch (c) {
    case Code::kInternal:
      return "internal";
    case Code::kBadRequest:
      return "bad_request";
    case Code::kUnknownRequest:
      return "unknown_request";
    case Code::kTooLarge:
      return "too_large";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotInitialized:
      return "not_initialized";
    case Code::kAlreadyInitialized:
      return "already_initialized";
    case Code::kNotFound:
      return "not_found";
    case Code::kForbidden:
      return "forbidden";
    case Code::kStorageFull:
      return "storage_full";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kIo:
      return "io";
    case Code::kCorrupt:
      return "corrupt";
    case Code::kAuth:
      return "auth";
    case Code::kLocked:
      return "locked";
    case Code::kBadPassphrase:
      return "bad_passphrase";
  }
  return "internal";
}

}  // namespace tandem
