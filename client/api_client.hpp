// The CLI's side of tandemd's local API: a blocking Unix-socket client speaking Cap'n Proto
// stream framing (proto/framing.hpp). Plain POSIX, no event loop: the CLI sends one request at a
// time and waits for its answer. Nothing here throws; every failure is a ClientError whose kind
// tells the caller which exit code to use.
#pragma once

#include "proto/api.capnp.h"
#include "proto/framing.hpp"

#include <capnp/message.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tandem::client {

struct ClientError {
  enum class Kind {
    kUnreachable,  // no daemon at the socket, or it went away (exit 3)
    kDaemon,       // the daemon answered with an Error (exit 1)
    kProtocol,     // the daemon sent something that is not a valid Response (exit 4)
  };
  Kind kind;
  std::string code;  // kDaemon: the ErrorCode's schema name ("notFound"); empty otherwise
  std::string message;
};

// A value or a ClientError.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(ClientError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const ClientError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ClientError> v_;
};

// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// One Response, owning the frame it was read from. get() views stay valid while this lives.
class ResponseMessage {
 public:
  // Throws kj::Exception on a malformed segment table (ApiClient catches it).
  ResponseMessage(kj::Array<capnp::word> words, capnp::ReaderOptions options);
  schema::Response::Reader get() { return reader_->reader().getRoot<schema::Response>(); }

 private:
  kj::Array<capnp::word> words_;
  std::unique_ptr<proto::FrameReader> reader_;
};

struct ApiClientOptions {
  // How long call() waits for an answer before calling the daemon unreachable.
  std::chrono::milliseconds timeout{30000};
  // The largest Response frame accepted (an export page with long notes is big).
  std::size_t max_frame_bytes = 64u << 20;
  // --verbose: where call() notes each request's name, id, frame size and round trip. Borrowed;
  // null: silent.
  std::FILE* trace = nullptr;
};

// The reader limits the CLI uses for responses: generous (a page holds up to 1000 entries), but
// bounded like every untrusted input.
capnp::ReaderOptions response_reader_options();

// The schema name of an ErrorCode ("notFound"), or its number when this CLI does not know it.
std::string error_code_name(schema::ErrorCode code);

class ApiClient {
 public:
  // Connects to the daemon's socket at `path`. Fails with kUnreachable when nothing listens
  // there (the message says why: missing socket, refused, permission denied, path too long).
  static Result<ApiClient> connect(const std::string& path, ApiClientOptions options = {});

  // Wraps an already connected stream socket (tests pass one end of a socketpair).
  ApiClient(UniqueFd fd, ApiClientOptions options);

  ApiClient(ApiClient&&) = default;
  ApiClient& operator=(ApiClient&&) = default;

  // Gives `request` (a message whose root is a schema::Request) a fresh id, sends it, and waits
  // up to the timeout for the response with that id; responses with other ids are skipped.
  // An Error response becomes a kDaemon error.
  Result<ResponseMessage> call(capnp::MessageBuilder& request);

  // Sends `request` with a fresh id and returns the id, without waiting for an answer.
  Result<std::uint32_t> send(capnp::MessageBuilder& request);

  // The next response carrying `id`. With `wait_forever` (subscriptions) there is no deadline;
  // otherwise the timeout applies. An Error response becomes a kDaemon error.
  Result<ResponseMessage> receive(std::uint32_t id, bool wait_forever = false);

 private:
  Result<ResponseMessage> next_frame(bool wait_forever);

  UniqueFd fd_;
  ApiClientOptions options_;
  std::unique_ptr<proto::FrameDecoder> decoder_;
  std::uint32_t next_id_ = 1;
};

}  // namespace tandem::client
