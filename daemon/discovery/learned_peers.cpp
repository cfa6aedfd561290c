#include "daemon/discovery/learned_peers.hpp"

#include "daemon/base/bytes.hpp"

#include <algorithm>

namespace tandem::discovery {

LearnedPeers parse_learned_peers(std::string_view all) {
  LearnedPeers out;
  std::size_t pos = 0;
  while (pos < all.size()) {
    auto nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    const std::string_view line = all.substr(pos, nl - pos);
    pos = nl + 1;
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    auto id = from_hex(line.substr(0, sp));
    LearnedPeers::key_type dev{};
    if (!id || id->size() != dev.size()) continue;
    std::copy(id->begin(), id->end(), dev.begin());
    out[dev] = std::string(line.substr(sp + 1));
  }
  return out;
}

std::string format_learned_peers(const LearnedPeers& peers) {
  std::string text;
  for (const auto& [dev, address] : peers) text += to_hex(dev) + " " + address + "\n";
  return text;
}

}  // namespace tandem::discovery
