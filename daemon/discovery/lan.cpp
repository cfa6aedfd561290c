#include "daemon/discovery/lan.hpp"

#include "daemon/discovery/log_gate.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <optional>

namespace tandem::discovery {
namespace {

using namespace std::chrono_literals;
constexpr auto kLogInterval = 10min;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void gated_log(LogGate& gate, spdlog::level::level_enum level, const std::string& kind) {
  if (auto held = gate.admit(kind, LogGate::Clock::now())) {
    if (*held == 0) {
      spdlog::log(level, "discovery: {}", kind);
    } else {
      spdlog::log(level, "discovery: {} ({} more since the last report)", kind, *held);
    }
  }
}

std::chrono::milliseconds jittered(const SenderOptions& o, const RandomFill& random) {
  const double j = std::clamp(o.jitter, 0.0, 1.0);
  const double u = static_cast<double>(uniform(random, 1'000'001)) / 1'000'000.0;  // [0, 1]
  const double ms = static_cast<double>(o.interval.count()) * (1.0 - j + 2.0 * j * u);
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(ms)));
}

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

}  // namespace

std::vector<udp::endpoint> default_beacon_destinations() {
  return {udp::endpoint(asio::ip::address_v4::broadcast(), kDefaultBeaconPort),
          udp::endpoint(asio::ip::make_address_v6("ff02::1"), kDefaultBeaconPort)};
}

std::vector<udp::endpoint> default_beacon_listen() {
  return {udp::endpoint(asio::ip::address_v4::any(), kDefaultBeaconPort),
          udp::endpoint(asio::ip::address_v6::any(), kDefaultBeaconPort)};
}

// ---- sender ----

struct BeaconSender::State {
  State(asio::any_io_executor ex, SenderOptions o, const BeaconScope& s, const Clock& c,
        RandomFill r)
      : options(std::move(o)),
        scope(s),
        clock(c),
        random(std::move(r)),
        timer(ex),
        v4(ex),
        v6(ex) {}

  SenderOptions options;
  const BeaconScope& scope;  // only touched while !stopped, i.e. while the owner is alive
  const Clock& clock;
  RandomFill random;
  asio::steady_timer timer;
  udp::socket v4;
  udp::socket v6;
  LogGate gate{kLogInterval};
  bool stopped = false;
  std::uint64_t sent = 0;

  void send_all() {
    const BeaconBytes bytes = encode(scope.make(clock.now_ms(), options.advertised_port));
    for (const udp::endpoint& to : options.destinations) {
      udp::socket& s = to.address().is_v4() ? v4 : v6;
      if (!s.is_open()) continue;
      boost::system::error_code ec;
      s.send_to(asio::buffer(bytes), to, 0, ec);
      if (ec) {
        gated_log(gate, spdlog::level::info,
                  "cannot send beacons to " + to.address().to_string() + ": " + ec.message());
      } else {
        ++sent;
      }
    }
  }
};

namespace {

awaitable<void> run_sender(std::shared_ptr<BeaconSender::State> s) {
  while (!s->stopped) {
    s->send_all();
    s->timer.expires_after(jittered(s->options, s->random));
    auto [ec] = co_await s->timer.async_wait(use_tuple);
    if (ec) co_return;
  }
}

Status open_udp(udp::socket& s, const udp& protocol, bool broadcast) {
  boost::system::error_code ec;
  s.open(protocol, ec);
  if (!ec && broadcast) s.set_option(asio::socket_base::broadcast(true), ec);
  if (!ec) s.non_blocking(true, ec);
  if (ec) {
    s.close(ec);
    return Status(Code::kIo, ec.message());
  }
  return Status::Ok();
}

}  // namespace

BeaconSender::BeaconSender(asio::any_io_executor executor, SenderOptions options,
                           const BeaconScope& scope, const Clock& clock, RandomFill random)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), scope, clock,
                                     std::move(random))) {}

BeaconSender::~BeaconSender() {
  stop();
}

Status BeaconSender::start() {
  State& s = *state_;
  bool any = false;
  std::string why;
  bool want_v4 = false, want_v6 = false;
  for (const auto& d : s.options.destinations) (d.address().is_v4() ? want_v4 : want_v6) = true;
  if (want_v4) {
    Status st = open_udp(s.v4, udp::v4(), true);
    any |= st.ok();
    if (!st) why += "IPv4: " + st.error().message + "; ";
  }
  if (want_v6) {
    Status st = open_udp(s.v6, udp::v6(), false);
    any |= st.ok();
    if (!st) why += "IPv6: " + st.error().message + "; ";
  }
  if (!why.empty()) spdlog::info("discovery: beacon sender: {}", why);
  if (!any) return Status(Code::kIo, "no UDP socket for beacons: " + why);
  asio::co_spawn(s.timer.get_executor(), run_sender(state_), asio::detached);
  return Status::Ok();
}

void BeaconSender::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ec;
  state_->timer.cancel();
  state_->v4.close(ec);
  state_->v6.close(ec);
}

std::uint64_t BeaconSender::sent() const {
  return state_->sent;
}

// ---- listener ----

struct BeaconListener::State {
  State(asio::any_io_executor ex, ListenerOptions o, const BeaconScope& s, const Clock& c,
        CandidateHandler h)
      : executor(std::move(ex)),
        options(std::move(o)),
        scope(s),
        clock(c),
        on_candidate(std::move(h)) {}

  asio::any_io_executor executor;
  ListenerOptions options;
  const BeaconScope& scope;  // only touched while !stopped
  const Clock& clock;
  CandidateHandler on_candidate;
  std::vector<std::unique_ptr<udp::socket>> sockets;
  LogGate gate{kLogInterval};
  bool stopped = false;
};

namespace {

awaitable<void> run_receiver(std::shared_ptr<BeaconListener::State> s, udp::socket& socket) {
  // Larger than a beacon, so an oversized datagram shows as the wrong size, not as a beacon.
  std::array<std::uint8_t, 64> buf{};
  udp::endpoint from;
  asio::steady_timer pause(s->executor);
  while (!s->stopped) {
    auto [ec, n] = co_await socket.async_receive_from(asio::buffer(buf), from, use_tuple);
    if (s->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // ICMP errors surface here; pause briefly so a persistent one cannot spin the loop.
      gated_log(s->gate, spdlog::level::debug, "beacon receive failed: " + ec.message());
      pause.expires_after(100ms);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    auto decoded = decode(ByteView(buf.data(), n));
    if (auto* e = std::get_if<BeaconError>(&decoded)) {
      gated_log(s->gate, spdlog::level::debug,
                std::string("datagram on the beacon port dropped: ") + beacon_error_name(*e));
      continue;
    }
    const Beacon& b = std::get<Beacon>(decoded);
    if (b.port == 0 || !s->scope.accepts(b, s->clock.now_ms())) continue;
    if (s->on_candidate) s->on_candidate(Candidate{unmapped(from.address()), b.port, b.kind});
  }
}

}  // namespace

BeaconListener::BeaconListener(asio::any_io_executor executor, ListenerOptions options,
                               const BeaconScope& scope, const Clock& clock,
                               CandidateHandler on_candidate)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), scope, clock,
                                     std::move(on_candidate))) {}

BeaconListener::~BeaconListener() {
  stop();
}

Status BeaconListener::start() {
  State& s = *state_;
  std::string why;
  for (const udp::endpoint& at : s.options.listen) {
    auto socket = std::make_unique<udp::socket>(s.executor);
    boost::system::error_code ec;
    socket->open(at.protocol(), ec);
    if (!ec) socket->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && at.address().is_v6()) socket->set_option(asio::ip::v6_only(true), ec);
    if (!ec) socket->bind(at, ec);
    if (ec) {
      why += "cannot listen for beacons on " + at.address().to_string() + " port " +
             std::to_string(at.port()) + ": " + ec.message() + "; ";
      continue;
    }
    s.sockets.push_back(std::move(socket));
  }
  if (!why.empty()) spdlog::info("discovery: {}", why);
  if (s.sockets.empty()) return Status(Code::kIo, why.empty() ? "no listen endpoint" : why);
  for (auto& socket : s.sockets) {
    asio::co_spawn(s.executor, run_receiver(state_, *socket), asio::detached);
  }
  return Status::Ok();
}

void BeaconListener::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ec;
  for (auto& socket : state_->sockets) socket->close(ec);
}

std::vector<udp::endpoint> BeaconListener::local_endpoints() const {
  std::vector<udp::endpoint> out;
  for (const auto& socket : state_->sockets) {
    boost::system::error_code ec;
    auto ep = socket->local_endpoint(ec);
    if (!ec) out.push_back(ep);
  }
  return out;
}

}  // namespace tandem::discovery
