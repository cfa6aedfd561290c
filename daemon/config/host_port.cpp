#include "daemon/config/host_port.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace tandem::config {
namespace {

bool is_ipv4(const std::string& s) {
  in_addr a;
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a;
  return ::inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c == '-' && label > 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

Error bad(std::string_view text, const std::string& why) {
  return Error{Code::kInvalidArgument, "bad address \"" + std::string(text) + "\": " + why};
}

// Splits HOST:PORT or [V6]:PORT; checks the port is a number in [min_port, 65535].
Result<HostPort> split(std::string_view text, unsigned min_port) {
  HostPort out;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad(text, "expected [IPV6]:PORT");
    }
    out.host = std::string(text.substr(1, close - 1));
    if (!is_ipv6(out.host)) return bad(text, "not an IPv6 address inside the brackets");
    out.is_ipv6 = true;
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(text, "expected HOST:PORT");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return bad(text, "write an IPv6 address in brackets, e.g. [::1]:7470");
    }
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535 ||
      value < min_port) {
    return bad(text, "the port must be a number from " + std::to_string(min_port) + " to 65535");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace

std::string HostPort::to_string() const {
  return (is_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> parse_listen_address(std::string_view text) {
  auto hp = split(text, 0);
  if (!hp) return hp;
  if (!hp->is_ipv6 && !is_ipv4(hp->host)) {
    return bad(text, "listen needs an IP address, e.g. 0.0.0.0:7470 or [::]:7470");
  }
  return hp;
}

Result<HostPort> parse_peer_address(std::string_view text) {
  auto hp = split(text, 1);
  if (!hp) return hp;
  if (!hp->is_ipv6 && !is_ipv4(hp->host) && !is_dns_name(hp->host)) {
    return bad(text, "not an IP address or a host name");
  }
  return hp;
}

}  // namespace tandem::config
