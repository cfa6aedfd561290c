// Rate limits for log lines that the network can trigger at will (send failures, junk datagrams):
// a kind is logged the first time, then at most once per interval, with how many were held back.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::discovery {

// Not thread-safe: one owner on one executor. Time is passed in, so tests control it.
class LogGate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogGate(Clock::duration interval) : interval_(interval) {}

  // Counts one event of `kind`. Returns the number of earlier events held back since the last
  // line (0 for the first) when a line should be written now, nullopt when it should not.
  std::optional<std::uint64_t> admit(std::string_view kind, Clock::time_point now);

 private:
  struct Kind {
    Clock::time_point last;
    std::uint64_t held = 0;
  };
  Clock::duration interval_;
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace tandem::discovery
