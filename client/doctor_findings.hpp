// What `tandem doctor` reports, and the pure rules that turn a measurement into a finding. Each
// rule returns a finding whose level says how bad it is; every finding that is not ok carries the
// fix a user can run or follow. Kept free of I/O so the thresholds are tested directly.
#pragma once

#include <cstdint>
#include <string>

namespace tandem::client::doctor {

enum class Level { kOk, kWarn, kFail };

// "ok", "warn" or "fail": the status word of the JSON output.
const char* level_name(Level level);

struct Finding {
  std::string check;  // what was checked: "socket", "peer Laptop (Sam)"
  Level level = Level::kOk;
  std::string detail;  // what was found
  std::string fix;     // what to do about it; empty only when level is kOk
};

// Clocks further apart than this (either way) get a warning: the report's dates and the
// "last seen" times come out wrong, and hybrid clocks drift ahead.
inline constexpr std::int64_t kClockSkewWarnMs = 2 * 60 * 1000;

// The clock check for a connected peer `name` whose clock is `skew_ms` ahead of ours (negative:
// behind): ok within kClockSkewWarnMs, else a warning with how to fix it.
Finding clock_finding(const std::string& name, std::int64_t skew_ms);

// A peer not seen for longer than this gets the "entries wait" wording.
inline constexpr std::int64_t kPeerStaleMs = 7LL * 24 * 60 * 60 * 1000;

// The check of one paired (not revoked) device `name`. `last_seen_ms` is 0 for never; `now_ms` is
// this device's clock. Connected is ok; anything else is a warning (entries wait until it
// connects) whose fix says how to bring it back.
Finding peer_finding(const std::string& name, bool connected, std::uint32_t rtt_ms,
                     std::uint64_t last_seen_ms, std::int64_t now_ms);

// Free space below these, on the data directory's file system: fail, then warn.
inline constexpr std::uint64_t kDiskFailBytes = 16ULL << 20;
inline constexpr std::uint64_t kDiskWarnBytes = 100ULL << 20;

// The disk check of `path` with `free_bytes` available to this user.
Finding disk_finding(const std::string& path, std::uint64_t free_bytes);

// The listen check: `listen` is the address tandemd reports (empty: not listening) and
// `reachable` whether a TCP connection to it succeeded.
Finding listen_finding(const std::string& listen, bool reachable);

}  // namespace tandem::client::doctor
