#include "daemon/discovery/peers.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tandem::discovery {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool parse_port(std::string_view s, std::uint16_t& port) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 1 || v > 65535)
    return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

bool valid_host_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : h) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else {
      const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
      if (!alnum && c != '-') return false;
      if (c == '-' && label == 0) return false;
      if (++label > 63) return false;
    }
    prev = c;
  }
  return prev != '-';  // a trailing '.' (the DNS root) is allowed
}

}  // namespace

const char* address_error_name(AddressError e) {
  switch (e) {
    case AddressError::kEmpty:
      return "empty entry";
    case AddressError::kMissingPort:
      return "missing :PORT";
    case AddressError::kBadPort:
      return "port must be a number from 1 to 65535";
    case AddressError::kBadHost:
      return "not a valid host name or address";
    case AddressError::kBadIpv6:
      return "not a valid IPv6 address in [brackets]";
    case AddressError::kUnbracketedV6:
      return "write IPv6 addresses in brackets, like [fd00::1]:7470";
  }
  return "unknown";
}

std::variant<PeerAddress, AddressError> parse_peer_address(std::string_view text) {
  text = trim(text);
  if (text.empty()) return AddressError::kEmpty;
  PeerAddress out;
  std::string_view port;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return AddressError::kBadIpv6;
    const std::string host(text.substr(1, close - 1));
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(host, ec);
    if (ec || host.empty()) return AddressError::kBadIpv6;
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest == ":") return AddressError::kMissingPort;
    if (rest.front() != ':') return AddressError::kBadIpv6;
    out.host = host;
    out.ipv6 = true;
    port = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return AddressError::kMissingPort;
    if (text.find(':') != colon) return AddressError::kUnbracketedV6;
    if (!valid_host_name(text.substr(0, colon))) return AddressError::kBadHost;
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (port.empty()) return AddressError::kMissingPort;
  }
  if (!parse_port(port, out.port)) return AddressError::kBadPort;
  return out;
}

Result<PeerAddress> parse_peer(std::string_view text) {
  auto parsed = parse_peer_address(text);
  if (auto* e = std::get_if<AddressError>(&parsed)) {
    std::string shown(trim(text).substr(0, 300));
    return Error{Code::kInvalidArgument, "peer address '" + shown + "': " + address_error_name(*e)};
  }
  return std::get<PeerAddress>(std::move(parsed));
}

std::string format_peer_address(const PeerAddress& a) {
  const std::string port = std::to_string(a.port);
  return a.ipv6 ? "[" + a.host + "]:" + port : a.host + ":" + port;
}

std::chrono::milliseconds backoff_ceiling(unsigned attempt, const BackoffPolicy& policy) {
  using std::chrono::milliseconds;
  const auto cap = static_cast<std::uint64_t>(std::max<milliseconds::rep>(policy.cap.count(), 0));
  std::uint64_t d = static_cast<std::uint64_t>(std::max<milliseconds::rep>(policy.base.count(), 0));
  const std::uint64_t factor = std::max(policy.factor, 1u);
  for (unsigned i = 0; i < attempt && d < cap; ++i) {
    d = d > cap / factor ? cap : d * factor;  // stops multiplying before it could overflow
  }
  return milliseconds(static_cast<milliseconds::rep>(std::min(d, cap)));
}

std::chrono::milliseconds next_delay(unsigned attempt, const RandomFill& random,
                                     const BackoffPolicy& policy) {
  const auto ceiling = static_cast<std::uint64_t>(backoff_ceiling(attempt, policy).count());
  return std::chrono::milliseconds(
      static_cast<std::chrono::milliseconds::rep>(uniform(random, ceiling + 1)));
}

}  // namespace tandem::discovery
