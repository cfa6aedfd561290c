// Rate-limited logging for events a stranger or a misbehaving client can trigger at will (refused
// connections, timeouts, oversized requests): each kind is counted, and reported at most once per
// interval as one line with the count, never once per event, so a flood cannot flood the journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace tandem {

// Not thread-safe: one owner, one executor (the peer listener's, the local API server's). Time is
// passed in, so tests control it; the sink is injected (default: spdlog warn).
class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Sink = std::function<void(const std::string& line)>;

  // `interval` > 0. An empty `sink` logs with spdlog::warn.
  explicit LogLimiter(Clock::duration interval, Sink sink = {});

  // Counts one event. `kind` is a phrase naming it ("handshakes refused: wrong PSK or tampered
  // message"). The first event of a kind, and the first after a quiet interval, is reported at
  // once; later ones accumulate until an interval has passed since the kind's last report.
  void note(std::string_view kind, Clock::time_point now);
  // Reports every kind with events pending whose interval has passed (all of them when `force`).
  // The owner calls this on a timer, so a burst followed by silence is still reported.
  void flush(Clock::time_point now, bool force = false);

  // Events of `kind` ever noted; events not yet reported; lines emitted so far (tests).
  std::uint64_t total(std::string_view kind) const;
  std::uint64_t pending(std::string_view kind) const;
  std::uint64_t lines() const { return lines_; }

 private:
  struct Kind {
    std::uint64_t total = 0;
    std::uint64_t pending = 0;
    Clock::time_point since{};        // start of the window being counted
    Clock::time_point last_report{};  // valid when reported
    bool reported = false;
  };
  void report(const std::string& name, Kind& k, Clock::time_point now);

  Clock::duration interval_;
  Sink sink_;
  std::map<std::string, Kind, std::less<>> kinds_;
  std::uint64_t lines_ = 0;
};

}  // namespace tandem
