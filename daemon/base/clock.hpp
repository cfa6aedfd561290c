// Time for tandem: a Clock interface (injected, so tests control time) and the hybrid logical
// clock that orders records across devices.
#pragma once

#include <cstdint>

namespace tandem {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in unix milliseconds.
  virtual std::int64_t now_ms() const = 0;
};

// The real clock (CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
};

// A clock tests set by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t ms) : ms_(ms) {}
  std::int64_t now_ms() const override { return ms_; }
  void set(std::int64_t ms) { ms_ = ms; }
  void advance(std::int64_t ms) { ms_ += ms; }

 private:
  std::int64_t ms_;
};

// Hybrid logical clock: (unix ms << 16) | counter. Monotonic per device even when the wall clock
// steps back, and never behind any timestamp it has observed from a peer.
class Hlc {
 public:
  explicit Hlc(const Clock& clock) : clock_(clock) {}
  // A new timestamp, strictly greater than every earlier one from this Hlc.
  std::uint64_t tick();
  // Folds in a timestamp seen on a record from elsewhere.
  void observe(std::uint64_t remote);
  static std::int64_t millis(std::uint64_t hlc) { return static_cast<std::int64_t>(hlc >> 16); }

 private:
  const Clock& clock_;
  std::uint64_t last_ = 0;
};

}  // namespace tandem
