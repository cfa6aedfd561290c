#include "daemon/discovery/log_gate.hpp"

namespace tandem::discovery {

std::optional<std::uint64_t> LogGate::admit(std::string_view kind, Clock::time_point now) {
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) {
    kinds_.emplace(std::string(kind), Kind{now, 0});
    return 0;
  }
  Kind& k = it->second;
  if (now - k.last < interval_) {
    ++k.held;
    return std::nullopt;
  }
  const std::uint64_t held = k.held;
  k = Kind{now, 0};
  return held;
}

}  // namespace tandem::discovery
