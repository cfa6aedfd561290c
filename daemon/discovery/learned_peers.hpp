// The addresses peers announced for themselves (learned from their hellos), as the store's meta
// "learned-peers" keeps them so that they are dialled again after a restart: one line per device,
// "DEVICE-HEX ADDRESS\n". The addresses were chosen by peers, so the text is read as untrusted.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tandem::discovery {

// Device id (a store::DeviceId: 8 bytes) to the address it accepts peers at.
using LearnedPeers = std::map<std::array<std::uint8_t, 8>, std::string>;

// Reads the stored text. Lines without a space or whose device is not 16 hex digits are skipped;
// for a device listed twice the last line wins. The address is taken as it is (it is checked when
// dialled). Never fails; linear in the text's size.
LearnedPeers parse_learned_peers(std::string_view text);

// The text parse_learned_peers() reads back to `peers`. Precondition: no address holds '\n'.
std::string format_learned_peers(const LearnedPeers& peers);

}  // namespace tandem::discovery
