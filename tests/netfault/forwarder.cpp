#include "tests/netfault/forwarder.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <queue>
#include <sstream>

namespace tandem::netfault {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// A packet held for a delay. Ties keep arrival order, so a fixed delay never reorders.
struct Held {
  Clock::time_point due;
  std::uint64_t order;
  std::size_t to;
  std::vector<std::uint8_t> bytes;
  bool operator>(const Held& o) const { return due != o.due ? due > o.due : order > o.order; }
};

constexpr std::size_t kMaxHeld = 50000;  // bounded memory however the impairment is set

// The control file's identity: a change of either means it was rewritten.
struct Stamp {
  std::int64_t mtime_ns = -1;
  std::int64_t size = -1;
  ino_t inode = 0;
  bool operator==(const Stamp&) const = default;
};

Stamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_size), st.st_ino};
}

std::optional<Impairment> read_control(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_impairment(ss.str(), error);
}

void write_stats(const std::string& path, const Counters& c, const Impairment& now) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "in=" << c.in << " sent=" << c.sent << " lost=" << c.lost << " down=" << c.down
        << " duplicated=" << c.duplicated << " jumped=" << c.jumped
        << " unroutable=" << c.unroutable << " overflow=" << c.overflow
        << " queue_max=" << c.queue_max << " | " << describe(now) << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

// The index of the endpoint whose address is the IPv4 destination of `p`, if any.
std::optional<std::size_t> route(const std::vector<Endpoint>& eps, const std::uint8_t* p,
                                 std::size_t n) {
  if (n < 20 || (p[0] >> 4) != 4) return std::nullopt;  // IPv6 (router solicitations): dropped
  in_addr_t dst;
  std::memcpy(&dst, p + 16, sizeof dst);
  for (std::size_t i = 0; i < eps.size(); ++i) {
    if (eps[i].address == dst) return i;
  }
  return std::nullopt;
}

}  // namespace

int run_forwarder(std::vector<Endpoint>& eps, const ForwarderOptions& options,
                  const volatile std::sig_atomic_t& stop) {
  std::string error;
  Stamp stamp = stamp_of(options.control_path);
  auto first = read_control(options.control_path, error);
  if (!first) {
    std::fprintf(stderr, "tandem-netfault: %s\n", error.c_str());
    return 1;
  }
  Impairment imp = *first;
  const auto start = Clock::now();
  auto changed = start, last_check = start, last_stats = start;
  std::fprintf(stderr, "tandem-netfault: t=0.000 %s\n", describe(imp).c_str());

  std::mt19937_64 rng(options.seed);
  Counters c;
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
  std::uint64_t order = 0;
  std::vector<pollfd> fds;
  for (const auto& e : eps) fds.push_back({e.tun.fd(), POLLIN, 0});
  std::vector<std::uint8_t> buf(65536);

  auto deliver = [&](std::size_t to, const std::uint8_t* p, std::size_t n) {
    if (::write(eps[to].tun.fd(), p, n) == static_cast<ssize_t>(n)) {
      ++c.sent;
    } else {
      ++c.overflow;  // the namespace's queue is full: a real link would drop it too
    }
  };

  while (!stop) {
    const auto now = Clock::now();
    while (!held.empty() && held.top().due <= now) {
      const Held& h = held.top();
      deliver(h.to, h.bytes.data(), h.bytes.size());
      held.pop();
    }
    if (now - last_check >= std::chrono::milliseconds(100)) {
      last_check = now;
      if (Stamp s = stamp_of(options.control_path); !(s == stamp)) {
        stamp = s;
        if (auto next = read_control(options.control_path, error)) {
          imp = *next;
          changed = now;
          std::fprintf(stderr, "tandem-netfault: t=%.3f %s\n", ms_since(start) / 1000.0,
                       describe(imp).c_str());
        } else {
          std::fprintf(stderr, "tandem-netfault: control ignored: %s\n", error.c_str());
        }
      }
    }
    if (now - last_stats >= std::chrono::milliseconds(500)) {
      last_stats = now;
      write_stats(options.stats_path, c, imp);
    }

    int timeout = 100;
    if (!held.empty()) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(held.top().due - now);
      timeout = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 100));
    }
    if (::poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      std::perror("tandem-netfault: poll");
      break;
    }
    for (std::size_t from = 0; from < fds.size(); ++from) {
      if (!(fds[from].revents & POLLIN)) continue;
      // Drain what is there now; a busy device cannot starve the others for long (256 at a time).
      for (int burst = 0; burst < 256; ++burst) {
        ssize_t n = ::read(fds[from].fd, buf.data(), buf.size());
        if (n <= 0) break;
        ++c.in;
        auto to = route(eps, buf.data(), static_cast<std::size_t>(n));
        if (!to || *to == from ||
            options.blocked.count({std::min(from, *to), std::max(from, *to)})) {
          ++c.unroutable;
          continue;
        }
        Fate f = decide(imp, ms_since(changed), rng);
        if (f.dropped == Fate::Drop::kLoss) ++c.lost;
        if (f.dropped == Fate::Drop::kDown) ++c.down;
        if (f.delays_ms.size() > 1) ++c.duplicated;
        if (f.jumped) ++c.jumped;
        for (auto d : f.delays_ms) {
          if (d == 0) {
            deliver(*to, buf.data(), static_cast<std::size_t>(n));
          } else if (held.size() >= kMaxHeld) {
            ++c.overflow;
          } else {
            held.push({Clock::now() + std::chrono::milliseconds(d), order++, *to,
                       std::vector<std::uint8_t>(buf.begin(), buf.begin() + n)});
            c.queue_max = std::max<std::uint64_t>(c.queue_max, held.size());
          }
        }
      }
    }
  }
  write_stats(options.stats_path, c, imp);
  return 0;
}

}  // namespace tandem::netfault
