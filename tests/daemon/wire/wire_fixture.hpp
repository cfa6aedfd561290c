// Shared helpers for the wire tests: deterministic keys, a PSK, options for both sides, and a way
// to run a coroutine to completion on a real io_context with a hard time limit.
#pragma once

#include "daemon/crypto/primitives.hpp"
#include "daemon/crypto/secret.hpp"
#include "daemon/wire/asio.hpp"
#include "daemon/wire/channel.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace tandem::wire::testing {

inline crypto::Secret<32> key_from_byte(std::uint8_t b) {
  crypto::Secret<32> k;
  for (std::size_t i = 0; i < 32; ++i) k.data()[i] = static_cast<std::uint8_t>(b + i * 7);
  return k;
}

// Two devices of one space, and a stranger with the wrong PSK.
struct Keys {
  crypto::DhSecretKey alice = key_from_byte(1);
  crypto::DhSecretKey bob = key_from_byte(2);
  crypto::DhSecretKey mallory = key_from_byte(3);
  crypto::SymmetricKey space = key_from_byte(100);
  crypto::SymmetricKey other_space = key_from_byte(200);
  crypto::PublicKey alice_pub = crypto::dh_public(alice);
  crypto::PublicKey bob_pub = crypto::dh_public(bob);
  crypto::PublicKey mallory_pub = crypto::dh_public(mallory);
};

// Options for `me` in `space`, accepting only `allowed` (any key when nullopt).
inline ChannelOptions options_for(const crypto::DhSecretKey& me, const crypto::SymmetricKey& space,
                                  std::optional<crypto::PublicKey> allowed = std::nullopt) {
  ChannelOptions o;
  o.local_static = &me;
  o.psk = &space;
  if (allowed) o.authorize = [k = *allowed](const crypto::PublicKey& r) { return r == k; };
  o.handshake_timeout = std::chrono::milliseconds(2000);
  o.read_timeout = std::chrono::milliseconds(5000);
  return o;
}

// Runs `main` on `io` until it returns, or fails the test after `limit`. Rethrows its exception.
template <class F>
void run_for(asio::io_context& io, F main,
             std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(main), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  io.restart();
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  if (error) std::rethrow_exception(error);
  if (!done) throw std::runtime_error("test coroutine did not finish in time");
}

inline tcp::endpoint loopback_v4(std::uint16_t port = 0) {
  return tcp::endpoint(asio::ip::address_v4::loopback(), port);
}

// Sleeps for `d` on the current coroutine's executor.
inline awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace tandem::wire::testing
