// Network::reconfigure: a SIGHUP's static peers and discovery applied to the running network.
#include "daemon/app/network.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tandem::app {

void Network::reconfigure(std::vector<std::string> peers, bool discovery) {
  if (stopped_) return;
  std::vector<std::string> old = std::move(options_.peers);
  options_.peers = std::move(peers);
  const bool was_discovering = options_.discovery;
  options_.discovery = discovery;
  if (!started_) return;  // start() reads options_ when the space exists
  auto listed = [](const std::vector<std::string>& list, const std::string& p) {
    return std::find(list.begin(), list.end(), p) != list.end();
  };
  for (const auto& p : old) {
    if (listed(options_.peers, p)) continue;
    if (stop_dialing_unless_wanted(p)) {
      spdlog::info("static peer {} left the config file: no longer dialled", p);
    } else {
      spdlog::info(
          "static peer {} left the config file; still dialled (a stored peer or a "
          "device's last address)",
          p);
    }
  }
  for (const auto& p : options_.peers) {
    if (listed(old, p)) continue;
    spdlog::info("static peer {} added by the config file: dialling it", p);
    ensure_dialing(p);
  }
  if (discovery && !was_discovering) {
    spdlog::info("LAN discovery on: sending and listening for beacons");
    start_beacons();
  } else if (!discovery && was_discovering) {
    spdlog::info("LAN discovery off: beacons stopped");
    stop_beacons();
    // Addresses only a beacon gave are not dialled again; a device's learned address still is.
    for (const auto& at : discovered_) stop_dialing_unless_wanted(at);
    discovered_.clear();
  }
}

bool Network::stop_dialing_unless_wanted(const std::string& address) {
  if (std::find(options_.peers.begin(), options_.peers.end(), address) != options_.peers.end())
    return false;
  if (auto stored = stored_peers();
      stored && std::find(stored->begin(), stored->end(), address) != stored->end())
    return false;
  for (const auto& [dev, a] : learned_) {
    if (a == address) return false;
  }
  dialing_.erase(address);  // its dial loop ends at its next turn
  return true;
}

}  // namespace tandem::app
