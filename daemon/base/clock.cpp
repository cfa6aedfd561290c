#include "daemon/base/clock.hpp"

#include <algorithm>
#include <ctime>

namespace tandem {

std::int64_t SystemClock::now_ms() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::uint64_t Hlc::tick() {
  const std::uint64_t wall = std::uint64_t(std::max<std::int64_t>(clock_.now_ms(), 0)) << 16;
  last_ = std::max(last_ + 1, wall);
  return last_;
}

void Hlc::observe(std::uint64_t remote) {
  last_ = std::max(last_, remote);
}

}  // namespace tandem
