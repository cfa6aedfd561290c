#include "client/api_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <capnp/dynamic.h>
#include <capnp/schema.h>
#include <kj/exception.h>

#include <cerrno>
#include <cstring>

namespace tandem::client {
namespace {

ClientError unreachable(std::string message) {
  return ClientError{ClientError::Kind::kUnreachable, {}, std::move(message)};
}

ClientError protocol(std::string message) {
  return ClientError{ClientError::Kind::kProtocol, {}, std::move(message)};
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

ResponseMessage::ResponseMessage(kj::Array<capnp::word> words, capnp::ReaderOptions options)
    : words_(std::move(words)),
      reader_(std::make_unique<proto::FrameReader>(words_.asPtr(), options)) {}

capnp::ReaderOptions response_reader_options() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = (256u << 20) / sizeof(capnp::word);
  o.nestingLimit = 32;
  return o;
}

std::string error_code_name(schema::ErrorCode code) {
  auto enumerants = capnp::Schema::from<schema::ErrorCode>().getEnumerants();
  auto v = static_cast<unsigned>(code);
  if (v < enumerants.size()) return enumerants[v].getProto().getName().cStr();
  return std::to_string(v);
}

Result<ApiClient> ApiClient::connect(const std::string& path, ApiClientOptions options) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return unreachable("socket path '" + path + "' is empty or too long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return unreachable(std::string("socket: ") + std::strerror(errno));
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return unreachable("cannot connect to " + path + ": " + std::strerror(errno));
  return ApiClient(std::move(fd), options);
}

ApiClient::ApiClient(UniqueFd fd, ApiClientOptions options)
    : fd_(std::move(fd)),
      options_(options),
      decoder_(std::make_unique<proto::FrameDecoder>(options.max_frame_bytes)) {}

Result<std::uint32_t> ApiClient::send(capnp::MessageBuilder& request) {
  const std::uint32_t id = next_id_++;
  request.getRoot<schema::Request>().setId(id);
  auto frame = proto::encode_frame(request);
  auto bytes = frame.asBytes();
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_.get(), bytes.begin() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreachable(std::string("cannot send to tandemd: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  return id;
}

Result<ResponseMessage> ApiClient::next_frame(bool wait_forever) {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  std::uint8_t buf[64 * 1024];
  for (;;) {
    kj::Array<capnp::word> words;
    switch (decoder_->next(words)) {
      case proto::FrameDecoder::Result::kFrame:
        try {
          return ResponseMessage(std::move(words), response_reader_options());
        } catch (const kj::Exception& e) {
          return protocol(std::string("malformed response: ") + e.getDescription().cStr());
        }
      case proto::FrameDecoder::Result::kTooLarge:
        return protocol("response frame over the client's cap");
      case proto::FrameDecoder::Result::kMalformed:
        return protocol("malformed response framing");
      case proto::FrameDecoder::Result::kNeedMore:
        break;
    }
    int timeout_ms = -1;
    if (!wait_forever) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return unreachable("tandemd did not answer in time");
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return unreachable(std::string("poll: ") + std::strerror(errno));
    if (rc == 0) continue;  // the deadline check above reports it
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 && decoder_->buffered() > 0) {
      return protocol("tandemd closed the connection mid-frame");
    }
    if (n < 0) return unreachable(std::string("cannot read from tandemd: ") + std::strerror(errno));
    if (n == 0) {
      return unreachable("tandemd closed the connection");
    }
    decoder_->feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
  }
}

Result<ResponseMessage> ApiClient::receive(std::uint32_t id, bool wait_forever) {
  for (;;) {
    auto frame = next_frame(wait_forever);
    if (!frame.ok()) return frame;
    try {
      auto response = frame.value().get();
      if (response.getId() != id) continue;
      if (response.isError()) {
        auto error = response.getError();
        return ClientError{ClientError::Kind::kDaemon, error_code_name(error.getCode()),
                           error.getMessage().cStr()};
      }
      return frame;
    } catch (const kj::Exception& e) {
      return protocol(std::string("malformed response: ") + e.getDescription().cStr());
    }
  }
}

Result<ResponseMessage> ApiClient::call(capnp::MessageBuilder& request) {
  const auto start = std::chrono::steady_clock::now();
  auto id = send(request);
  if (!id.ok()) return id.error();
  auto answer = receive(id.value());
  if (options_.trace != nullptr) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::string name = "?";
    try {
      auto which = capnp::toDynamic(request.getRoot<schema::Request>().asReader()).which();
      KJ_IF_MAYBE (field, which) {
        name = field->getProto().getName().cStr();
      }
    } catch (const kj::Exception&) {
    }
    std::fprintf(options_.trace, "tandem: %s #%u: %s in %.1f ms (%zu bytes sent)\n", name.c_str(),
                 id.value(), answer.ok() ? "answered" : "failed", ms,
                 proto::encode_frame(request).asBytes().size());
  }
  return answer;
}

}  // namespace tandem::client
