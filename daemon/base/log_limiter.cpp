#include "daemon/base/log_limiter.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace tandem {

LogLimiter::LogLimiter(Clock::duration interval, Sink sink)
    : interval_(interval), sink_(std::move(sink)) {
  if (!sink_) sink_ = [](const std::string& line) { spdlog::warn("{}", line); };
}

void LogLimiter::report(const std::string& name, Kind& k, Clock::time_point now) {
  const double secs = std::chrono::duration<double>(now - k.since).count();
  std::string line;
  if (k.reported || k.pending > 1) {
    line = name + ": " + std::to_string(k.pending) + " in the last " +
           std::to_string(static_cast<long long>(std::ceil(std::max(secs, 1.0)))) + " s";
  } else {
    line = name + ": 1 (further ones are counted and reported at most every " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(interval_).count()) +
           " s)";
  }
  sink_(line);
  ++lines_;
  k.pending = 0;
  k.reported = true;
  k.last_report = now;
  k.since = now;
}

void LogLimiter::note(std::string_view kind, Clock::time_point now) {
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) it = kinds_.emplace(std::string(kind), Kind{}).first;
  Kind& k = it->second;
  if (!k.reported && k.pending == 0) k.since = now;
  ++k.total;
  ++k.pending;
  if (!k.reported || now - k.last_report >= interval_) report(it->first, k, now);
}

void LogLimiter::flush(Clock::time_point now, bool force) {
  for (auto& [name, k] : kinds_) {
    if (k.pending == 0) continue;
    if (force || now - k.last_report >= interval_) report(name, k, now);
  }
}

std::uint64_t LogLimiter::total(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? 0 : it->second.total;
}

std::uint64_t LogLimiter::pending(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? 0 : it->second.pending;
}

}  // namespace tandem
