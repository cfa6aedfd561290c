#include "tests/support/fake_api_server.hpp"

#include "proto/framing.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <capnp/compat/json.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace tandem::test {

schema::Response::Builder Replies::add() {
  Item item;
  item.message = std::make_unique<capnp::MallocMessageBuilder>();
  auto response = item.message->initRoot<schema::Response>();
  response.setId(request_id_);
  items_.push_back(std::move(item));
  return response;
}

void Replies::error(schema::ErrorCode code, const std::string& message) {
  auto e = add().initError();
  e.setCode(code);
  e.setMessage(message);
}

void Replies::raw(std::string bytes) {
  items_.push_back(Item{nullptr, std::move(bytes)});
}

FakeApiServer::FakeApiServer(Handler handler) : handler_(std::move(handler)) {
  char tmpl[] = "/tmp/tandem-fake-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  socket_path_ = dir_ + "/tandemd.sock";
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(listen_fd_, 8) < 0 || ::pipe(wake_) < 0) {
    throw std::runtime_error("fake server socket set-up failed");
  }
  thread_ = std::thread([this] { serve(); });
}

FakeApiServer::~FakeApiServer() {
  char byte = 0;
  (void)!::write(wake_[1], &byte, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
  ::unlink(socket_path_.c_str());
  ::rmdir(dir_.c_str());
}

std::vector<std::string> FakeApiServer::requests_json() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeApiServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

void FakeApiServer::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    serve_connection(fd);
    ::close(fd);
  }
}

void FakeApiServer::serve_connection(int fd) {
  proto::FrameDecoder decoder(1 << 20);
  capnp::JsonCodec json;
  json.handleByAnnotation<schema::Request>();
  std::uint8_t buf[4096];
  for (;;) {
    kj::Array<capnp::word> words;
    auto result = decoder.next(words);
    if (result == proto::FrameDecoder::Result::kMalformed) return;
    if (result == proto::FrameDecoder::Result::kNeedMore) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      decoder.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (result != proto::FrameDecoder::Result::kFrame) continue;
    proto::FrameReader reader(words.asPtr(), proto::strict_reader_options());
    auto request = reader.reader().getRoot<schema::Request>();
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(json.encode(request).cStr());
    }
    Replies replies(request.getId());
    handler_(request, replies);
    for (auto& item : replies.items_) {
      std::string bytes = item.raw;
      if (item.message) {
        auto frame = proto::encode_frame(*item.message);
        bytes.assign(reinterpret_cast<const char*>(frame.asBytes().begin()),
                     frame.asBytes().size());
      }
      for (std::size_t sent = 0; sent < bytes.size();) {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
      }
    }
    if (replies.close_) return;
  }
}

}  // namespace tandem::test
