#include "client/doctor_findings.hpp"

namespace tandem::client::doctor {
namespace {

std::string peer_fix(const std::string& name) {
  return "start tandemd on " + name +
         " and keep it on this network (LAN discovery finds it); on another network: "
         "tandem peer add HOST:PORT";
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::kOk:
      return "ok";
    case Level::kWarn:
      return "warn";
    case Level::kFail:
      return "fail";
  }
  return "fail";
}

Finding clock_finding(const std::string& name, std::int64_t skew_ms) {
  const std::string check = "clock " + name;
  if (skew_ms <= kClockSkewWarnMs && skew_ms >= -kClockSkewWarnMs) {
    return {check, Level::kOk,
            "clocks agree within " + std::to_string(kClockSkewWarnMs / 1000) + " s", ""};
  }
  const std::string way = skew_ms > 0 ? "ahead of" : "behind";
  const std::int64_t secs = (skew_ms > 0 ? skew_ms : -skew_ms) / 1000;
  return {check, Level::kWarn,
          "its clock is about " + std::to_string(secs) + " s " + way + " this device's",
          "turn on time synchronisation (systemd-timesyncd or chrony) on both devices"};
}

Finding peer_finding(const std::string& name, bool connected, std::uint32_t rtt_ms,
                     std::uint64_t last_seen_ms, std::int64_t now_ms) {
  const std::string check = "peer " + name;
  if (connected) {
    return {check, Level::kOk, "connected, round trip " + std::to_string(rtt_ms) + " ms", ""};
  }
  if (last_seen_ms == 0) {
    return {check, Level::kWarn, "never seen: no entries have been exchanged with it",
            peer_fix(name)};
  }
  const std::int64_t ago = now_ms - static_cast<std::int64_t>(last_seen_ms);
  if (ago > kPeerStaleMs) {
    return {check, Level::kWarn,
            "not seen for " + std::to_string(ago / (24 * 60 * 60 * 1000)) +
                " days: entries written since wait on each side",
            peer_fix(name)};
  }
  const std::int64_t minutes = ago > 0 ? ago / 60000 : 0;
  return {check, Level::kWarn,
          "not connected, last seen " + std::to_string(minutes) + " minutes ago", peer_fix(name)};
}

Finding disk_finding(const std::string& path, std::uint64_t free_bytes) {
  const std::string detail = std::to_string(free_bytes >> 20) + " MB free for " + path;
  if (free_bytes < kDiskFailBytes) {
    return {"disk", Level::kFail, detail + ": tandemd is about to refuse writes",
            "free space on that file system now: new entries are refused until there is room"};
  }
  if (free_bytes < kDiskWarnBytes) {
    return {"disk", Level::kWarn, detail,
            "free some space: writes are refused cleanly once the disk is full"};
  }
  return {"disk", Level::kOk, detail, ""};
}

Finding listen_finding(const std::string& listen, bool reachable) {
  if (listen.empty()) {
    return {"listen", Level::kFail, "not listening for peers",
            "check tandemd's log (journalctl --user -u tandemd) and the listen address in "
            "tandemd.toml, then restart tandemd"};
  }
  if (reachable) return {"listen", Level::kOk, "peers can connect to " + listen, ""};
  return {"listen", Level::kFail, listen + " does not accept connections",
          "check the listen address in tandemd.toml and any firewall, then restart tandemd"};
}

}  // namespace tandem::client::doctor
