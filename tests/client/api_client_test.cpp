// The api client against a scripted peer on a socketpair: the "daemon" end writes its answers up
// front (the client sends first, so they wait in the socket buffer).
#include "client/api_client.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <capnp/message.h>
#include <catch2/catch.hpp>

using namespace tandem;
using client::ClientError;

namespace {

struct Pair {
  client::ApiClient api;
  client::UniqueFd daemon;
};

Pair make_pair(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  client::ApiClientOptions options;
  options.timeout = timeout;
  return Pair{client::ApiClient(client::UniqueFd(sv[0]), options), client::UniqueFd(sv[1])};
}

void write_bytes(int fd, const void* data, std::size_t size) {
  REQUIRE(::write(fd, data, size) == static_cast<ssize_t>(size));
}

void write_status(int fd, std::uint32_t id, const char* version) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Response>();
  r.setId(id);
  r.initStatus().setVersion(version);
  auto frame = proto::encode_frame(message);
  write_bytes(fd, frame.asBytes().begin(), frame.asBytes().size());
}

client::Result<client::ResponseMessage> call_status(client::ApiClient& api) {
  capnp::MallocMessageBuilder request;
  request.initRoot<schema::Request>().initStatus();
  return api.call(request);
}

}  // namespace

TEST_CASE("api client: sends a framed Request with a fresh id", "[client][api]") {
  auto p = make_pair(std::chrono::milliseconds(50));
  (void)call_status(p.api);  // times out: nobody answers
  std::uint8_t buf[256];
  ssize_t n = ::read(p.daemon.get(), buf, sizeof buf);
  REQUIRE(n > 0);
  proto::FrameDecoder decoder(1 << 20);
  decoder.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
  kj::Array<capnp::word> words;
  REQUIRE(decoder.next(words) == proto::FrameDecoder::Result::kFrame);
  proto::FrameReader reader(words.asPtr(), proto::strict_reader_options());
  auto request = reader.reader().getRoot<schema::Request>();
  CHECK(request.getId() == 1);
  CHECK(request.isStatus());
}

TEST_CASE("api client: skips responses for other ids", "[client][api]") {
  auto p = make_pair();
  write_status(p.daemon.get(), 7, "other");
  write_status(p.daemon.get(), 1, "mine");
  auto r = call_status(p.api);
  REQUIRE(r.ok());
  CHECK(r.value().get().getStatus().getVersion() == "mine");
}

TEST_CASE("api client: a daemon error is a typed kDaemon error", "[client][api]") {
  auto p = make_pair();
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Response>();
  r.setId(1);
  r.initError().setCode(schema::ErrorCode::NOT_FOUND);
  r.getError().setMessage("no such entry");
  auto frame = proto::encode_frame(message);
  write_bytes(p.daemon.get(), frame.asBytes().begin(), frame.asBytes().size());
  auto result = call_status(p.api);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ClientError::Kind::kDaemon);
  CHECK(result.error().code == "notFound");
  CHECK(result.error().message == "no such entry");
}

TEST_CASE("api client: garbage from the daemon is a protocol error", "[client][api]") {
  auto p = make_pair();
  const std::uint8_t garbage[] = {0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8};
  write_bytes(p.daemon.get(), garbage, sizeof garbage);
  auto result = call_status(p.api);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ClientError::Kind::kProtocol);
}

TEST_CASE("api client: a frame whose pointers are broken is a protocol error", "[client][api]") {
  auto p = make_pair();
  // One segment of one word: a struct pointer pointing far outside the segment.
  const std::uint8_t frame[] = {0, 0, 0, 0, 1, 0, 0, 0, 0xfc, 0xff, 0xff, 0x7f, 1, 0, 1, 0};
  write_bytes(p.daemon.get(), frame, sizeof frame);
  auto result = call_status(p.api);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ClientError::Kind::kProtocol);
}

TEST_CASE("api client: a connection closed mid-frame is a protocol error", "[client][api]") {
  auto p = make_pair();
  const std::uint8_t partial[] = {0, 0, 0, 0, 4, 0, 0, 0, 1, 2};
  capnp::MallocMessageBuilder request;
  request.initRoot<schema::Request>().initStatus();
  auto id = p.api.send(request);
  REQUIRE(id.ok());
  write_bytes(p.daemon.get(), partial, sizeof partial);
  ::shutdown(p.daemon.get(), SHUT_WR);
  auto result = p.api.receive(id.value());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ClientError::Kind::kProtocol);
}

TEST_CASE("api client: a daemon that hangs up or stays silent is unreachable", "[client][api]") {
  SECTION("hangs up") {
    auto p = make_pair();
    p.daemon = client::UniqueFd();
    auto result = call_status(p.api);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ClientError::Kind::kUnreachable);
  }
  SECTION("silent past the deadline") {
    auto p = make_pair(std::chrono::milliseconds(30));
    auto result = call_status(p.api);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ClientError::Kind::kUnreachable);
    CHECK(result.error().message == "tandemd did not answer in time");
  }
}

TEST_CASE("api client: no socket at the path is unreachable", "[client][api]") {
  auto result = client::ApiClient::connect("/nonexistent/tandem/tandemd.sock");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ClientError::Kind::kUnreachable);
  auto too_long = client::ApiClient::connect(std::string(200, 'x'));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().kind == ClientError::Kind::kUnreachable);
}
