// Static peers and reconnection pacing (pure). The address book holds `host:port` entries for
// overlay networks (WireGuard, Tailscale) where LAN beacons do not reach; reconnection to any
// candidate follows an exponential backoff with full jitter, so two devices that lose each other
// at once do not retry in lockstep.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/discovery/random.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tandem::discovery {

// One address-book entry. `host` is a DNS name, an IPv4 literal or an IPv6 literal (stored
// without brackets; `ipv6` says which). Resolving it is the connecting module's job.
struct PeerAddress {
  std::string host;
  std::uint16_t port = 0;
  bool ipv6 = false;

  friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

enum class AddressError : std::uint8_t {
  kEmpty,          // nothing but spaces
  kMissingPort,    // "host" or "[::1]" without ":PORT"
  kBadPort,        // not a decimal number in 1..65535
  kBadHost,        // empty, too long, or a character a host name cannot have
  kBadIpv6,        // "[...]" that is not an IPv6 address, or a missing ']'
  kUnbracketedV6,  // "::1:7471": IPv6 literals must be written "[::1]:7471"
};
const char* address_error_name(AddressError e);

// Parses "HOST:PORT" or "[V6]:PORT" (surrounding spaces ignored). Host names follow RFC 1123:
// labels of letters, digits and '-', at most 63 characters each and 253 in all.
std::variant<PeerAddress, AddressError> parse_peer_address(std::string_view text);

// The same as a Result: kInvalidArgument with a message naming the entry and the problem.
Result<PeerAddress> parse_peer(std::string_view text);

// The entry's canonical text: "host:port" or "[v6]:port".
std::string format_peer_address(const PeerAddress& address);

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  unsigned factor = 2;
  // A minute: after a partition heals, the devices find each other within about a minute (the
  // fault matrix measured 94-171 s to reconnect with a five-minute cap); one TCP connect a
  // minute per known address is no load.
  std::chrono::milliseconds cap{60 * 1000};
};

// The largest delay before retry number `attempt` (0 for the first retry): min(cap, base *
// factor^attempt), without overflow however large `attempt` grows.
std::chrono::milliseconds backoff_ceiling(unsigned attempt, const BackoffPolicy& policy = {});

// "Full jitter": a delay drawn uniformly from [0, backoff_ceiling(attempt)], to the millisecond.
std::chrono::milliseconds next_delay(unsigned attempt, const RandomFill& random,
                                     const BackoffPolicy& policy = {});

}  // namespace tandem::discovery
