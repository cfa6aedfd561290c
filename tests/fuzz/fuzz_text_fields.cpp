// Fuzzes the small parsers of untrusted text and meta fields, one per input, picked by the first
// byte (mod 7); the rest of the input is the text:
//   0 discovery::parse_peer: HOST:PORT from the API's peerAdd/pairJoin and the stored peers
//   1 discovery::parse_learned_peers: the stored "learned-peers" meta (addresses peers announced)
//   2 sync::decode_known_frontier: the stored "known/<device>" meta (binary)
//   3 store::parse_entry_id: entry ids in API requests
//   4 insight::parse_window: a report request's window, since and until (split at '\n')
//   5 insight::parse_iso_date
//   6 insight::parse_iso_week
// Whatever parses must format back to a canonical text that parses to the same value (and, where
// the format has one spelling, to the input itself); nothing may crash, and every parser is linear
// in its input.
#include "daemon/discovery/learned_peers.hpp"
#include "daemon/discovery/peers.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/request.hpp"
#include "daemon/store/record.hpp"
#include "daemon/sync/known.hpp"
#include "tests/fuzz/fixtures.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

using namespace tandem;

namespace {

// The day the report parser takes as today: the fuzz clock's day.
constexpr std::int32_t kToday = static_cast<std::int32_t>(fuzz::kNowMs / 86'400'000);

void peer(std::string_view text) {
  auto variant = discovery::parse_peer_address(text);
  auto r = discovery::parse_peer(text);
  if (r.ok() != std::holds_alternative<discovery::PeerAddress>(variant)) std::abort();
  if (!r) {
    if (r.error().code != Code::kInvalidArgument) std::abort();
    return;
  }
  if (r->port == 0 || r->host.empty()) std::abort();
  const std::string canonical = discovery::format_peer_address(*r);
  auto again = discovery::parse_peer(canonical);
  if (!again || *again != *r) std::abort();
  if (discovery::format_peer_address(*again) != canonical) std::abort();
}

void learned(std::string_view text) {
  const auto peers = discovery::parse_learned_peers(text);
  for (const auto& [dev, address] : peers) {
    if (address.find('\n') != std::string::npos) std::abort();
  }
  const std::string canonical = discovery::format_learned_peers(peers);
  if (canonical.size() > text.size() + peers.size()) std::abort();  // at most a '\n' added each
  if (discovery::parse_learned_peers(canonical) != peers) std::abort();
}

void known(ByteView bytes) {
  auto f = sync::decode_known_frontier(bytes);
  if (!f) {
    if (f.error().code != Code::kCorrupt || bytes.size() % 16 == 0) std::abort();
    return;
  }
  const Bytes canonical = sync::encode_known_frontier(*f);
  if (canonical.size() > bytes.size()) std::abort();
  auto again = sync::decode_known_frontier(canonical);
  if (!again || *again != *f) std::abort();
}

void entry_id(std::string_view text) {
  auto id = store::parse_entry_id(text);
  if (!id) return;
  if (id->second == 0) std::abort();
  const std::string canonical = store::entry_id(id->first, id->second);
  auto again = store::parse_entry_id(canonical);
  if (!again || *again != *id) std::abort();
  if (canonical.size() > text.size()) std::abort();  // the input may only be a longer spelling
}

void window(std::string_view text) {
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    parts[i] = text.substr(0, nl);
    text.remove_prefix(nl + 1);
  }
  parts[2] = text;
  auto o = insight::parse_window(parts[0], parts[1], parts[2], kToday);
  if (!o) {
    if (o.error().code != Code::kInvalidArgument) std::abort();
    return;
  }
  if (!o->all_time && o->since_day > o->until_day) std::abort();
  // A window alone spans at most 520 weeks (its start on a Monday for "w").
  if (parts[1].empty() && !o->all_time && o->until_day - o->since_day >= 520 * 7 + 7) std::abort();
  if (!parts[2].empty() && insight::parse_iso_date(parts[2]) != o->until_day) std::abort();
  if (parts[2].empty() && o->until_day != kToday) std::abort();
}

void iso_date(std::string_view text) {
  auto d = insight::parse_iso_date(text);
  if (!d) return;
  // One spelling: digits only, zero-padded.
  if (insight::format_iso_date(*d) != text) std::abort();
}

void iso_week(std::string_view text) {
  auto w = insight::parse_iso_week(text);
  if (!w) return;
  const std::string canonical = insight::format_iso_week(*w);
  if (insight::parse_iso_week(canonical) != w) std::abort();
  if (canonical.substr(0, 4) != text.substr(0, 4)) std::abort();  // the same ISO year
  if (insight::week_of(insight::week_start(*w)) != *w) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView bytes(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  switch (data[0] % 7) {
    case 0:
      peer(text);
      break;
    case 1:
      learned(text);
      break;
    case 2:
      known(bytes);
      break;
    case 3:
      entry_id(text);
      break;
    case 4:
      window(text);
      break;
    case 5:
      iso_date(text);
      break;
    default:
      iso_week(text);
      break;
  }
  return 0;
}
