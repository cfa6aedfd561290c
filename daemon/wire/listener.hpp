// The peer listener: accepts TCP connections on ADDR:PORT, runs the responder handshake for each
// concurrently under the handshake deadline, and hands every authenticated Channel to a callback.
// Refusals (wrong PSK, unknown key, timeouts, floods) are counted and logged once per kind per
// interval, never once per event.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/wire/asio.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/log_limiter.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace tandem::wire {

inline constexpr std::uint16_t kDefaultPort = 7470;

// Parses a listen or peer address: "0.0.0.0:7470", "[::1]:7470", "[::]:7470", "localhost:7470",
// "127.0.0.1", "[::1]" or a bare IPv6 literal such as "::1" (those three take `default_port`).
// "localhost" means 127.0.0.1; other host names are refused with kInvalidArgument (a listener
// binds to an address, and nothing here blocks on DNS). kInvalidArgument for a bad port (0 is
// allowed: an ephemeral port, for tests).
Result<tcp::endpoint> parse_endpoint(std::string_view text,
                                     std::uint16_t default_port = kDefaultPort);

struct ListenerOptions {
  // Responder options for every connection (role is implied); the borrowed keys must outlive the
  // Listener.
  ChannelOptions channel;
  // Handshakes in flight at once. When one more connection arrives at the cap, the OLDEST
  // handshake in flight is closed at once to make room (see Listener for why not the newest).
  std::size_t max_handshakes = 64;
  // Each kind of failure is logged at most once per interval.
  std::chrono::milliseconds log_interval{60000};
  LogLimiter::Sink log_sink;  // empty: spdlog warn
};

// Counters since the listener opened (tests and status output).
struct ListenerStats {
  std::uint64_t accepted = 0;     // TCP connections accepted
  std::uint64_t established = 0;  // handed to the callback
  std::uint64_t evicted = 0;      // closed to stay under max_handshakes
  std::uint64_t refused_psk = 0;  // kAuth: wrong PSK or prologue, or a tampered message
  std::uint64_t refused_key = 0;  // kForbidden: authorize() said no
  std::uint64_t timed_out = 0;    // kUnavailable: the handshake deadline passed
  std::uint64_t malformed = 0;    // kCorrupt / kTooLarge frames
  std::uint64_t dropped = 0;      // kIo: the peer closed or reset the connection, or stop()
  std::size_t in_flight = 0;      // handshakes running now
};

namespace detail {
struct ListenerState;  // the acceptor and the handshakes in flight (listener.cpp)
}  // namespace detail

// Receives each authenticated channel, on the listener's executor. Takes ownership.
using ChannelHandler = std::function<void(Channel)>;

// Owns the acceptor and every handshake in flight.
//
// Executor: single-threaded (one io_context thread or a strand); open(), run(), stop() and the
// accessors must all be called on it.
//
// At the cap the oldest handshake is evicted rather than the new connection refused: with
// "refuse new", 64 idle connections renewed every 5 s would lock real peers out for good, while
// with "evict oldest" an attacker must open connections faster than a real handshake completes
// (a round trip and a few DH operations) to keep one out.
//
// Lifetime: stop() before destroying, then let the io_context run until run() and the
// handshakes in flight have returned (they end at once on stop()). Handshake coroutines share
// the listener's bookkeeping through a shared_ptr, so one still unwinding after the Listener is
// gone touches nothing freed.
class Listener {
 public:
  // Binds and listens (SO_REUSEADDR; an IPv6 wildcard also accepts IPv4 where the OS allows).
  // kIo when the address is in use or not available.
  static Result<std::unique_ptr<Listener>> open(asio::any_io_executor executor,
                                                const tcp::endpoint& endpoint,
                                                ListenerOptions options, ChannelHandler on_channel);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Accepts until stop(); spawns one handshake coroutine per connection and a log-flush timer.
  // Never throws. Call once.
  awaitable<void> run();
  // Closes the acceptor and ends every handshake in flight. Idempotent.
  void stop();

  // Sets the responder's fallback PSK for handshakes accepted from now on (nullptr: none). The
  // key is borrowed like ChannelOptions::psk.
  void set_psk_previous(const crypto::SymmetricKey* key);

  // The bound address (with the real port when bound to port 0).
  tcp::endpoint local_endpoint() const;
  ListenerStats stats() const;
  // The rate-limited log of failures (tests read its counts).
  const LogLimiter& log() const;

 private:
  explicit Listener(std::shared_ptr<detail::ListenerState> shared);
  std::shared_ptr<detail::ListenerState> shared_;
};

}  // namespace tandem::wire
