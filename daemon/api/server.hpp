// The local API server: a Unix socket (0600, in a 0700 directory), the peer's uid checked with
// SO_PEERCRED, JSON lines or Cap'n Proto frames on the same socket, detected from the first byte.
#pragma once

#include "daemon/api/asio.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/codec.hpp"
#include "daemon/base/log_limiter.hpp"
#include "daemon/base/result.hpp"

#include <string>

namespace tandem::api {

struct ServerOptions {
  std::string socket_path;
  std::size_t max_connections = 256;
  std::size_t max_queued_bytes = 16 << 20;  // per connection, before a slow reader is dropped
  // Refusals (oversized requests, slow readers, connections over the cap, other uids) are logged
  // once per kind per interval, with their count, never once per event.
  std::chrono::milliseconds log_interval{60000};
};

class Server {
 public:
  // Creates the socket's directory if needed (0700; refuses one open to others), removes a stale
  // socket file, refuses when another daemon answers on it, binds and chmods 0600.
  static Result<std::unique_ptr<Server>> listen(asio::io_context& io, Backend& backend,
                                                ServerOptions options);
  ~Server();

  // Accepts until stop(), and flushes the refusal log every interval. Runs on `io`.
  awaitable<void> run();
  // Closes the listener and every connection; removes the socket file.
  void stop();

  std::size_t connections() const { return live_; }

 private:
  Server(asio::io_context& io, Backend& backend, ServerOptions options);
  awaitable<void> serve(asio::local::stream_protocol::socket sock);
  awaitable<void> flush_refusals();

  asio::io_context& io_;
  Backend& backend_;
  ServerOptions options_;
  Codec codec_;
  asio::local::stream_protocol::acceptor acceptor_;
  LogLimiter refusals_;
  asio::steady_timer flush_timer_;
  std::size_t live_ = 0;
  bool stopped_ = false;
  struct Registry;
  std::unique_ptr<Registry> registry_;
};

}  // namespace tandem::api
