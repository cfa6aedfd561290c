// Typed outcomes for tandem. Expected failures are values, never exceptions: a Result<T> holds
// either a T or an Error {code, message}. Codes are stable and map onto the local API's
// ErrorCode (see proto/api.capnp) and the peer wire's goodbye reasons.
#pragma once

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace tandem {

enum class Code {
  kInternal,    // a bug or an unexpected failure
  kBadRequest,  // input that is not a request at all
  kUnknownRequest,
  kTooLarge,         // over a cap
  kInvalidArgument,  // a field out of range
  kNotInitialized,
  kAlreadyInitialized,
  kNotFound,
  kForbidden,
  kStorageFull,    // disk or LMDB map full; nothing was written
  kUnavailable,    // try again later
  kIo,             // the OS refused (permissions, missing file)
  kCorrupt,        // stored or received bytes fail verification
  kAuth,           // a key, tag or signature did not verify
  kLocked,         // the key files are wrapped by a passphrase and not unlocked yet
  kBadPassphrase,  // the passphrase does not unlock the key files
};

// Stable lower-case name of a code, for logs and the CLI.
const char* code_name(Code c);

struct Error {
  Code code = Code::kInternal;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  Result(Code c, std::string message) : v_(Error{c, std::move(message)}) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Preconditions: ok() for value(), !ok() for error(). Violations abort, in every build.
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const {
    if (ok()) std::abort();
    return std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) {
      std::fprintf(stderr, "tandem: value() of a failed Result: %s\n",
                   std::get<1>(v_).message.c_str());
      std::abort();
    }
  }
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT
  Status(Code c, std::string message) : err_{c, std::move(message)}, ok_(false) {}
  static Status Ok() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return err_;
  }

 private:
  Error err_;
  bool ok_ = true;
};

}  // namespace tandem

// Returns early with the error of a failed Status or Result expression.
#define TANDEM_TRY(expr)                               \
  do {                                                 \
    auto&& tandem_try_ = (expr);                       \
    if (!tandem_try_.ok()) return tandem_try_.error(); \
  } while (0)
