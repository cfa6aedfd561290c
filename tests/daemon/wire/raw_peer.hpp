// A hand-driven peer for the wire tests: a plain TCP socket and a HandshakeDriver the test steers
// message by message, so it can send what a real Channel never would (wrong PSKs, garbage,
// replays, one byte a second) and observe exactly what comes back.
#pragma once

#include "daemon/wire/asio.hpp"
#include "daemon/wire/deadline.hpp"
#include "daemon/wire/frame.hpp"
#include "daemon/wire/handshake_driver.hpp"

#include <chrono>

namespace tandem::wire::testing {

struct RawPeer {
  explicit RawPeer(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::size_t received = 0;  // bytes read so far

  awaitable<Status> write(ByteView bytes) {
    asio::const_buffer b = asio::buffer(bytes.data(), bytes.size());
    co_return co_await write_all(socket, std::span(&b, 1), deadline_after(std::chrono::seconds(5)),
                                 "test write");
  }
  // Reads exactly n bytes, or fails (kIo on EOF, kUnavailable after `timeout`).
  awaitable<Result<Bytes>> read_exactly(
      std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    Bytes out(n);
    std::size_t have = 0;
    const Deadline d = deadline_after(timeout);
    while (have < n) {
      auto got =
          co_await read_some(socket, asio::buffer(out.data() + have, n - have), d, "test read");
      if (!got) co_return got.error();
      have += *got;
      received += *got;
    }
    co_return out;
  }
  // Reads one frame (header and payload).
  awaitable<Result<Bytes>> read_frame() {
    auto h = co_await read_exactly(2);
    if (!h) co_return h.error();
    auto body = co_await read_exactly((std::size_t{(*h)[0]} << 8) | (*h)[1]);
    if (!body) co_return body.error();
    Bytes all = *h;
    all.insert(all.end(), body->begin(), body->end());
    co_return all;
  }
  // Reads until EOF or error; returns the code and counts the bytes in `received`.
  awaitable<Code> read_until_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::array<std::uint8_t, 256> buf;
    const Deadline d = deadline_after(timeout);
    while (true) {
      auto got = co_await read_some(socket, asio::buffer(buf), d, "test read");
      if (!got) co_return got.error().code;
      received += *got;
    }
  }
};

inline awaitable<RawPeer> raw_connect(tcp::endpoint to) {
  tcp::socket s(co_await asio::this_coro::executor);
  auto [ec] = co_await s.async_connect(to, asio::as_tuple(asio::use_awaitable));
  if (ec) throw boost::system::system_error(ec);
  co_return RawPeer(std::move(s));
}

}  // namespace tandem::wire::testing
