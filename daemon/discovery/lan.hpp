// Beacons over UDP on the LAN: a sender that announces this device, and a listener that turns
// matching beacons into candidate endpoints. Never connects: the sync module decides what to do
// with a candidate (and finds out at the Noise handshake whether it is really a member; a beacon
// proves nothing, anyone can replay one).
//
// Threading: each object lives on one executor (the daemon's network io_context thread); call
// every method there. Both run coroutines that hold their state by shared_ptr, so destroying the
// object (which stops it) while an operation is pending is safe.
#pragma once

#include "daemon/base/clock.hpp"
#include "daemon/base/result.hpp"
#include "daemon/discovery/asio.hpp"
#include "daemon/discovery/beacon.hpp"
#include "daemon/discovery/random.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace tandem::discovery {

inline constexpr std::uint16_t kDefaultBeaconPort = 7471;

// IPv4 broadcast 255.255.255.255 and IPv6 all-nodes ff02::1, both on kDefaultBeaconPort.
std::vector<udp::endpoint> default_beacon_destinations();
// 0.0.0.0 and [::] (IPv6 only), both on kDefaultBeaconPort.
std::vector<udp::endpoint> default_beacon_listen();

struct SenderOptions {
  std::vector<udp::endpoint> destinations = default_beacon_destinations();
  std::uint16_t advertised_port = 0;  // the TCP port peers should connect to
  std::chrono::milliseconds interval{15000};
  double jitter = 0.2;  // each wait is uniform in interval * [1-j, 1+j]
};

// Sends this device's beacon to every destination at once and then every interval (jittered), for
// as long as it runs. Send failures ("network unreachable" with no network, a missing IPv6 route)
// are expected: each kind is logged once, then at most once per 10 minutes with a count.
class BeaconSender {
 public:
  // Borrows `scope` and `clock`: both must outlive the sender.
  BeaconSender(asio::any_io_executor executor, SenderOptions options, const BeaconScope& scope,
               const Clock& clock, RandomFill random);
  ~BeaconSender();
  BeaconSender(const BeaconSender&) = delete;
  BeaconSender& operator=(const BeaconSender&) = delete;

  // Opens the sockets and starts the loop. Fails with kIo only when no socket could be opened
  // for any destination's protocol. Call once.
  Status start();
  // Stops the loop and closes the sockets. Idempotent; also done by the destructor.
  void stop();
  // Datagrams the OS accepted so far (tests).
  std::uint64_t sent() const;

  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with the running coroutine, which may outlive *this
};

// A device that may be a peer: the beacon's source address and the TCP port it advertised.
struct Candidate {
  asio::ip::address address;
  std::uint16_t port = 0;
  BeaconKind kind = BeaconKind::kSpace;
};
using CandidateHandler = std::function<void(const Candidate&)>;

struct ListenerOptions {
  std::vector<udp::endpoint> listen = default_beacon_listen();
};

// Listens for beacons and calls `on_candidate` (on the executor) for each one `scope` accepts.
// Beacons of other spaces, malformed datagrams and stale tags are dropped without a word (at most
// a rate-limited debug line). It also hears this device's own beacons; the connecting side drops
// a candidate that turns out to be itself at the handshake.
class BeaconListener {
 public:
  // Borrows `scope` and `clock`: both must outlive the listener.
  BeaconListener(asio::any_io_executor executor, ListenerOptions options, const BeaconScope& scope,
                 const Clock& clock, CandidateHandler on_candidate);
  ~BeaconListener();
  BeaconListener(const BeaconListener&) = delete;
  BeaconListener& operator=(const BeaconListener&) = delete;

  // Binds every listen endpoint (with SO_REUSEADDR, so several daemons on one host can listen)
  // and starts receiving. Endpoints that fail to bind are logged and skipped; fails with kIo
  // only when none could be bound. Call once.
  Status start();
  void stop();
  // The bound endpoints, with the port the OS chose for port 0 (tests).
  std::vector<udp::endpoint> local_endpoints() const;

  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with the receive coroutines, which may outlive *this
};

}  // namespace tandem::discovery
