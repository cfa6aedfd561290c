// Fuzzes discovery's parsers of bytes and text from outside: LAN beacons (any UDP datagram a
// stranger sends) through discovery::decode and the space and pairing scopes that recognise
// them, and pairing codes as a person types them (discovery::parse). A decoded beacon must
// re-encode to the same 23 bytes; a parsed code must survive format() and parse() again.
#include "daemon/discovery/beacon.hpp"
#include "daemon/discovery/pairing_code.hpp"
#include "tests/fuzz/fixtures.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

using namespace tandem;
using namespace tandem::discovery;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  static const BeaconScope space = BeaconScope::space(beacon_key(fuzz::fixed_secret<32>(0x81), 1));
  static const BeaconScope pairing = BeaconScope::pairing(17);

  auto decoded = decode(bytes);
  if (auto* b = std::get_if<Beacon>(&decoded)) {
    if (size != kBeaconSize) std::abort();
    const auto again = encode(*b);
    if (!std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
    const bool mine = space.accepts(*b, fuzz::kNowMs);
    const bool pair = pairing.accepts(*b, fuzz::kNowMs);
    if (mine && pair) std::abort();  // a beacon is of one kind
    if (mine && b->kind != BeaconKind::kSpace) std::abort();
  } else if (size == kBeaconSize && std::get<BeaconError>(decoded) == BeaconError::kWrongSize) {
    std::abort();
  }

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto code = parse(text)) {
    if (code->channel < kMinChannel || code->channel > kMaxChannel) std::abort();
    auto again = parse(format(*code));
    if (!again || !(*again == *code) || prs(*code) != prs(*again)) std::abort();
  }
  return 0;
}
