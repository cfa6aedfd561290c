// One Connection over a socket pair, served by a fake backend that only knows `status`: JSON and
// Cap'n Proto on the same class, errors that leave the connection serving, and clients that
// misbehave or vanish.
#include "daemon/api/connection.hpp"

#include "tests/daemon/api/api_test_support.hpp"

#include <chrono>
#include <memory>

namespace tandem::api::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using stream = asio::local::stream_protocol;

class FakeBackend final : public Backend {
 public:
  std::chrono::milliseconds delay{0};
  int handled = 0;

  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder response,
                         const std::shared_ptr<EventSink>&) override {
    ++handled;
    if (delay.count() > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor, delay);
      co_await t.async_wait(use_awaitable);
    }
    if (request.isStatus()) {
      auto s = response.initStatus();
      s.setApiVersion(1);
      s.setVersion("fake");
    } else {
      set_error(response, request.getId(), {Code::kUnknownRequest, "the fake serves status only"});
    }
  }
};

// An io_context with connections to one Connection each; every coroutine must finish within a
// deadline.
class Harness {
 public:
  FakeBackend backend;
  Codec codec;
  asio::io_context io;
  int servers_done = 0;
  int server_errors = 0;

  // A client socket connected to a new Connection.
  stream::socket connect(std::size_t max_queued = 16 << 20) {
    stream::socket client(io), server(io);
    asio::local::connect_pair(client, server);
    auto conn = std::make_shared<Connection>(std::move(server), backend, codec, max_queued);
    asio::co_spawn(io, conn->run(), [this, conn](std::exception_ptr e) {
      ++servers_done;
      if (e) ++server_errors;
    });
    return client;
  }

  // Runs `client` to completion (and whatever the servers do meanwhile).
  void run(awaitable<void> client) {
    bool finished = false;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(client), [&](std::exception_ptr e) {
      finished = true;
      error = e;
      io.stop();  // the servers wait for more requests; what the test needs has happened
    });
    io.restart();
    io.run_for(20s);
    REQUIRE(finished);
    if (error) std::rethrow_exception(error);
  }
};

awaitable<void> write(stream::socket& s, const std::string& bytes) {
  co_await asio::async_write(s, asio::buffer(bytes), use_awaitable);
}
awaitable<void> write(stream::socket& s, const Bytes& bytes) {
  co_await asio::async_write(s, asio::buffer(bytes), use_awaitable);
}

awaitable<std::string> read_line(stream::socket& s, std::string& buf) {
  std::size_t n =
      co_await asio::async_read_until(s, asio::dynamic_buffer(buf), '\n', use_awaitable);
  std::string line = buf.substr(0, n);
  buf.erase(0, n);
  co_return line;
}

// Reads one response frame; `frames` keeps bytes that belong to the next one.
awaitable<Bytes> read_frame(stream::socket& s, proto::FrameDecoder& frames) {
  std::array<std::uint8_t, 4096> buf;
  for (;;) {
    kj::Array<capnp::word> words;
    auto r = frames.next(words);
    if (r == proto::FrameDecoder::Result::kFrame) co_return bytes_of(words);
    if (r != proto::FrameDecoder::Result::kNeedMore) throw std::runtime_error("bad response frame");
    std::size_t n = co_await s.async_read_some(asio::buffer(buf), use_awaitable);
    frames.feed(std::span<const std::uint8_t>(buf.data(), n));
  }
}

TEST_CASE("a connection answers a JSON status request with a JSON line", "[api][connection]") {
  Harness h;
  auto client = h.connect();
  std::string line;
  h.run([&]() -> awaitable<void> {
    co_await write(client, std::string(R"({"id": 3, "status": {}})") + "\n");
    std::string buf;
    line = co_await read_line(client, buf);
  }());
  JsonResponse r(line);
  CHECK(r.get().getId() == 3);
  REQUIRE(r.get().isStatus());
  CHECK(r.get().getStatus().getApiVersion() == 1);
  CHECK(h.backend.handled == 1);
}

TEST_CASE("a connection answers a Cap'n Proto status request with a frame", "[api][connection]") {
  Harness h;
  auto client = h.connect();
  Bytes frame;
  h.run([&]() -> awaitable<void> {
    co_await write(client, status_frame(9));
    proto::FrameDecoder frames(kMaxFrameBytes);
    frame = co_await read_frame(client, frames);
  }());
  auto words = words_of(frame);
  capnp::FlatArrayMessageReader reader(words);
  auto r = reader.getRoot<schema::Response>();
  CHECK(r.getId() == 9);
  REQUIRE(r.isStatus());
  CHECK(std::string(r.getStatus().getVersion().cStr()) == "fake");
}

TEST_CASE("a garbage line gets an error and the next request on the connection is served",
          "[api][connection]") {
  Harness h;
  auto client = h.connect();
  std::string first, second, third;
  h.run([&]() -> awaitable<void> {
    co_await write(client, std::string("{ this is not json\n") + "\n" +  // and a blank line
                               R"({"id": 4, "frobnicate": {}})" + "\n" +
                               R"({"id": 5, "status": {}})" + "\n");
    std::string buf;
    first = co_await read_line(client, buf);
    second = co_await read_line(client, buf);
    third = co_await read_line(client, buf);
  }());
  JsonResponse a(first), b(second), c(third);
  REQUIRE(a.get().isError());
  CHECK(a.get().getError().getCode() == schema::ErrorCode::BAD_REQUEST);
  REQUIRE(b.get().isError());
  CHECK(b.get().getId() == 4);
  CHECK(b.get().getError().getCode() == schema::ErrorCode::UNKNOWN_REQUEST);
  CHECK(c.get().getId() == 5);
  CHECK(c.get().isStatus());
}

TEST_CASE("a 2 MiB JSON line gets kTooLarge and the connection keeps serving",
          "[api][connection]") {
  Harness h;
  auto client = h.connect();
  std::string first, second;
  h.run([&]() -> awaitable<void> {
    std::string huge = R"({"id": 1, "init": {"name": ")" + std::string(2 << 20, 'a') + "\"}}\n";
    co_await write(client, huge + R"({"id": 2, "status": {}})" + "\n");
    std::string buf;
    first = co_await read_line(client, buf);
    second = co_await read_line(client, buf);
  }());
  JsonResponse a(first), b(second);
  REQUIRE(a.get().isError());
  CHECK(a.get().getError().getCode() == schema::ErrorCode::TOO_LARGE);
  CHECK(b.get().getId() == 2);
  CHECK(b.get().isStatus());
  CHECK(h.backend.handled == 1);  // the oversized request never reached the backend
}

TEST_CASE("an oversized frame gets kTooLarge and the next frame is served", "[api][connection]") {
  Harness h;
  auto client = h.connect();
  Bytes first, second;
  h.run([&]() -> awaitable<void> {
    capnp::MallocMessageBuilder msg;
    auto req = msg.initRoot<schema::Request>();
    req.setId(1);
    req.initInit().setName(std::string(kMaxFrameBytes + 100, 'a'));
    Bytes stream = bytes_of(capnp::messageToFlatArray(msg));
    auto next = status_frame(2);
    stream.insert(stream.end(), next.begin(), next.end());
    co_await write(client, stream);
    proto::FrameDecoder frames(kMaxFrameBytes);
    first = co_await read_frame(client, frames);
    second = co_await read_frame(client, frames);
  }());
  auto w1 = words_of(first), w2 = words_of(second);
  capnp::FlatArrayMessageReader r1(w1), r2(w2);
  auto a = r1.getRoot<schema::Response>();
  auto b = r2.getRoot<schema::Response>();
  REQUIRE(a.isError());
  CHECK(a.getError().getCode() == schema::ErrorCode::TOO_LARGE);
  CHECK(b.getId() == 2);
  CHECK(b.isStatus());
}

TEST_CASE("a client that vanishes mid-request harms neither the server nor later clients",
          "[api][connection]") {
  Harness h;
  h.backend.delay = 20ms;
  {
    auto half_json = h.connect();
    auto half_frame = h.connect();
    auto gone_before_reply = h.connect();
    h.run([&]() -> awaitable<void> {
      co_await write(half_json, std::string(R"({"id": 1, "sta)"));
      auto frame = status_frame(1);
      co_await write(half_frame, Bytes(frame.begin(), frame.begin() + 12));
      co_await write(gone_before_reply, std::string(R"({"id": 1, "status": {}})") + "\n");
      // Let the servers read what was sent, then hang up on all three.
      asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
      co_await t.async_wait(use_awaitable);
      half_json.close();
      half_frame.close();
      gone_before_reply.close();
      // Outlast the slow backend, so its reply meets a closed socket.
      t.expires_after(60ms);
      co_await t.async_wait(use_awaitable);
    }());
  }
  CHECK(h.servers_done == 3);
  CHECK(h.server_errors == 0);
  CHECK(h.backend.handled == 1);

  // A new client is served as if nothing happened.
  auto client = h.connect();
  std::string line;
  h.run([&]() -> awaitable<void> {
    co_await write(client, std::string(R"({"id": 8, "status": {}})") + "\n");
    std::string buf;
    line = co_await read_line(client, buf);
  }());
  JsonResponse r(line);
  CHECK(r.get().getId() == 8);
  CHECK(r.get().isStatus());
}

// A valid request frame of `segments` segments (tiny fixed-size segments, so a small request
// spans many).
Bytes frame_with_segments(std::uint32_t segments) {
  capnp::MallocMessageBuilder msg(1, capnp::AllocationStrategy::FIXED_SIZE);
  auto req = msg.initRoot<schema::Request>();
  req.setId(21);
  auto app = req.initAppreciate();
  auto ids = app.initIds(64);
  for (unsigned i = 0; i < ids.size() && msg.getSegmentsForOutput().size() < segments; ++i) {
    ids.set(i, "x");
  }
  REQUIRE(msg.getSegmentsForOutput().size() == segments);
  return bytes_of(capnp::messageToFlatArray(msg));
}

// Regression: the connection once picked JSON when the first byte was '{' or whitespace, and a
// frame's first byte is its segment count - 1: a first frame of 10, 11, 14 or 33 segments ('\t',
// '\n', '\r', ' ') was taken for JSON.
TEST_CASE("a first frame of any legal segment count is served as Cap'n Proto",
          "[api][connection]") {
  for (std::uint32_t segments : {4u, 9u, 10u, 11u, 14u, 33u}) {
    INFO(segments << " segments");
    auto frame = frame_with_segments(segments);
    CHECK(frame[0] == segments - 1);
    Harness h;
    auto client = h.connect();
    Bytes reply;
    h.run([&]() -> awaitable<void> {
      co_await write(client, frame);
      // Whatever the server answers, read one reply in either encoding; a frame starts with a
      // zero byte for a one-segment response, a JSON line with '{'.
      // A server that took the frame for a JSON line waits for its newline: give up after 2 s.
      using namespace asio::experimental::awaitable_operators;
      std::array<std::uint8_t, 4096> buf;
      asio::steady_timer deadline(co_await asio::this_coro::executor, 2s);
      auto got = co_await (client.async_read_some(asio::buffer(buf), use_awaitable) ||
                           deadline.async_wait(use_awaitable));
      if (got.index() == 0) reply.assign(buf.begin(), buf.begin() + std::get<0>(got));
    }());
    CHECK(!reply.empty());
    CHECK((reply.empty() || reply[0] != '{'));
  }
}

TEST_CASE("malformed framing gets one error and the connection is closed", "[api][connection]") {
  Harness h;
  auto client = h.connect();
  Bytes reply;
  bool eof = false;
  h.run([&]() -> awaitable<void> {
    Bytes bad(8, 0);
    bad[0] = 100;  // 101 segments
    co_await write(client, bad);
    proto::FrameDecoder frames(kMaxFrameBytes);
    reply = co_await read_frame(client, frames);
    std::array<char, 16> buf;
    auto [ec, n] =
        co_await client.async_read_some(asio::buffer(buf), asio::as_tuple(use_awaitable));
    eof = ec == asio::error::eof && n == 0;
  }());
  auto w = words_of(reply);
  capnp::FlatArrayMessageReader r(w);
  REQUIRE(r.getRoot<schema::Response>().isError());
  CHECK(r.getRoot<schema::Response>().getError().getCode() == schema::ErrorCode::BAD_REQUEST);
  CHECK(eof);
  CHECK(h.servers_done == 1);
}

}  // namespace
}  // namespace tandem::api::test
