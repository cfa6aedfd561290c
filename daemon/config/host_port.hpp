// HOST:PORT endpoints as written in tandemd's flags and config file ("[::]:7470",
// "192.168.1.20:7470", "laptop.tailnet.ts.net:7470").
#pragma once

#include "daemon/base/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::config {

struct HostPort {
  std::string host;  // an IPv4 or IPv6 literal (without brackets) or a DNS name
  std::uint16_t port = 0;
  bool is_ipv6 = false;

  // Back to the written form, brackets around IPv6 literals.
  std::string to_string() const;
  bool operator==(const HostPort&) const = default;
};

// A socket address to bind: an IP literal and a port 0..65535 (0: any free port). Names are
// refused (binding must not depend on DNS). kInvalidArgument with a message saying what is wrong.
Result<HostPort> parse_listen_address(std::string_view text);

// A static peer: an IP literal or a DNS name, and a port 1..65535. Names are checked for shape
// only; they are resolved later, at each connection attempt. kInvalidArgument on a bad one.
Result<HostPort> parse_peer_address(std::string_view text);

}  // namespace tandem::config
