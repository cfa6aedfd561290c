#include "daemon/wire/listener.hpp"

#include "daemon/crypto/primitives.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <list>
#include <optional>
#include <string>

namespace tandem::wire {

using namespace asio::experimental::awaitable_operators;
using asio::as_tuple;
using asio::use_awaitable;
using SteadyClock = std::chrono::steady_clock;

// ---- Addresses ----------------------------------------------------------------------------

Result<tcp::endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  auto bad = [&](const char* why) {
    return Error{Code::kInvalidArgument, "wire: bad address '" + std::string(text) + "': " + why};
  };
  std::string_view host = text;
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']'");
      port_text = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }  // else: no port, or a bare IPv6 literal
  std::uint16_t port = default_port;
  if (port_text) {
    unsigned value = 0;
    auto [end, ec] =
        std::from_chars(port_text->data(), port_text->data() + port_text->size(), value);
    if (port_text->empty() || ec != std::errc() || end != port_text->data() + port_text->size() ||
        value > 65535)
      return bad("the port must be a number from 0 to 65535");
    port = static_cast<std::uint16_t>(value);
  }
  if (host.empty()) return bad("missing host");
  if (host == "localhost") return tcp::endpoint(asio::ip::address_v4::loopback(), port);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (ec) return bad("not an IP address (host names other than localhost are not resolved)");
  return tcp::endpoint(address, port);
}

// ---- Bookkeeping shared with the handshake coroutines ---------------------------------------

namespace {

struct Slot {
  explicit Slot(const asio::any_io_executor& ex) : cancel(ex, SteadyClock::time_point::max()) {}
  // Waited on beside the handshake; moving its expiry to the past ends the handshake (eviction or
  // stop), even when the wait has not started yet.
  asio::steady_timer cancel;
};

constexpr const char* kLogPsk =
    "peer handshakes refused: wrong space key (PSK) or tampered message";
constexpr const char* kLogKey = "peer handshakes refused: static key not in the roster";
constexpr const char* kLogTimeout = "peer handshakes dropped at the deadline";
constexpr const char* kLogMalformed = "peer handshakes refused: malformed frames";
constexpr const char* kLogDropped = "peer connections closed during the handshake";
constexpr const char* kLogEvicted = "peer handshakes evicted to stay under the cap";
constexpr const char* kLogInternal = "peer handshakes failed: internal error";
constexpr const char* kLogAccept = "accept() failed";

}  // namespace

struct detail::ListenerState {
  ListenerState(asio::any_io_executor ex, ListenerOptions o, ChannelHandler h)
      : executor(ex),
        acceptor(ex),
        options(std::move(o)),
        on_channel(std::move(h)),
        log(options.log_interval, options.log_sink),
        flush_timer(ex) {}

  void note(const char* kind) { log.note(kind, SteadyClock::now()); }
  void classify(const Error& e) {
    switch (e.code) {
      case Code::kAuth:
        ++stats.refused_psk;
        note(kLogPsk);
        break;
      case Code::kForbidden:
        ++stats.refused_key;
        note(kLogKey);
        break;
      case Code::kUnavailable:
        ++stats.timed_out;
        note(kLogTimeout);
        break;
      case Code::kCorrupt:
      case Code::kTooLarge:
        ++stats.malformed;
        note(kLogMalformed);
        break;
      case Code::kIo:
        ++stats.dropped;
        note(kLogDropped);
        break;
      default:
        note(kLogInternal);
        break;
    }
  }
  void forget(const std::shared_ptr<Slot>& slot) {
    auto it = std::find(slots.begin(), slots.end(), slot);
    if (it != slots.end()) slots.erase(it);
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  ListenerOptions options;
  ChannelHandler on_channel;
  LogLimiter log;
  asio::steady_timer flush_timer;
  ListenerStats stats;
  std::list<std::shared_ptr<Slot>> slots;  // handshakes in flight, oldest first
  bool stopped = false;
};

namespace {

// One connection's handshake. Holds `sh` (shared_ptr: it may outlive the Listener object while
// it unwinds after stop()).
awaitable<void> handshake(std::shared_ptr<detail::ListenerState> sh, std::shared_ptr<Slot> slot,
                          tcp::socket socket) {
  try {
    auto r = co_await (accept_handshake(std::move(socket), sh->options.channel) ||
                       slot->cancel.async_wait(as_tuple(use_awaitable)));
    sh->forget(slot);
    if (r.index() == 1) co_return;  // evicted or stopped: counted there
    auto& result = std::get<0>(r);
    if (!result) {
      sh->classify(result.error());
      co_return;
    }
    ++sh->stats.established;
    if (!sh->stopped && sh->on_channel) sh->on_channel(std::move(result).value());
  } catch (const std::exception& e) {
    sh->forget(slot);
    sh->note(kLogInternal);
    spdlog::debug("wire: handshake coroutine ended: {}", e.what());
  }
}

awaitable<void> flush_loop(std::shared_ptr<detail::ListenerState> sh) {
  try {
    while (!sh->stopped) {
      sh->flush_timer.expires_after(sh->options.log_interval);
      co_await sh->flush_timer.async_wait(as_tuple(use_awaitable));
      sh->log.flush(SteadyClock::now());
    }
  } catch (const std::exception& e) {
    spdlog::error("wire: log flush stopped: {}", e.what());
  }
}

}  // namespace

// ---- Listener ---------------------------------------------------------------------------------

Listener::Listener(std::shared_ptr<detail::ListenerState> shared) : shared_(std::move(shared)) {}

Listener::~Listener() {
  stop();
}

Result<std::unique_ptr<Listener>> Listener::open(asio::any_io_executor executor,
                                                 const tcp::endpoint& endpoint,
                                                 ListenerOptions options,
                                                 ChannelHandler on_channel) {
  if (options.max_handshakes == 0)
    return Error{Code::kInvalidArgument, "wire: max_handshakes must be at least 1"};
  if (options.log_interval.count() <= 0)
    return Error{Code::kInvalidArgument, "wire: log_interval must be positive"};
  // Derived once here rather than in every handshake.
  if (options.channel.local_static && !options.channel.local_static_public)
    options.channel.local_static_public = crypto::dh_public(*options.channel.local_static);
  auto sh =
      std::make_shared<detail::ListenerState>(executor, std::move(options), std::move(on_channel));
  boost::system::error_code ec;
  sh->acceptor.open(endpoint.protocol(), ec);
  if (!ec) sh->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  // The unspecified IPv6 address ([::], the default) serves IPv4 too, whatever the system's
  // net.ipv6.bindv6only says; a specific IPv6 address is IPv6 only by nature.
  if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified())
    sh->acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) sh->acceptor.bind(endpoint, ec);
  if (!ec) sh->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    return Error{Code::kIo, "wire: cannot listen on " + where + ": " + ec.message()};
  }
  return std::unique_ptr<Listener>(new Listener(std::move(sh)));
}

awaitable<void> Listener::run() {
  std::shared_ptr<detail::ListenerState> sh =
      shared_;  // the coroutine may outlive *this by a few steps
  try {
    asio::co_spawn(sh->executor, flush_loop(sh), asio::detached);
    asio::steady_timer backoff(sh->executor);
    while (!sh->stopped) {
      auto [ec, socket] = co_await sh->acceptor.async_accept(as_tuple(use_awaitable));
      if (sh->stopped) break;
      if (ec) {
        if (ec == asio::error::operation_aborted) break;
        sh->note(kLogAccept);
        // Out of descriptors or memory: give handshakes in flight a moment to finish.
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(as_tuple(use_awaitable));
        continue;
      }
      ++sh->stats.accepted;
      if (sh->slots.size() >= sh->options.max_handshakes) {
        std::shared_ptr<Slot> oldest = sh->slots.front();
        sh->slots.pop_front();
        oldest->cancel.expires_at(SteadyClock::time_point::min());
        ++sh->stats.evicted;
        sh->note(kLogEvicted);
      }
      auto slot = std::make_shared<Slot>(sh->executor);
      sh->slots.push_back(slot);
      asio::co_spawn(sh->executor, handshake(sh, slot, std::move(socket)), asio::detached);
    }
  } catch (const std::exception& e) {
    spdlog::error("wire: listener stopped: {}", e.what());
  }
  co_return;
}

void Listener::stop() {
  detail::ListenerState& sh = *shared_;
  if (sh.stopped) return;
  sh.stopped = true;
  boost::system::error_code ec;
  sh.acceptor.close(ec);
  sh.flush_timer.cancel();
  for (auto& slot : sh.slots) slot->cancel.expires_at(SteadyClock::time_point::min());
  sh.slots.clear();
  sh.log.flush(SteadyClock::now(), /*force=*/true);
}

tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ec;
  return shared_->acceptor.local_endpoint(ec);
}

void Listener::set_psk_previous(const crypto::SymmetricKey* key) {
  shared_->options.channel.psk_previous = key;
}

ListenerStats Listener::stats() const {
  ListenerStats s = shared_->stats;
  s.in_flight = shared_->slots.size();
  return s;
}

const LogLimiter& Listener::log() const {
  return shared_->log;
}

}  // namespace tandem::wire
